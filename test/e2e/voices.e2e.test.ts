/**
 * `cosy voices` end to end: the catalogue with every filter and output mode, custom voices over several pages, and
 * `show`, `rm` and `update` against the emulator.
 */
import { describe, expect, it } from 'vitest';
import { filterVoices, SYSTEM_VOICES } from '../../src/voices/catalogue.js';
import { writeWav } from '../helpers/audio-files.js';
import { TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { baseEnv, runCli } from '../helpers/run-cli.js';
import { e2eFixture } from '../helpers/fixture.js';

const fx = e2eFixture({ voiceReadyMs: 50 });
const start = fx.start;

/** Creates a voice through the HTTP API directly (fast set-up) and returns its id. */
async function createVoice(e: TestEmulator, input: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${e.emulator.httpUrl}/services/audio/tts/customization`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: 'voice-enrollment',
      input: { action: 'create_voice', target_model: 'cosyvoice-v3.5-plus', prefix: 'narrator1', url: 'https://example.com/a.wav', ...input },
    }),
  });
  const body = (await res.json()) as { output: { voice_id: string } };
  return body.output.voice_id;
}

const out = (r: { stdout: Buffer }): string => r.stdout.toString('utf8');
const lines = (r: { stdout: Buffer }): string[] => out(r).split('\n').filter((l) => l !== '');

describe('cosy voices (system catalogue)', () => {
  it('prints every voice as tab-separated columns when stdout is not a terminal', async () => {
    const r = await runCli(['voices'], { env: baseEnv(fx.dir) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r)).toHaveLength(SYSTEM_VOICES.length);
    expect(lines(r)[0]?.split('\t')).toHaveLength(7);
  });

  it.each([
    [['--model', 'cosyvoice-v2'], { model: 'cosyvoice-v2' }],
    [['--language', 'yue'], { language: 'yue' }],
    [['--ssml', '--timestamps'], { ssml: true, timestamps: true }],
    [['--instruct', '--model', 'cosyvoice-v3-plus'], { instruct: true, model: 'cosyvoice-v3-plus' }],
    [['--search', 'news'], { search: 'news' }],
    [['--region', 'intl'], { region: 'intl' as const }],
  ])('filters with %j', async (args, filter) => {
    const r = await runCli(['voices', ...args, '--ids'], { env: baseEnv(fx.dir) });
    expect(r.code).toBe(0);
    const expected = [...new Set(filterVoices(filter).map((v) => v.voice))];
    expect(expected.length).toBeGreaterThan(0);
    expect(lines(r)).toEqual(expected);
  });

  it('prints one JSON document with the instruction forms of Instruct-capable voices', async () => {
    const r = await runCli(['voices', '--instruct', '--json'], { env: baseEnv(fx.dir) });
    expect(r.code).toBe(0);
    const doc = JSON.parse(out(r)) as { ok: boolean; count: number; voices: Array<{ instruct: boolean; instruct_forms: unknown[] }> };
    expect(doc.ok).toBe(true);
    expect(doc.count).toBe(filterVoices({ instruct: true }).length);
    expect(doc.voices.every((v) => v.instruct && v.instruct_forms.length > 0)).toBe(true);
  });

  it('says so on stderr when nothing matches, with empty stdout and exit 0', async () => {
    const r = await runCli(['voices', '--search', 'no-such-voice-anywhere'], { env: baseEnv(fx.dir) });
    expect(r).toMatchObject({ code: 0, stderr: 'no system voice matches these filters\n' });
    expect(out(r)).toBe('');
  });

  it.each([
    [['--json', '--ids'], '--json and --ids cannot be combined'],
    [['--prefix', 'abc'], '--prefix applies to custom voices: add --custom'],
    [['--model', 'cosyvoice-v9'], '--model cosyvoice-v9 is not a model cosy knows'],
    [['--custom', '--ssml'], '--ssml filters system voices'],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await runCli(['voices', ...args], { env: baseEnv(fx.dir) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    if (args.includes('--json')) expect(JSON.parse(out(r))).toMatchObject({ ok: false, error: { exit_code: 2 } });
    else expect(out(r)).toBe('');
  });

  it('shows a system voice from the catalogue without a key', async () => {
    const r = await runCli(['voices', 'show', 'longanyang'], { env: baseEnv(fx.dir) });
    expect(r.code).toBe(0);
    expect(out(r)).toContain('model:     cosyvoice-v3-flash\n');
    expect(out(r)).toContain('  instruct: EMOTION 「你说话的情感是<情感值>。」');
    const json = await runCli(['voices', 'show', 'longanyang', '--json'], { env: baseEnv(fx.dir) });
    expect(JSON.parse(out(json)).voice).toMatchObject({ voice_id: 'longanyang', kind: 'system' });
  });
});

describe('cosy voices --custom', () => {
  it('pages through every voice (several pages) and prints them newest first', async () => {
    const e = await start();
    const ids: string[] = [];
    for (let i = 0; i < 230; i++) ids.push(await createVoice(e, { prefix: i % 10 === 0 ? 'tenth' : 'other' }));
    const r = await runCli(['voices', '--custom', '--ids', '--verbose'], { env: e.env });
    expect(r.code).toBe(0);
    expect(lines(r)).toEqual([...ids].reverse());
    expect(r.stderr).toContain('list_voice page 2');
    expect(r.stderr).not.toContain('list_voice page 3');
    const tenth = await runCli(['voices', '--custom', '--prefix', 'tenth', '--ids'], { env: e.env });
    expect(lines(tenth)).toEqual(ids.filter((_, i) => i % 10 === 0).reverse());
  });

  it('prints columns, JSON, and filters by target model', async () => {
    const e = await start();
    const plus = await createVoice(e);
    const flash = await createVoice(e, { target_model: 'cosyvoice-v3-flash' });
    const r = await runCli(['voices', '--custom'], { env: e.env });
    expect(lines(r).map((l) => l.split('\t').slice(0, 3))).toEqual([
      [flash, expect.stringMatching(/^(DEPLOYING|OK)$/), 'cosyvoice-v3-flash'],
      [plus, expect.stringMatching(/^(DEPLOYING|OK)$/), 'cosyvoice-v3.5-plus'],
    ]);
    const json = JSON.parse(out(await runCli(['voices', '--custom', '--json', '--model', 'cosyvoice-v3-flash'], { env: e.env })));
    expect(json).toEqual({ ok: true, count: 1, voices: [expect.objectContaining({ voice_id: flash, target_model: 'cosyvoice-v3-flash', status: expect.any(String) })] });
  });

  it('says there are none, and refuses a bad prefix before connecting', async () => {
    const e = await start();
    const none = await runCli(['voices', '--custom', '--prefix', 'nobody'], { env: e.env });
    expect(none).toMatchObject({ code: 0, stderr: 'no custom voices with prefix nobody\n' });
    const bad = await runCli(['voices', '--custom', '--prefix', 'Bad-Prefix'], { env: e.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--prefix "Bad-Prefix": the prefix has uppercase letters');
  });

  it('works with --emulator (a fresh, empty emulator) and fails with a wrong key (exit 3)', async () => {
    const fresh = await runCli(['voices', '--custom', '--emulator', '--json'], { env: baseEnv(fx.dir) });
    expect(fresh.code).toBe(0);
    expect(JSON.parse(out(fresh))).toEqual({ ok: true, count: 0, voices: [] });
    const e = await start();
    const wrong = await runCli(['voices', '--custom'], { env: { ...e.env, DASHSCOPE_API_KEY: 'sk-wrong-key-123' } });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('InvalidApiKey: Invalid API-key provided.');
    expect(wrong.stderr).not.toContain('sk-wrong-key-123');
  });
});

describe('cosy voices show | rm | update', () => {
  it('shows a custom voice, as lines or JSON', async () => {
    const e = await start();
    const id = await createVoice(e);
    const r = await runCli(['voices', 'show', id], { env: e.env });
    expect(r.code).toBe(0);
    expect(lines(r)).toEqual([
      `voice:        ${id}`,
      'kind:         cloned',
      expect.stringMatching(/^status:       (DEPLOYING|OK)$/),
      'target model: cosyvoice-v3.5-plus',
      expect.stringMatching(/^created:      \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      expect.stringMatching(/^modified:     /),
      'source audio: https://example.com/a.wav',
    ]);
    const json = JSON.parse(out(await runCli(['voices', 'show', id, '--json'], { env: e.env })));
    expect(json.voice).toMatchObject({ voice_id: id, kind: 'clone', resource_link: 'https://example.com/a.wav' });
  });

  it('fails to show an unknown voice with the service error (exit 4)', async () => {
    const e = await start();
    const r = await runCli(['voices', 'show', 'cosyvoice-v3.5-plus-ghost-0000'], { env: e.env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('InvalidParameter: Invalid parameter \'voice_id\': voice cosyvoice-v3.5-plus-ghost-0000 does not exist.');
  });

  it('refuses to delete without --yes when it cannot ask, then deletes with --yes', async () => {
    const e = await start();
    const id = await createVoice(e);
    const refused = await runCli(['voices', 'rm', id], { env: e.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`cannot ask "Delete custom voice ${id}?"`);
    expect(refused.stderr).toContain('pass --yes');
    expect(e.emulator.voices.has(id)).toBe(true);
    const r = await runCli(['voices', 'rm', id, '--yes'], { env: e.env });
    expect(r.code).toBe(0);
    expect(out(r)).toBe(`${id}\n`);
    expect(r.stderr).toBe(`deleted ${id}\n`);
    expect(e.emulator.voices.has(id)).toBe(false);
  });

  it('takes options before the subcommand too (cosy voices --json rm … -y)', async () => {
    const e = await start();
    const a = await createVoice(e);
    const b = await createVoice(e);
    const r = await runCli(['voices', '--json', 'rm', a, b, '-y'], { env: e.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(out(r))).toEqual({ ok: true, deleted: [a, b] });
  });

  it('reports the deletion of an unknown id (exit 4) after deleting the known ones', async () => {
    const e = await start();
    const id = await createVoice(e);
    const ghost = 'cosyvoice-v3.5-plus-ghost-0000';
    const r = await runCli(['voices', 'rm', id, ghost, '--yes'], { env: e.env });
    expect(r.code).toBe(4);
    expect(out(r)).toBe(`${id}\n`);
    expect(r.stderr).toContain(`the service refused the deletion of voice ${ghost} (delete_voice): InvalidParameter`);
    expect(r.stderr).toContain('deleted 1 of 2 voices');
    expect(e.emulator.voices.has(id)).toBe(false);
    const other = await createVoice(e);
    const j = await runCli(['voices', 'rm', ghost, other, '--yes', '--json'], { env: e.env });
    expect(j.code).toBe(4);
    expect(JSON.parse(out(j))).toMatchObject({ ok: false, error: { code: 'SERVICE', deleted: [other] } });
    expect(e.emulator.voices.has(other)).toBe(false);
  });

  it('refuses to delete a system voice (exit 2)', async () => {
    const r = await runCli(['voices', 'rm', 'longanyang', '--yes', '--emulator'], { env: baseEnv(fx.dir) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('longanyang is a system voice');
  });

  it('updates a cloned voice from a local file and waits until it is OK', async () => {
    const e = await start();
    const id = await createVoice(e);
    const sample = writeWav(fx.dir, 'take2.wav', { seconds: 12 });
    const r = await runCli(['voices', 'update', id, sample], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(out(r)).toBe(`${id}\n`);
    expect(r.stderr).toContain('uploading take2.wav');
    expect(r.stderr).toContain(`${id} is ready (OK)`);
    const json = JSON.parse(out(await runCli(['voices', 'show', id, '--json'], { env: e.env })));
    expect(json.voice.resource_link).toMatch(/^oss:\/\/.*\/take2\.wav$/);
  });

  it('updates from a URL with --no-wait, and refuses designed and unknown voices', async () => {
    const e = await start({ voiceReadyMs: 60_000 });
    const id = await createVoice(e);
    const r = await runCli(['voices', 'update', id, 'https://example.com/b.wav', '--no-wait', '--json'], { env: e.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(out(r))).toMatchObject({ ok: true, voice_id: id, status: 'DEPLOYING', resource_link: 'https://example.com/b.wav' });
    const designed = await runCli(['voices', 'update', 'cosyvoice-v3-flash-vd-anchor-0000', 'https://example.com/b.wav'], { env: e.env });
    expect(designed.code).toBe(2);
    const unknown = await runCli(['voices', 'update', 'cosyvoice-v3-flash-ghost-0000', 'https://example.com/b.wav'], { env: e.env });
    expect(unknown.code).toBe(4);
  });
});
