import { describe, expect, it } from 'vitest';
import {
  alignColumns,
  customVoiceColumns,
  customVoiceDetails,
  customVoiceJson,
  customVoiceTable,
  featuresOf,
  systemVoiceColumns,
  systemVoiceDetails,
  systemVoiceJson,
  systemVoiceTable,
} from '../../../src/cli/voice-table.js';
import { findSystemVoice, findVoicesById, type SystemVoice } from '../../../src/voices/catalogue.js';
import type { CustomVoiceDetails, CustomVoiceSummary } from '../../../src/voices/enrollment-api.js';

function voice(model: string, id: string): SystemVoice {
  const v = findSystemVoice(model, id);
  if (v === undefined) throw new Error(`no ${id} on ${model}`);
  return v;
}

const ANYANG = voice('cosyvoice-v3-flash', 'longanyang');
const V2 = voice('cosyvoice-v2', 'longxiaochun_v2');

const SUMMARY: CustomVoiceSummary = {
  voiceId: 'cosyvoice-v3.5-plus-narrator1-0123',
  status: 'OK',
  gmtCreate: '2026-01-02 03:04:05',
  gmtModified: '2026-01-02 03:04:06',
  targetModel: 'cosyvoice-v3.5-plus',
};

describe('alignColumns', () => {
  it('pads every column but the last and trims trailing space', () => {
    expect(alignColumns([['a', 'bb', 'c'], ['ccc', 'd', '']])).toEqual(['a    bb  c', 'ccc  d']);
  });
});

describe('system voices', () => {
  it('lists features as words', () => {
    expect(featuresOf(ANYANG)).toEqual(['ssml', 'instruct', 'timestamps']);
  });

  it('renders a terminal table with the instruction forms under Instruct-capable voices', () => {
    const lines = systemVoiceTable([ANYANG, V2]);
    expect(lines[0]).toMatch(/^VOICE\s+MODEL\s+FEATURES\s+LANGUAGES\s+NAME$/);
    expect(lines[1]).toMatch(/^longanyang\s+cosyvoice-v3-flash\s+ssml,instruct,timestamps\s+zh,en\s+Long Anyang/);
    expect(lines[2]).toBe(`    instruct: EMOTION 「你说话的情感是<情感值>。」 where <情感值> = neutral | fearful | angry | sad | surprised | happy | disgusted`);
    expect(lines.filter((l) => l.startsWith('    instruct:'))).toHaveLength(ANYANG.instructForms.length);
    expect(lines.at(-1)).toMatch(/^longxiaochun_v2\s+cosyvoice-v2\s/);
    const columns = lines.filter((l) => !l.startsWith(' ')).map((l) => l.indexOf(l.split(/\s{2,}/)[1] ?? ''));
    expect(new Set(columns).size).toBe(1);
  });

  it('summarises long language lists in the table', () => {
    const many = voice('cosyvoice-v3-flash', 'longanhuan_v3');
    expect(systemVoiceTable([many])[1]).toContain(`zh,yue,zh-Northeastern,+${many.languages.length - 3}`);
  });

  it('renders tab-separated columns for pipes', () => {
    expect(systemVoiceColumns([ANYANG])).toEqual([
      'longanyang\tcosyvoice-v3-flash\tzh,en\tssml,instruct,timestamps\tLong Anyang (龙安洋)\tSocial companion (benchmark voice)\tEMOTION,SCENE+EMOTION,ROLE+EMOTION,IDENTITY+EMOTION',
    ]);
  });

  it('has a stable JSON shape', () => {
    expect(systemVoiceJson(V2)).toEqual({
      voice: 'longxiaochun_v2',
      model: 'cosyvoice-v2',
      name: V2.name,
      scenario: V2.scenario,
      traits: V2.traits,
      age: V2.age,
      languages: V2.languages,
      ssml: V2.ssml,
      instruct: false,
      timestamps: V2.timestamps,
      regions: ['cn'],
      instruct_forms: [],
    });
  });

  it('shows every model of a voice id', () => {
    const lines = systemVoiceDetails(findVoicesById('longanyang'));
    expect(lines.filter((l) => l.startsWith('model:'))).toEqual(['model:     cosyvoice-v3-flash', 'model:     cosyvoice-v3-plus']);
  });
});

describe('custom voices', () => {
  it('renders a table and columns', () => {
    expect(customVoiceTable([SUMMARY])).toEqual([
      'VOICE ID                            STATUS  TARGET MODEL         CREATED              MODIFIED',
      'cosyvoice-v3.5-plus-narrator1-0123  OK      cosyvoice-v3.5-plus  2026-01-02 03:04:05  2026-01-02 03:04:06',
    ]);
    expect(customVoiceColumns([SUMMARY])).toEqual(['cosyvoice-v3.5-plus-narrator1-0123\tOK\tcosyvoice-v3.5-plus\t2026-01-02 03:04:05\t2026-01-02 03:04:06']);
  });

  it('has JSON shapes for list entries and full records', () => {
    expect(customVoiceJson(SUMMARY)).toEqual({
      voice_id: SUMMARY.voiceId,
      status: 'OK',
      target_model: 'cosyvoice-v3.5-plus',
      gmt_create: '2026-01-02 03:04:05',
      gmt_modified: '2026-01-02 03:04:06',
    });
    const designed: CustomVoiceDetails = { ...SUMMARY, kind: 'design', resourceLink: undefined, voicePrompt: 'calm', previewText: 'hello' };
    expect(customVoiceJson(designed)).toMatchObject({ kind: 'design', voice_prompt: 'calm', preview_text: 'hello' });
    expect(customVoiceJson(designed)).not.toHaveProperty('resource_link');
  });

  it('shows details with aligned labels, leaving out what the record lacks', () => {
    const cloned: CustomVoiceDetails = { ...SUMMARY, kind: 'clone', resourceLink: 'oss://dir/a.wav', voicePrompt: undefined, previewText: undefined };
    expect(customVoiceDetails(cloned)).toEqual([
      'voice:        cosyvoice-v3.5-plus-narrator1-0123',
      'kind:         cloned',
      'status:       OK',
      'target model: cosyvoice-v3.5-plus',
      'created:      2026-01-02 03:04:05',
      'modified:     2026-01-02 03:04:06',
      'source audio: oss://dir/a.wav',
    ]);
  });
});
