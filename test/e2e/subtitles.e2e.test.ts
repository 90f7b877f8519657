/**
 * --subtitles end to end: say and stream against the emulator's word timestamps, with a task rollover, the
 * sentence fallback, validity of the WebVTT written, and cue times within the audio actually received.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkVtt, parseVttTimestamp } from '../../src/subtitles/vtt-check.js';
import { runCli } from '../helpers/run-cli.js';
import { e2eFixture } from '../helpers/fixture.js';
import { beside, waitFor } from '../helpers/wait.js';

const fx = e2eFixture();
const start = fx.start;

/** Cue end times of a VTT file, in ms. */
function vttEnds(vtt: string): number[] {
  return [...vtt.matchAll(/--> (\S+)/g)].map((m) => parseVttTimestamp(m[1] ?? '') ?? NaN);
}

/** Duration of a 16-bit mono WAV from its byte count. */
function wavMs(path: string, rate: number): number {
  return ((readFileSync(path).length - 44) / 2 / rate) * 1000;
}

const TEXT = 'Hello there, this is a subtitle test. 今天天气很好。 A third sentence that is longer than forty-two characters in all.';

describe('cosy say --subtitles', () => {
  it('writes valid WebVTT with the user text, cues within the audio', async () => {
    const { env, emulator } = await start();
    const r = await runCli(['say', TEXT, '-o', 'a.wav', '--subtitles', 'a.vtt'], { env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(emulator.tasks[0]?.parameters['word_timestamp_enabled']).toBe(true);
    const vtt = readFileSync(join(fx.dir, 'a.vtt'), 'utf8');
    expect(checkVtt(vtt)).toEqual([]);
    expect(vtt).toContain('Hello there, this is a subtitle test.');
    expect(vtt).toContain('今天天气很好。');
    const ends = vttEnds(vtt);
    expect(ends.length).toBeGreaterThanOrEqual(4); // the long sentence is split
    expect(Math.max(...ends)).toBeLessThanOrEqual(wavMs(join(fx.dir, 'a.wav'), 22050));
    expect([...ends].sort((a, b) => a - b)).toEqual(ends);
  });

  it.each([
    ['a.srt', /^1\n00:00:00,000 --> 00:00:0\d,\d{3}\nHello there, this is a subtitle test\.\n/],
    ['a.lrc', /^\[00:00\.00\]Hello there, this is a subtitle test\.\n/],
  ])('writes %s', async (name, pattern) => {
    const { env } = await start();
    const r = await runCli(['say', TEXT, '-o', 'a.mp3', '--subtitles', name], { env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(fx.dir, name), 'utf8')).toMatch(pattern);
  });

  it('includes sentences and words in the --json summary and the .json file', async () => {
    const { env } = await start();
    const r = await runCli(['say', 'Two words. Then three more.', '-o', 'a.opus', '--subtitles', 'a.json', '--json'], { env, cwd: fx.dir });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.toString());
    expect(summary.subtitles).toBe('a.json');
    expect(summary.sentences.map((s: { text: string }) => s.text)).toEqual(['Two words.', 'Then three more.']);
    expect(summary.sentences[1].words.map((w: { text: string }) => w.text)).toEqual(['Then', 'three', 'more']);
    const file = JSON.parse(readFileSync(join(fx.dir, 'a.json'), 'utf8'));
    expect(file.sentences).toEqual(summary.sentences);
    expect(file.duration_ms).toBeGreaterThanOrEqual(file.sentences[1].end_ms);
  });

  it('refuses a voice without timestamps unless --subtitles-fallback sentence, and then times cues from the audio', async () => {
    const { env, emulator } = await start();
    const refused = await runCli(['say', 'こんにちは。元気ですか。', '--voice', 'loongriko_v3', '-o', 'j.wav', '--subtitles', 'j.vtt'], { env, cwd: fx.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('voice loongriko_v3 has no word timestamps');
    expect(refused.stderr).toContain('--subtitles-fallback sentence');
    expect(emulator.connections()).toBe(0);
    const ok = await runCli(['say', 'こんにちは。元気ですか。', '--voice', 'loongriko_v3', '-o', 'j.wav', '--subtitles', 'j.vtt', '--subtitles-fallback', 'sentence'], { env, cwd: fx.dir });
    expect(ok.stderr).toMatch(/^wrote j\.wav/);
    expect(ok.code).toBe(0);
    expect(emulator.tasks[0]?.parameters['word_timestamp_enabled']).toBeUndefined();
    const vtt = readFileSync(join(fx.dir, 'j.vtt'), 'utf8');
    expect(checkVtt(vtt)).toEqual([]);
    const ends = vttEnds(vtt);
    expect(ends).toHaveLength(2);
    expect(ends[1]).toBeCloseTo(wavMs(join(fx.dir, 'j.wav'), 22050), -1);
  });

  it('rejects bad subtitle options before connecting', async () => {
    const { env, emulator } = await start();
    for (const [args, message] of [
      [['--subtitles', 'x.txt'], '.srt, .vtt, .lrc or .json'],
      [['--subtitles', 'x.srt', '--karaoke'], 'karaoke'],
      [['--karaoke'], 'subtitle options need --subtitles FILE'],
    ] as const) {
      const r = await runCli(['say', 'Hi.', '-o', 'x.mp3', ...args], { env, cwd: fx.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(emulator.connections()).toBe(0);
  });

  it('writes no subtitle file when the audio failed', async () => {
    const { env } = await start({ faults: { failAfterFrames: 1 } });
    const r = await runCli(['say', TEXT, '-o', 'f.wav', '--subtitles', 'f.vtt', '--retries', '0'], { env, cwd: fx.dir });
    expect(r.code).toBe(4);
    expect(readdirSync(fx.dir)).toEqual([]);
  });
});

describe('cosy stream --subtitles', () => {
  it('continues times across a task rollover (the second task starts after the first task\'s audio)', async () => {
    const { env, emulator } = await start({ idleTimeoutMs: 1500 });
    let writing = Promise.resolve();
    const r = await runCli(['stream', '-o', 's.wav', '--subtitles', 's.vtt', '--idle-timeout', '0.5'], {
      env,
      cwd: fx.dir,
      // The second part waits until the CLI has ended the first task for the idle gap (0.5 s of quiet stdin), not
      // for a fixed time from the spawn, which a slow start-up would eat into.
      onSpawn: (child) =>
        (writing = beside(child, async () => {
          child.stdin?.write('First task speaks first. ');
          await waitFor('the first task to end after the idle gap', () => emulator.tasks[0] !== undefined && emulator.tasks[0].status !== 'running', { child });
          child.stdin?.end('Second task follows later. ');
        })),
    });
    await writing;
    expect(r.code).toBe(0);
    expect(emulator.tasks).toHaveLength(2);
    const vtt = readFileSync(join(fx.dir, 's.vtt'), 'utf8');
    expect(checkVtt(vtt)).toEqual([]);
    const starts = [...vtt.matchAll(/^(\S+) -->/gm)].map((m) => parseVttTimestamp(m[1] ?? '') ?? NaN);
    const firstTaskMs = ((emulator.tasks[0]?.audioBytes ?? 0) - 44) / 2 / 22050 * 1000;
    expect(vtt).toContain('First task speaks first.');
    expect(vtt).toContain('Second task follows later.');
    expect(starts.at(-1)).toBeGreaterThanOrEqual(Math.floor(firstTaskMs));
    expect(Math.max(...vttEnds(vtt))).toBeLessThanOrEqual(wavMs(join(fx.dir, 's.wav'), 22050));
    expect(existsSync(join(fx.dir, 's.wav'))).toBe(true);
  });
});
