/**
 * `cosy design` end to end against the emulator: the voice id on stdout, the preview saved atomically in the asked
 * format, --json, --play through a player command, and every check on the description and options.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import { baseEnv, runCli } from '../helpers/run-cli.js';
import { e2eFixture } from '../helpers/fixture.js';

const fx = e2eFixture({ voiceReadyMs: 50 });

const start = fx.start;

const out = (r: { stdout: Buffer }): string => r.stdout.toString('utf8');
const ANCHOR = 'Calm middle-aged male news anchor, low warm timbre, steady pace.';

describe('cosy design', () => {
  it('prints the voice id and saves the preview as <voice id>.wav', async () => {
    const e = await start();
    const r = await runCli(['design', ANCHOR, '--prefix', 'anchor'], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(out(r)).toMatch(/^cosyvoice-v3\.5-plus-vd-anchor-[0-9a-f]{32}\n$/);
    const id = out(r).trim();
    expect(r.stderr).toBe(`created ${id} for cosyvoice-v3.5-plus; preview saved to ${id}.wav\n`);
    const meta = await parseFile(join(fx.dir, `${id}.wav`), { duration: true });
    expect(meta.format).toMatchObject({ container: 'WAVE', sampleRate: 24000, numberOfChannels: 1 });
    expect(meta.format.duration).toBeGreaterThan(2);
    expect(readdirSync(fx.dir)).toEqual([`${id}.wav`]);
    expect(e.emulator.voices.get(id)).toMatchObject({ status: 'OK', targetModel: 'cosyvoice-v3.5-plus' });
  });

  it('writes -o in its format and reports everything with --json', async () => {
    const e = await start();
    const r = await runCli(
      ['design', '温柔的年轻女声，语速适中', '-o', 'preview.mp3', '--sample-rate', '16000', '--model', 'cosyvoice-v3-flash', '--json'],
      { env: e.env, cwd: fx.dir },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(out(r));
    expect(doc).toEqual({
      ok: true,
      voice_id: expect.stringMatching(/^cosyvoice-v3-flash-vd-cosy-[0-9a-f]{32}$/),
      target_model: 'cosyvoice-v3-flash',
      status: 'OK',
      file: 'preview.mp3',
      format: 'mp3',
      sample_rate: 16000,
      bytes: readFileSync(join(fx.dir, 'preview.mp3')).length,
      voice_prompt: '温柔的年轻女声，语速适中',
      preview_text: '你好！这是你设计的声音的试听，听起来怎么样？',
    });
    expect((await parseFile(join(fx.dir, 'preview.mp3'))).format).toMatchObject({ container: 'MPEG', sampleRate: 16000 });
  });

  it('takes --preview-text, --language and --format opus', async () => {
    const e = await start();
    const r = await runCli(
      ['design', 'A cheerful young storyteller', '--preview-text', 'Once upon a time, there was a tiny dragon.', '--language', 'en', '--format', 'opus', '--sample-rate', '48000', '-o', 'tale.ogg'],
      { env: e.env, cwd: fx.dir },
    );
    expect(r.code).toBe(0);
    expect((await parseFile(join(fx.dir, 'tale.ogg'))).format).toMatchObject({ container: 'Ogg', codec: 'Opus' });
    const show = JSON.parse(out(await runCli(['voices', 'show', out(r).trim(), '--json'], { env: e.env })));
    expect(show.voice).toMatchObject({ kind: 'design', voice_prompt: 'A cheerful young storyteller', preview_text: 'Once upon a time, there was a tiny dragon.' });
  });

  it('plays the preview through --player and still saves it', async () => {
    const e = await start();
    const r = await runCli(['design', ANCHOR, '--play', '--player', "sh -c 'cat > played.wav'", '-o', 'saved.wav'], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(fx.dir, 'played.wav'))).toEqual(readFileSync(join(fx.dir, 'saved.wav')));
  });

  it('refuses --play without any player before creating anything (exit 2)', async () => {
    const e = await start();
    const empty = join(fx.dir, 'empty-path');
    mkdirSync(empty);
    const r = await runCli(['design', ANCHOR, '--play'], { env: { ...e.env, PATH: empty }, cwd: fx.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no audio player for wav found on PATH');
    expect(e.emulator.voices.size).toBe(0);
  });

  it.each([
    [['x'.repeat(501)], /the description is 501 characters long; the limit is 500/],
    [['やさしい女性の声'], /the description must be in Chinese or English/],
    [[ANCHOR, '--preview-text', 'y'.repeat(201)], /--preview-text is 201 characters long; the limit is 200/],
    [[ANCHOR, '--preview-text', '你好', '--language', 'en'], /--language en does not match the preview text/],
    [[ANCHOR, '--prefix', 'News_Anchor'], /--prefix "News_Anchor"/],
    [[ANCHOR, '--model', 'cosyvoice-v2'], /--model cosyvoice-v2 cannot be the target of voice design/],
    [[ANCHOR, '-o', 'p.mp3', '--format', 'wav'], /-o p\.mp3 says mp3 but --format says wav/],
    [[ANCHOR, '--format', 'opus', '--sample-rate', '22050'], /--sample-rate 22050 is not available for opus/],
    [[ANCHOR, '-o', '-'], /stdout carries the voice id/],
  ])('refuses %j before sending anything (exit 2)', async (args, message) => {
    const e = await start();
    const r = await runCli(['design', ...args], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(out(r)).toBe('');
    expect(e.emulator.voices.size).toBe(0);
  });

  it('refuses a preview path it cannot write before creating the voice', async () => {
    const e = await start();
    const r = await runCli(['design', ANCHOR, '-o', 'no/such/folder/p.wav'], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot write no/such/folder/p.wav: the folder does not exist');
    expect(existsSync(join(fx.dir, 'no'))).toBe(false);
    expect(e.emulator.voices.size).toBe(0);
  });

  it('leaves no partial file when the service refuses the design', async () => {
    const e = await start();
    const r = await runCli(['design', ANCHOR, '-o', 'p.wav', '--preview-text', '  '], { env: e.env, cwd: fx.dir });
    expect(r.code).toBe(2);
    const refused = await runCli(['design', ANCHOR, '-o', 'p.wav'], { env: { ...e.env, DASHSCOPE_API_KEY: 'sk-not-accepted' }, cwd: fx.dir });
    expect(refused.code).toBe(3);
    expect(readdirSync(fx.dir)).toEqual([]);
  });

  it('works with --emulator and no key', async () => {
    const r = await runCli(['design', ANCHOR, '--emulator', '-o', 'p.wav'], { env: baseEnv(fx.dir), cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(out(r)).toMatch(/^cosyvoice-v3\.5-plus-vd-cosy-[0-9a-f]{32}\n$/);
    expect(existsSync(join(fx.dir, 'p.wav'))).toBe(true);
  });
});
