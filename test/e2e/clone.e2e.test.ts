/**
 * `cosy clone` end to end against the emulator: local files (checked, uploaded through the policy flow) and URLs,
 * every rejection before anything is sent, UNDEPLOYED, the poll timeout, --no-wait, and `cosy say` with the voice:
 * the model check before connecting, and synthesis once the voice is OK.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMp3, writeWav } from '../helpers/audio-files.js';
import { baseEnv, runCli } from '../helpers/run-cli.js';
import { e2eFixture } from '../helpers/fixture.js';

const fx = e2eFixture({ voiceReadyMs: 400 }); // the status query right after creating sees DEPLOYING even on a loaded machine; the next, 500 ms later, sees OK
const start = fx.start;

const out = (r: { stdout: Buffer }): string => r.stdout.toString('utf8');
const CLONE_ID = /^cosyvoice-v3\.5-plus-narrator1-[0-9a-f]{32}\n$/;

describe('cosy clone', () => {
  it('checks and uploads a WAV file, waits until OK, and prints the voice id alone', async () => {
    const e = await start();
    writeWav(fx.dir, 'sample.wav', { seconds: 12 });
    const r = await runCli(['clone', 'sample.wav', '--prefix', 'narrator1'], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(out(r)).toMatch(CLONE_ID);
    const id = out(r).trim();
    expect(r.stderr.split('\n')).toEqual([
      'uploading sample.wav (375.0 KB) to the service\'s temporary storage…',
      `created ${id} for cosyvoice-v3.5-plus`,
      `waiting for ${id} to be ready (up to 300 s)…`,
      `${id}: DEPLOYING`,
      `${id}: OK`,
      `${id} is ready: cosy say --model cosyvoice-v3.5-plus --voice ${id} "…"`,
      '',
    ]);
    expect(e.emulator.voices.get(id)).toMatchObject({ targetModel: 'cosyvoice-v3.5-plus', status: 'OK' });
  });

  it('prints the full record with --json, and takes MP3 and another model and language', async () => {
    const e = await start();
    writeMp3(fx.dir, 'sample.mp3', 15);
    const r = await runCli(['clone', 'sample.mp3', '--model', 'cosyvoice-v3-flash', '--language', 'en', '--json', '-q'], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(out(r))).toEqual({
      ok: true,
      voice_id: expect.stringMatching(/^cosyvoice-v3-flash-cosy-[0-9a-f]{32}$/),
      status: 'OK',
      target_model: 'cosyvoice-v3-flash',
      gmt_create: expect.any(String),
      gmt_modified: expect.any(String),
      kind: 'clone',
      resource_link: expect.stringMatching(/^oss:\/\/dashscope-instant\/.+\/sample\.mp3$/),
    });
  });

  it('passes an https:// URL through without uploading', async () => {
    const e = await start();
    const r = await runCli(['clone', 'https://example.com/voice.wav', '--prefix', 'narrator1', '--json'], { env: e.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(out(r))).toMatchObject({ resource_link: 'https://example.com/voice.wav', status: 'OK' });
    expect(r.stderr).not.toContain('uploading');
  });

  it('warns about a short stereo sample and clones it anyway', async () => {
    const e = await start();
    writeWav(fx.dir, 'stereo.wav', { seconds: 8, channels: 2 });
    const r = await runCli(['clone', 'stereo.wav'], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: stereo.wav: it lasts 8.0 s; 10-20 s of clean speech give the best clone\n');
    expect(r.stderr).toContain('warning: stereo.wav: it has 2 channels; the service uses only the first one\n');
  });

  it.each([
    ['oversized (over 10 MB)', 'big.wav', { seconds: 330 }, /it is 10\.1 MB; the service accepts at most 10\.0 MB/],
    ['too short', 'short.wav', { seconds: 3 }, /it lasts 3\.0 s; the service needs at least 5 s/],
    ['too long', 'long.wav', { seconds: 61 }, /it lasts 61\.0 s; the service accepts at most 60 s/],
    ['low-rate', 'low.wav', { seconds: 12, sampleRate: 8000 }, /its sample rate is 8000 Hz; the service needs at least 16000 Hz/],
    ['24-bit', 'deep.wav', { seconds: 12, bitsPerSample: 24 }, /it is 24-bit PCM WAV; the service accepts 16-bit PCM WAV/],
  ])('refuses a %s file before sending anything (exit 2)', async (_name, file, spec, message) => {
    const e = await start();
    writeWav(fx.dir, file, spec);
    const r = await runCli(['clone', file], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('hint: use 10-20 s of clean speech');
    expect(out(r)).toBe('');
    expect(e.emulator.voices.size).toBe(0);
  });

  it.each([
    ['a text file', (): string => (writeFileSync(join(fx.dir, 'notes.wav'), 'not audio'), 'notes.wav'), /not an audio file cosy can read/],
    ['a missing file', (): string => 'missing.wav', /cannot read missing\.wav: no such file/],
    ['a bad prefix', (): string => 'https://example.com/a.wav --prefix My-Voice', /--prefix "My-Voice": the prefix has uppercase letters/],
    ['a long prefix', (): string => 'https://example.com/a.wav --prefix abcdefghij', /10 characters long; at most 9 are allowed/],
    ['a model without cloning', (): string => 'https://example.com/a.wav --model cosyvoice-v9', /--model cosyvoice-v9 cannot be the target of voice cloning/],
    ['Singapore with a Beijing-only model', (): string => 'https://example.com/a.wav --region intl', /cosyvoice-v3\.5-plus is not offered in region intl/],
  ])('refuses %s (exit 2)', async (_name, make, message) => {
    const e = await start();
    const r = await runCli(['clone', ...make().split(' ')], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(e.emulator.voices.size).toBe(0);
  });

  it('fails with exit 4 when the voice ends UNDEPLOYED', async () => {
    const e = await start();
    writeWav(fx.dir, 'take-cosy-reject-audio.wav', { seconds: 12 });
    const r = await runCli(['clone', 'take-cosy-reject-audio.wav', '--prefix', 'narrator1'], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(4);
    expect(out(r)).toBe('');
    expect(r.stderr).toMatch(/cosy: error: voice cosyvoice-v3\.5-plus-narrator1-[0-9a-f]{32} failed: the service could not build it from the audio \(status UNDEPLOYED\)/);
    expect(r.stderr).toContain('hint: use 10-20 s of clean speech');
    // With --json the id of the voice left on the account is a field, for a script to delete it.
    const j = await runCli(['clone', 'take-cosy-reject-audio.wav', '--prefix', 'narrator1', '--json'], { env: e.env, cwd: fx.dir });
    expect(j.code).toBe(4);
    const doc = JSON.parse(out(j)) as { ok: boolean; error: { voice_id: string } };
    expect(doc.ok).toBe(false);
    expect(doc.error.voice_id).toMatch(/^cosyvoice-v3\.5-plus-narrator1-[0-9a-f]{32}$/);
    expect(e.emulator.voices.get(doc.error.voice_id)).toBeDefined();
  });

  it('reports the service refusing a URL (exit 4, with its code and message)', async () => {
    const e = await start();
    const r = await runCli(['clone', 'oss://dashscope-instant/nowhere/a.wav'], { env: e.env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("InvalidParameter: Invalid parameter 'url': the file oss://dashscope-instant/nowhere/a.wav does not exist or has expired.");
  });

  it('times out (exit 5) when the voice stays DEPLOYING, naming the voice', async () => {
    const e = await start({ voiceReadyMs: 60_000 });
    const started = Date.now();
    const r = await runCli(['clone', 'https://example.com/a.wav', '--timeout', '1'], { env: e.env });
    expect(r.code).toBe(5);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.stderr).toMatch(/cosy: error: voice cosyvoice-v3\.5-plus-cosy-[0-9a-f]{32} is still DEPLOYING after 1 s/);
    expect(r.stderr).toContain('check with `cosy voices show');
    const j = await runCli(['clone', 'https://example.com/a.wav', '--timeout', '1', '--json'], { env: e.env });
    expect(j.code).toBe(5);
    expect(JSON.parse(out(j))).toMatchObject({ ok: false, error: { code: 'TIMEOUT', voice_id: expect.stringMatching(/^cosyvoice-v3\.5-plus-cosy-[0-9a-f]{32}$/) } });
  });

  it('returns at once with --no-wait', async () => {
    const e = await start({ voiceReadyMs: 60_000 });
    const r = await runCli(['clone', 'https://example.com/a.wav', '--no-wait', '--json'], { env: e.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(out(r))).toMatchObject({ ok: true, status: 'DEPLOYING' });
    expect(r.stderr).toMatch(/is DEPLOYING; check it with `cosy voices show cosyvoice-v3\.5-plus-cosy-/);
  });

  it('works with --emulator and no key at all', async () => {
    writeWav(fx.dir, 'sample.wav', { seconds: 12 });
    const r = await runCli(['clone', 'sample.wav', '--emulator'], { env: baseEnv(fx.dir), cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(out(r)).toMatch(/^cosyvoice-v3\.5-plus-cosy-[0-9a-f]{32}\n$/);
  });
});

describe('cosy say with a cloned voice', () => {
  it('checks the model before connecting, then synthesises once the voice is OK', async () => {
    const e = await start();
    writeWav(fx.dir, 'sample.wav', { seconds: 12 });
    const id = out(await runCli(['clone', 'sample.wav', '--prefix', 'narrator1'], { env: e.env, cwd: fx.dir })).trim();

    const mismatch = await runCli(['say', '--voice', id, 'Hello.', '-o', 'x.wav'], { env: e.env, cwd: fx.dir });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain(`voice ${id} is a custom voice created for cosyvoice-v3.5-plus; it works only with --model cosyvoice-v3.5-plus`);
    expect(e.emulator.tasks).toHaveLength(0);

    const r = await runCli(['say', '--model', 'cosyvoice-v3.5-plus', '--voice', id, 'Hello in my own voice.', '-o', 'mine.wav', '--json'], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(out(r))).toMatchObject({ ok: true, model: 'cosyvoice-v3.5-plus', voice: id });
    expect(e.emulator.tasks[0]).toMatchObject({ status: 'finished', model: 'cosyvoice-v3.5-plus' });
  });

  it('names the right model for a system voice of another model', async () => {
    const e = await start();
    const r = await runCli(['say', '--model', 'cosyvoice-v2', '--voice', 'longanyang', 'Hi.', '-o', 'x.wav'], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('voice longanyang belongs to cosyvoice-v3-flash and cosyvoice-v3-plus, not cosyvoice-v2; use --model cosyvoice-v3-flash');
  });

  it('passes a voice the catalogue cannot know with a --verbose note; the service then refuses it', async () => {
    const e = await start();
    const r = await runCli(['say', '--voice', 'someonesvoice', 'Hi.', '-o', 'x.wav', '--verbose'], { env: e.env, cwd: fx.dir });
    expect(r.stderr).toContain("voice someonesvoice is not in cosy's catalogue for cosyvoice-v3-flash; sending it unchecked");
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('[tts:]Engine return error code: 418');
  });

  it('refuses synthesis with a custom voice that is still DEPLOYING (engine error 418)', async () => {
    const e = await start({ voiceReadyMs: 60_000 });
    const id = out(await runCli(['clone', 'https://example.com/a.wav', '--no-wait', '--model', 'cosyvoice-v3-flash'], { env: e.env })).trim();
    const r = await runCli(['say', '--voice', id, 'Hi.', '-o', 'x.wav'], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('[tts:]Engine return error code: 418');
  });
});
