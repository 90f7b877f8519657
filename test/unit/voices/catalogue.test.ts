import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MODELS } from '../../../src/protocol/models.js';
import {
  SYSTEM_VOICES,
  filterVoices,
  findSystemVoice,
  findVoicesById,
  languageMatches,
  modelsOfVoice,
} from '../../../src/voices/catalogue.js';
import type { SystemVoice, VoiceFilter } from '../../../src/voices/catalogue.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(ROOT, 'scripts/gen-catalogue.mjs');
const DATA_FILE = join(ROOT, 'src/voices/catalogue-data.ts');

const EMOTIONS = ['neutral', 'fearful', 'angry', 'sad', 'surprised', 'happy', 'disgusted'];

/** "model:voice" keys of a list of voices, for readable comparisons. */
const keys = (voices: readonly SystemVoice[]): string[] => voices.map((v) => `${v.model}:${v.voice}`);

describe('SYSTEM_VOICES', () => {
  it('has the 216 rows of the voice list', () => {
    expect(SYSTEM_VOICES).toHaveLength(216);
  });

  it.each([
    { model: 'cosyvoice-v3-flash', count: 88, instruct: ['longanyang', 'longanhuan_v3', 'longanhuan', 'longhuhu_v3'] },
    { model: 'cosyvoice-v3-plus', count: 2, instruct: ['longanyang', 'longanhuan'] },
    { model: 'cosyvoice-v2', count: 106, instruct: [] },
    { model: 'cosyvoice-v1', count: 20, instruct: [] },
    { model: 'cosyvoice-v3.5-plus', count: 0, instruct: [] },
    { model: 'cosyvoice-v3.5-flash', count: 0, instruct: [] },
  ])('$model has $count voices and instruct voices $instruct', ({ model, count, instruct }) => {
    const ofModel = SYSTEM_VOICES.filter((v) => v.model === model);
    expect(ofModel).toHaveLength(count);
    expect(ofModel.filter((v) => v.instruct).map((v) => v.voice)).toEqual(instruct);
  });

  it('only uses models that models.ts lists with system voices', () => {
    const withVoices = MODELS.filter((m) => m.systemVoices).map((m) => m.id);
    expect([...new Set(SYSTEM_VOICES.map((v) => v.model))].sort()).toEqual([...withVoices].sort());
  });

  it('has each (model, voice) pair once', () => {
    expect(new Set(keys(SYSTEM_VOICES)).size).toBe(SYSTEM_VOICES.length);
  });

  it('has instruction forms exactly on the instruct-capable voices', () => {
    for (const v of SYSTEM_VOICES) expect(v.instructForms.length > 0, `${v.model}:${v.voice}`).toBe(v.instruct);
  });

  it('gives every template placeholder a non-empty value list and nothing else', () => {
    for (const form of SYSTEM_VOICES.flatMap((v) => v.instructForms)) {
      const placeholders = [...form.template.matchAll(/<([^<>]+)>/gu)].map((m) => m[1]);
      expect(Object.keys(form.values), form.template).toEqual(placeholders);
      for (const list of Object.values(form.values)) expect(list.length).toBeGreaterThan(0);
    }
  });

  it('uses the seven emotions of voices.md in every emotion placeholder', () => {
    const lists = SYSTEM_VOICES.flatMap((v) => v.instructForms).flatMap((f) => f.values['情感值'] ?? []);
    // longanyang 4 + 4 (flash, plus), longanhuan 3 + 3, longhuhu_v3 4 forms with an emotion placeholder
    expect(lists.length).toBe(EMOTIONS.length * 18);
    expect(new Set(lists)).toEqual(new Set(EMOTIONS));
  });

  it.each([
    { voice: 'longanyang', model: 'cosyvoice-v3-flash', kinds: ['EMOTION', 'SCENE+EMOTION', 'ROLE+EMOTION', 'IDENTITY+EMOTION'], scenes: 7 },
    { voice: 'longanyang', model: 'cosyvoice-v3-plus', kinds: ['EMOTION', 'SCENE+EMOTION', 'ROLE+EMOTION', 'IDENTITY+EMOTION'], scenes: 7 },
    { voice: 'longanhuan', model: 'cosyvoice-v3-flash', kinds: ['EMOTION', 'SCENE+EMOTION', 'ROLE+EMOTION'], scenes: 9 },
    { voice: 'longanhuan', model: 'cosyvoice-v3-plus', kinds: ['EMOTION', 'SCENE+EMOTION', 'ROLE+EMOTION'], scenes: 7 },
    { voice: 'longanhuan_v3', model: 'cosyvoice-v3-flash', kinds: ['DIALECT'], scenes: 0 },
    { voice: 'longhuhu_v3', model: 'cosyvoice-v3-flash', kinds: ['EMOTION', 'SCENE+EMOTION', 'ROLE+EMOTION', 'IDENTITY+EMOTION'], scenes: 2 },
  ])('$model $voice has forms $kinds and $scenes scenes', ({ voice, model, kinds, scenes }) => {
    const v = findSystemVoice(model, voice);
    expect(v?.instructForms.map((f) => f.kind)).toEqual(kinds);
    const sceneForm = v?.instructForms.find((f) => f.kind === 'SCENE+EMOTION');
    expect(sceneForm?.values['场景']?.length ?? 0).toBe(scenes);
  });

  it('keeps glosses apart from values', () => {
    const dialect = findSystemVoice('cosyvoice-v3-flash', 'longanhuan_v3')?.instructForms[0];
    expect(dialect?.values['方言']).toEqual(['普通话', '广东话', '东北话', '河南话', '湖南话', '陕西话', '山东话', '四川话', '安徽话']);
    expect(dialect?.glosses['四川话']).toBe('Sichuan');
    const scenes = findSystemVoice('cosyvoice-v3-flash', 'longanyang')?.instructForms[1];
    expect(scenes?.glosses['一些儿童内容解说']).toBe("children's content narration");
    expect(scenes?.glosses['happy']).toBeUndefined();
  });

  it.each([
    { region: 'both', model: 'cosyvoice-v3-plus', voice: 'longanyang', regions: ['cn', 'intl'] },
    { region: 'both', model: 'cosyvoice-v3-flash', voice: 'longxiaochun_v3', regions: ['cn', 'intl'] },
    { region: 'beijing', model: 'cosyvoice-v3-flash', voice: 'loongriko_v3', regions: ['cn'] },
    { region: 'beijing', model: 'cosyvoice-v2', voice: 'longxiaochun_v2', regions: ['cn'] },
    { region: 'beijing', model: 'cosyvoice-v1', voice: 'longxiaochun', regions: ['cn'] },
  ])('maps region $region of $model $voice to $regions', ({ model, voice, regions }) => {
    expect(findSystemVoice(model, voice)?.regions).toEqual(regions);
  });

  it('is frozen all the way down', () => {
    const first = SYSTEM_VOICES[0];
    expect(() => (SYSTEM_VOICES as SystemVoice[]).pop()).toThrow(TypeError);
    expect(() => first?.languages.push('xx')).toThrow(TypeError);
    expect(() => first?.instructForms[0]?.values['情感值']?.push('bored')).toThrow(TypeError);
    expect(SYSTEM_VOICES).toHaveLength(216);
  });
});

describe('findSystemVoice', () => {
  it.each([
    { model: 'cosyvoice-v3-flash', voice: 'longanyang', name: 'Long Anyang (龙安洋)' },
    { model: 'cosyvoice-v3-plus', voice: 'longanhuan', name: 'Long Anhuan (龙安欢)' },
    { model: 'cosyvoice-v2', voice: 'loongbella_v2', name: 'Bella2.0' },
    { model: 'cosyvoice-v1', voice: 'loongbella', name: 'Bella' },
    { model: 'cosyvoice-v2', voice: 'longanyang', name: undefined },
    { model: 'cosyvoice-v3-flash', voice: 'longxiaochun_v2', name: undefined },
    { model: 'cosyvoice-v3.5-plus', voice: 'longanyang', name: undefined },
    { model: 'cosyvoice-v3-flash', voice: 'LONGANYANG', name: undefined },
    { model: 'cosyvoice-v3-flash', voice: '', name: undefined },
  ])('($model, $voice) → $name', ({ model, voice, name }) => {
    const found = findSystemVoice(model, voice);
    expect(found?.name).toBe(name);
    if (found !== undefined) expect([found.model, found.voice]).toEqual([model, voice]);
  });
});

describe('modelsOfVoice and findVoicesById', () => {
  it.each([
    { voice: 'longanyang', models: ['cosyvoice-v3-flash', 'cosyvoice-v3-plus'] },
    { voice: 'longanhuan', models: ['cosyvoice-v3-flash', 'cosyvoice-v3-plus'] },
    { voice: 'longanhuan_v3', models: ['cosyvoice-v3-flash'] },
    { voice: 'longxiaochun_v2', models: ['cosyvoice-v2'] },
    { voice: 'longxiaochun', models: ['cosyvoice-v1'] },
    { voice: 'longhuhu', models: ['cosyvoice-v2'] },
    { voice: 'longke_v3', models: [] },
    { voice: 'cosyvoice-v3-plus-myvoice-0123abcd', models: [] },
  ])('$voice → $models', ({ voice, models }) => {
    expect(modelsOfVoice(voice)).toEqual(models);
    expect(findVoicesById(voice).map((v) => v.model)).toEqual(models);
    for (const v of findVoicesById(voice)) expect(v.voice).toBe(voice);
  });

  it('returns both longanhuan entries, whose scene lists differ', () => {
    const scenes = findVoicesById('longanhuan').map((v) => v.instructForms[1]?.values['场景'] ?? []);
    expect(scenes[0]).toContain('课堂教学');
    expect(scenes[1]).not.toContain('课堂教学');
  });
});

describe('languageMatches', () => {
  it.each([
    { tag: 'zh', wanted: 'zh', match: true },
    { tag: 'zh-Sichuan', wanted: 'zh', match: true },
    { tag: 'zh-Sichuan', wanted: 'zh-sichuan', match: true },
    { tag: 'en-US', wanted: 'EN', match: true },
    { tag: 'en', wanted: 'en-US', match: false },
    { tag: 'en-US', wanted: 'e', match: false },
    { tag: 'yue', wanted: 'zh', match: false },
    { tag: 'zh-Shaanxi', wanted: 'zh-Shan', match: false },
  ])('$tag matches $wanted: $match', ({ tag, wanted, match }) => {
    expect(languageMatches(tag, wanted)).toBe(match);
  });
});

describe('filterVoices', () => {
  it.each<{ filter: VoiceFilter; count: number }>([
    { filter: {}, count: 216 },
    { filter: { language: 'en' }, count: 186 },
    { filter: { language: 'zh' }, count: 166 },
    { filter: { language: 'en-GB' }, count: 10 },
    { filter: { language: 'ja' }, count: 9 },
    { filter: { language: 'zh', model: 'cosyvoice-v1' }, count: 20 },
    { filter: { language: 'fr' }, count: 0 },
    { filter: { instruct: true }, count: 6 },
    { filter: { instruct: false }, count: 210 },
    { filter: { model: 'cosyvoice-v2', ssml: false }, count: 19 },
    { filter: { region: 'intl' }, count: 68 },
    { filter: { region: 'intl', model: 'cosyvoice-v3-flash' }, count: 66 },
    { filter: { region: 'cn' }, count: 216 },
    { filter: { search: '' }, count: 216 },
  ])('$filter keeps $count voices', ({ filter, count }) => {
    expect(filterVoices(filter)).toHaveLength(count);
  });

  it.each<{ filter: VoiceFilter; expected: string[] }>([
    { filter: { model: 'cosyvoice-v3-plus' }, expected: ['cosyvoice-v3-plus:longanyang', 'cosyvoice-v3-plus:longanhuan'] },
    { filter: { language: 'zh-Sichuan' }, expected: ['cosyvoice-v3-flash:longanhuan_v3'] },
    { filter: { language: 'ZH-MINNAN' }, expected: ['cosyvoice-v3-flash:longanmin_v3', 'cosyvoice-v2:longanmin'] },
    { filter: { language: 'id' }, expected: ['cosyvoice-v3-flash:loongindah_v3'] },
    {
      filter: { ssml: true, timestamps: false },
      expected: ['cosyvoice-v2:loongyuuna_v2', 'cosyvoice-v2:loongyuuma_v2', 'cosyvoice-v2:loongjihun_v2'],
    },
    // search covers the voice id, name, scenario and traits, case-insensitively
    {
      filter: { search: 'BELLA' },
      expected: ['cosyvoice-v3-flash:loongbella_v3', 'cosyvoice-v2:loongbella_v2', 'cosyvoice-v1:loongbella'],
    },
    { filter: { search: '闽南' }, expected: ['cosyvoice-v2:longanmin'] },
    { filter: { search: 'anhuan' }, expected: ['cosyvoice-v3-flash:longanhuan_v3', 'cosyvoice-v3-flash:longanhuan', 'cosyvoice-v3-plus:longanhuan'] },
    {
      filter: { search: 'Story Machine' },
      expected: [
        'cosyvoice-v3-flash:longpaopao_v3',
        'cosyvoice-v3-flash:longjielidou_v3',
        'cosyvoice-v3-flash:longxian_v3',
        'cosyvoice-v3-flash:longling_v3',
      ],
    },
    { filter: { search: 'bella', model: 'cosyvoice-v2' }, expected: ['cosyvoice-v2:loongbella_v2'] },
    { filter: { search: '故事机' }, expected: [] }, // instruction values are not searched
    { filter: { instruct: true, model: 'cosyvoice-v2' }, expected: [] },
  ])('$filter keeps $expected', ({ filter, expected }) => {
    expect(keys(filterVoices(filter))).toEqual(expected);
  });

  it('keeps only voices that satisfy every criterion', () => {
    const filter: VoiceFilter = { language: 'en', ssml: true, timestamps: true, region: 'intl' };
    const kept = filterVoices(filter);
    expect(kept.length).toBeGreaterThan(0);
    for (const v of SYSTEM_VOICES) {
      const meets =
        v.languages.some((l) => l === 'en' || l.startsWith('en-')) && v.ssml && v.timestamps && v.regions.includes('intl');
      expect(kept.includes(v), `${v.model}:${v.voice}`).toBe(meets);
    }
  });
});

/** A voices.tsv header and one valid instruct row; the generator tests below start from these. */
const HEADER =
  'model\tvoice\tname\tscenario\ttraits\tage\tlanguages\tssml\tinstruct\ttimestamps\tregions\tinstruct_forms';
const FORMS =
  'EMOTION 「你说话的情感是<情感值>。」 values=neutral,happy || ' +
  'SCENE+EMOTION 「你正在进行<场景>，你说话的情感是<情感值>。」 scenes=闲聊互动(casual chat),新闻播报(news, broadcast)';
const ROW = [
  'cosyvoice-v3-flash', 'longtest', 'Long Test (龙测)', 'Testing', 'Calm (冷静)', '20-30', 'zh;en',
  'yes', 'yes', 'no', 'both', FORMS,
];

/** Reconstructs a voices.tsv row from a catalogue entry (the inverse of the generator's parse). */
function toTsvRow(v: SystemVoice): string {
  const keyOf: Record<string, string> = { 情感值: 'values', 场景: 'scenes', 角色: 'roles', 身份: 'identities', 方言: 'dialects' };
  const forms = v.instructForms.map((f) => {
    const lists = Object.entries(f.values)
      // a combined form takes its emotions from the EMOTION form, so the TSV does not repeat them
      .filter(([placeholder]) => placeholder !== '情感值' || f.kind === 'EMOTION')
      .map(([placeholder, values]) => {
        const items = values.map((x) => (f.glosses[x] === undefined ? x : `${x}(${f.glosses[x]})`));
        return `${keyOf[placeholder]}=${items.join(',')}`;
      });
    return [`${f.kind} 「${f.template}」`, ...lists].join(' ');
  });
  const yn = (b: boolean): string => (b ? 'yes' : 'no');
  return [
    v.model, v.voice, v.name, v.scenario, v.traits, v.age, v.languages.join(';'),
    yn(v.ssml), yn(v.instruct), yn(v.timestamps), v.regions.includes('intl') ? 'both' : 'beijing', forms.join(' || '),
  ].join('\t');
}

describe('scripts/gen-catalogue.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosy-gen-catalogue-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  /** Runs the generator on `tsv` and returns its exit status and output. */
  function generate(tsv: string): { status: number | null; stdout: string; stderr: string } {
    const file = join(dir, `voices-${n++}.tsv`);
    writeFileSync(file, tsv);
    const r = spawnSync(process.execPath, [SCRIPT, file], { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** The valid one-row TSV with column `index` replaced by `value`. */
  const withCell = (index: number, value: string): string =>
    `${HEADER}\n${ROW.map((c, i) => (i === index ? value : c)).join('\t')}\n`;

  it('regenerates the committed catalogue-data.ts from the committed rows, byte for byte', () => {
    const tsv = `${HEADER}\n${SYSTEM_VOICES.map(toTsvRow).join('\n')}\n`;
    const r = generate(tsv);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(DATA_FILE, 'utf8'));
  });

  it('writes the banner and shares the emotion values with combined forms', () => {
    const r = generate(`${HEADER}\n${ROW.join('\t')}\n`);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      '// generated by scripts/gen-catalogue.mjs from voices.tsv; do not edit by hand',
    );
    expect(r.stdout).toContain("'场景': ['闲聊互动', '新闻播报'],\n          '情感值': ['neutral', 'happy'],");
    expect(r.stdout).toContain("'新闻播报': 'news, broadcast',");
  });

  it.each([
    { why: 'a wrong header', tsv: `${HEADER.replace('traits', 'trait')}\n${ROW.join('\t')}\n`, error: /line 1: header/ },
    { why: 'a missing column', tsv: `${HEADER}\n${ROW.slice(0, 11).join('\t')}\n`, error: /line 2: expected 12 columns, got 11/ },
    { why: 'an extra column', tsv: `${HEADER}\n${[...ROW, ''].join('\t')}\n`, error: /line 2: expected 12 columns, got 13/ },
    { why: 'an unknown yes/no value', tsv: withCell(7, 'Yes'), error: /line 2: column ssml must be "yes" or "no"/ },
    { why: 'an empty yes/no value', tsv: withCell(9, ''), error: /line 2: column timestamps must be/ },
    { why: 'an unknown region', tsv: withCell(10, 'singapore'), error: /line 2: column regions must be one of both, beijing/ },
    { why: 'a bad language', tsv: withCell(6, 'zh;;en'), error: /line 2: bad language/ },
    { why: 'stray whitespace', tsv: withCell(1, 'longtest '), error: /line 2: column voice has leading or trailing whitespace/ },
    { why: 'instruct without forms', tsv: withCell(11, ''), error: /line 2: instruct is yes but instruct_forms is empty/ },
    { why: 'forms without instruct', tsv: withCell(8, 'no'), error: /line 2: instruct is no but instruct_forms is set/ },
    { why: 'an unknown value-list key', tsv: withCell(11, 'EMOTION 「你说话的情感是<情感值>。」 moods=happy'), error: /unknown value-list key "moods"/ },
    { why: 'an unknown kind', tsv: withCell(11, 'STYLE 「用<风格>说。」 styles=a'), error: /unknown form kind part "STYLE"/ },
    { why: 'a key of another kind', tsv: withCell(11, 'EMOTION 「你说话的情感是<情感值>。」 values=happy roles=a'), error: /EMOTION must not have roles=/ },
    { why: 'a placeholder the kind lacks', tsv: withCell(11, 'EMOTION 「你说话的<场景>情感是<情感值>。」 values=happy'), error: /must have the placeholders <情感值>/ },
    {
      why: 'a combined form with no emotion list to share',
      tsv: withCell(11, 'ROLE+EMOTION 「你说话的角色是<角色>，你说话的情感是<情感值>。」 roles=机器人(robot)'),
      error: /ROLE\+EMOTION gives no values= and the voice has no EMOTION form/,
    },
    { why: 'a form without 「」', tsv: withCell(11, 'EMOTION 你说话的情感是<情感值>。 values=happy'), error: /malformed instruction form/ },
    { why: 'an unbalanced gloss', tsv: withCell(11, 'DIALECT 「请用<方言>表达。」 dialects=四川话(Sichuan'), error: /unbalanced "\("/ },
    { why: 'a duplicate value', tsv: withCell(11, 'EMOTION 「你说话的情感是<情感值>。」 values=happy,happy'), error: /duplicate value "happy"/ },
    { why: 'a duplicate row', tsv: `${HEADER}\n${ROW.join('\t')}\n${ROW.join('\t')}\n`, error: /line 3: duplicate row/ },
    { why: 'a header and no rows', tsv: `${HEADER}\n`, error: /no rows/ },
  ])('fails with exit code 1 and no output on $why', ({ tsv, error }) => {
    const r = generate(tsv);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(error);
  });
});
