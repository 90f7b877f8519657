/**
 * `cosy stream` end to end: a simulated LLM writes tokens with delays into the built binary, which talks to the
 * emulator; audio must start before the input ends, gaps roll over to new tasks with nothing lost, files have one
 * header, and Ctrl-C, EPIPE, faults and players behave as documented.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBuffer } from 'music-metadata';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/server.js';
import { runCli } from '../helpers/run-cli.js';
import { e2eFixture } from '../helpers/fixture.js';
import { beside, sleep, waitFor } from '../helpers/wait.js';

const fx = e2eFixture();
const start = fx.start;

/**
 * Writes `tokens` to the child's stdin with `gapMs` between them, then closes it. A `number` item is an extra pause;
 * a function item is awaited (a wait for something the CLI or the emulator does).
 */
function llm(child: ChildProcess, tokens: Array<string | number | (() => Promise<void>)>, gapMs: number, onClose?: () => void): Promise<void> {
  return beside(child, async () => {
    for (const t of tokens) {
      if (typeof t === 'number') await sleep(t);
      else if (typeof t === 'function') await t();
      else {
        child.stdin?.write(t);
        await sleep(gapMs);
      }
    }
    onClose?.();
    child.stdin?.end();
  });
}

/** Writes `text`, then sends SIGINT once the emulator has it (by then the command has claimed the interrupt). */
function interruptAfter(child: ChildProcess, emulator: RunningEmulator, text: string): Promise<void> {
  return beside(child, async () => {
    child.stdin?.write(text);
    await waitFor('the first text at the emulator', () => (emulator.tasks[0]?.texts.length ?? 0) > 0, { child });
    child.kill('SIGINT');
  });
}

const STORY = ['Once', ' upon', ' a', ' time', ',', ' there', ' was', ' a', ' fox', '.', ' It', ' liked', ' to', ' run', '.', ' 狐狸', '很快', '。', ' The', ' end', '.'];

function wavDataOk(path: string): Buffer {
  const wav = readFileSync(path);
  expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
  expect(wav.indexOf('RIFF', 4)).toBe(-1);
  expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
  expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
  return wav;
}

describe('cosy stream', () => {
  it('starts audio on stdout before the input has ended, and speaks every token', async () => {
    const { env, emulator } = await start();
    let firstAudioAt = 0;
    let stdinClosedAt = 0;
    let writing = Promise.resolve();
    const r = await runCli(['stream', '--format', 'pcm'], {
      env,
      cwd: fx.dir,
      onSpawn: (child) => {
        child.stdout?.once('data', () => (firstAudioAt = performance.now()));
        // The last sentence waits for the first audio: audio must come while the input is still open, however slow
        // the start-up (a CLI that speaks only at the end of the input never gets there).
        const lastSentence = STORY.length - 3;
        const waitForAudio = (): Promise<void> => waitFor('the first audio on stdout, before the input ends', () => firstAudioAt > 0, { child });
        writing = llm(child, [...STORY.slice(0, lastSentence), waitForAudio, ...STORY.slice(lastSentence)], 60, () => (stdinClosedAt = performance.now()));
      },
    });
    await writing;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(firstAudioAt).toBeGreaterThan(0);
    expect(firstAudioAt).toBeLessThan(stdinClosedAt);
    expect(emulator.tasks).toHaveLength(1);
    expect(emulator.tasks[0]?.texts.join('')).toBe(STORY.join(''));
    expect(emulator.tasks[0]?.texts.length).toBeGreaterThan(1); // sent as it came, not all at the end
    expect(r.stdout.length).toBe(emulator.tasks[0]?.audioBytes);
    expect(emulator.connections()).toBe(1); // the connection opened ahead of the text is the one the task used
  });

  it('a rejected key ends the command at once, without waiting for the input to end', async () => {
    const { env } = await start();
    const r = await runCli(['stream', '-o', 'x.mp3'], {
      env: { ...env, DASHSCOPE_API_KEY: 'sk-wrong-key-for-stream-000' },
      cwd: fx.dir,
      timeoutMs: 10_000,
      onSpawn: (child) => child.stdin?.write('Text arrives but stdin stays open'),
    });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the service rejected the API key');
    expect(readdirSync(fx.dir)).toEqual([]);
  });

  it('rolls over to a new task after an idle gap, losing nothing, into one WAV', async () => {
    const { env, emulator } = await start({ idleTimeoutMs: 1500 });
    let writing = Promise.resolve();
    const r = await runCli(['stream', '-o', 'story.wav', '--idle-timeout', '0.6', '--json'], {
      env,
      cwd: fx.dir,
      onSpawn: (child) => {
        // The rest follows once the CLI has ended the first task for the idle gap (0.6 s of quiet stdin), not after a
        // fixed time from the spawn, which a slow start-up would eat into.
        const firstTaskEnded = (): Promise<void> =>
          waitFor('the first task to end after the idle gap', () => emulator.tasks[0] !== undefined && emulator.tasks[0].status !== 'running', { child });
        writing = llm(child, ['First part', ' of the story.', ' And a tail', firstTaskEnded, ' then more. ', 'Second part', '.'], 30);
      },
    });
    await writing;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(emulator.tasks.map((t) => t.status)).toEqual(['finished', 'finished']);
    expect(emulator.tasks.map((t) => t.texts.join('')).join('')).toBe('First part of the story. And a tail then more. Second part.');
    expect(emulator.tasks[0]?.connectionId).toBe(emulator.tasks[1]?.connectionId);
    const wav = wavDataOk(join(fx.dir, 'story.wav'));
    expect(wav.length - 44).toBe(emulator.tasks.reduce((n, t) => n + t.audioBytes - 44, 0));
    const summary = JSON.parse(r.stdout.toString());
    expect(summary).toMatchObject({ ok: true, tasks: 2, interrupted: false });
    expect(summary.first_audio_ms).toBeGreaterThanOrEqual(0);
  });

  it('drops fenced code with --skip-code and echoes what it sends with --echo', async () => {
    const { env, emulator } = await start();
    const input = 'Here is code:\n```python\nprint("hi")\n```\nThat was it.\n';
    const r = await runCli(['stream', '-o', 'c.mp3', '--skip-code', '--echo'], { env, cwd: fx.dir, stdin: input });
    expect(r.code).toBe(0);
    expect(emulator.tasks[0]?.texts.join('')).toBe('Here is code:\nThat was it.\n');
    expect(r.stderr).toContain('Here is code:\nThat was it.\n');
    expect(r.stderr).not.toContain('print');
  });

  it.each<[string, string | Buffer, string]>([
    ['empty input', '', 'stdin closed without any text'],
    ['whitespace only', '  \n\t ', 'stdin closed without any text'],
    ['SSML', '  <speak>Hi</speak>', 'cosy stream does not take SSML'],
    ['invalid UTF-8', Buffer.from([0x48, 0x69, 0x20, 0xc3, 0x28, 0x41]), 'stdin is not valid UTF-8 text (near byte 3)'],
    ['binary garbage', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]), 'NUL byte'],
  ])('%s is a usage error (exit 2) and leaves no file', async (_name, stdin, message) => {
    const { env } = await start();
    const r = await runCli(['stream', '-o', 'x.mp3'], { env, cwd: fx.dir, stdin });
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(fx.dir)).toEqual([]);
  });

  it('first Ctrl-C stops reading and completes the file; exit 130', async () => {
    const { env, emulator } = await start();
    let steps = Promise.resolve();
    const r = await runCli(['stream', '-o', 'part.wav'], {
      env,
      cwd: fx.dir,
      onSpawn: (child) =>
        (steps = interruptAfter(child, emulator, 'This sentence was read before the interrupt. ')),
    });
    await steps;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted: stopped reading stdin; part.wav holds the complete audio of the text read so far');
    expect(emulator.tasks[0]?.status).toBe('finished');
    expect(emulator.tasks[0]?.texts.join('')).toBe('This sentence was read before the interrupt. ');
    wavDataOk(join(fx.dir, 'part.wav'));
  });

  it('with --json, the first Ctrl-C prints one document (the summary, interrupted) and exits 130', async () => {
    const { env, emulator } = await start();
    let steps = Promise.resolve();
    const r = await runCli(['stream', '-o', 'part.mp3', '--json'], {
      env,
      cwd: fx.dir,
      onSpawn: (child) =>
        (steps = interruptAfter(child, emulator, 'Read before the interrupt. ')),
    });
    await steps;
    expect(r.code).toBe(130);
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ ok: true, file: 'part.mp3', interrupted: true });
  });

  it('refuses subtitles written to the audio file itself', async () => {
    const { env, emulator } = await start();
    const r = await runCli(['stream', '-o', 'same.json', '--format', 'mp3', '--subtitles', 'same.json'], { env, cwd: fx.dir, stdin: 'Hi.' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--subtitles same.json is the audio file too (-o same.json)');
    expect(emulator.connections()).toBe(0);
  });

  it('two signals a moment apart (one keypress seen twice, e.g. via timeout) count as one Ctrl-C', async () => {
    // Slow frames keep the task going for a few hundred ms after the first signal: without them cosy could be done
    // before the second arrives, and the test would pass whatever cosy made of it.
    const { env, emulator } = await start({ faults: { frameDelayMs: 30 } });
    let steps = Promise.resolve();
    let runningAtSecond = false;
    const r = await runCli(['stream', '-o', 'once.wav'], {
      env,
      cwd: fx.dir,
      onSpawn: (child) =>
        (steps = beside(child, async () => {
          child.stdin?.write('Read before the interrupt. ');
          await waitFor('the first text at the emulator', () => (emulator.tasks[0]?.texts.length ?? 0) > 0, { child });
          child.kill('SIGINT');
          await sleep(20);
          runningAtSecond = emulator.tasks[0]?.status === 'running';
          child.kill('SIGINT');
        })),
    });
    await steps;
    expect(runningAtSecond).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).not.toContain('interrupted again');
    expect(emulator.tasks[0]?.status).toBe('finished');
    wavDataOk(join(fx.dir, 'once.wav'));
  });

  it('a second Ctrl-C aborts at once and removes the temporary file', async () => {
    let finishTasks = 0;
    const { env, emulator } = await start({
      faults: { frameDelayMs: 200 },
      onInstruction: (i) => {
        if (i.action === 'finish-task') finishTasks++;
      },
    });
    let steps = Promise.resolve();
    const r = await runCli(['stream', '-o', 'gone.wav'], {
      env,
      cwd: fx.dir,
      onSpawn: (child) =>
        (steps = beside(child, async () => {
          child.stdin?.write('A long sentence that takes a while to synthesise at this slow frame rate. And another one here. ');
          await waitFor('the first text at the emulator', () => (emulator.tasks[0]?.texts.length ?? 0) > 0, { child });
          child.kill('SIGINT');
          // stdin stays open, so a finish-task shows that the first Ctrl-C was taken (reading stopped); the second
          // comes well past the 200 ms in which a repeat counts as the same interrupt, while the audio still runs.
          await waitFor('the finish-task the first Ctrl-C causes', () => finishTasks > 0, { child });
          await sleep(300);
          child.kill('SIGINT');
        })),
    });
    await steps;
    expect(r.stderr).toContain('cosy: interrupted again; exiting now');
    expect(r.code).toBe(130);
    expect(readdirSync(fx.dir)).toEqual([]);
  });

  it('treats a reader that closes stdout (EPIPE) as a normal end', async () => {
    const { env } = await start({ faults: { frameDelayMs: 5 } });
    const r = await runCli(['stream', '--format', 'pcm'], {
      env,
      cwd: fx.dir,
      onSpawn: (child) => {
        child.stdout?.once('data', () => child.stdout?.destroy());
        llm(child, Array.from({ length: 40 }, () => 'More words to say. '), 10);
      },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.each<[string, EmulatorOptions, string[], number, RegExp]>([
    ['task-failed mid-audio', { faults: { failAfterFrames: 2 } }, ['--retries', '0'], 4, /InternalError/],
    ['a dropped connection', { faults: { dropAfterFrames: 1 } }, ['--retries', '0'], 5, /connection closed before the task finished/],
    ['a malformed frame', { faults: { malformedFrameAfter: 1 } }, [], 4, /malformed frame/],
    ['throttling', { faults: { maxTasksPerSecond: 0 } }, ['--retries', '0'], 4, /Throttling.RateQuota/],
  ])('%s: documented exit code, no file', async (_name, options, args, code, message) => {
    const { env } = await start(options);
    const r = await runCli(['stream', '-o', 'f.wav', ...args], { env, cwd: fx.dir, stdin: 'Some text to speak. And more of it here. ' });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(readdirSync(fx.dir)).toEqual([]);
  });

  it('retries a failed task by replaying the text it had sent, and completes the file', async () => {
    const { env, emulator } = await start({ faults: { dropAfterFrames: 1, times: 1 } });
    const r = await runCli(['stream', '-o', 'r.wav'], {
      env,
      cwd: fx.dir,
      onSpawn: (child) => llm(child, ['Sentence one is here. ', 'Sentence two follows. ', 'And three.'], 50),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/retry 1 of 2/);
    const last = emulator.tasks.at(-1);
    expect(last?.status).toBe('finished');
    expect(last?.texts.join('')).toBe('Sentence one is here. Sentence two follows. And three.');
    const wav = wavDataOk(join(fx.dir, 'r.wav'));
    expect(wav.length).toBe(last?.audioBytes);
  });
});

describe('--play', () => {
  /** A fake player on PATH named `name` that copies its stdin to $PLAYER_OUT (or exits early with $PLAYER_EXIT). */
  function installPlayer(name: string): string {
    const bin = join(fx.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const path = join(bin, name);
    writeFileSync(path, '#!/bin/sh\nif [ -n "$PLAYER_EXIT" ]; then head -c 10 > /dev/null; exit 0; fi\ncat > "$PLAYER_OUT"\n');
    chmodSync(path, 0o755);
    return bin;
  }

  it('stream --play feeds a player found on PATH with the same audio a file would get', async () => {
    const { env } = await start();
    const bin = installPlayer('mpv');
    const out = join(fx.dir, 'played.mp3');
    const r = await runCli(['stream', '--play'], { env: { ...env, PATH: `${bin}:${env['PATH']}`, PLAYER_OUT: out }, cwd: fx.dir, stdin: 'Play me now. ' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const file = await runCli(['say', 'Play me now. ', '-o', 'ref.mp3'], { env, cwd: fx.dir });
    expect(file.code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(join(fx.dir, 'ref.mp3')))).toBe(true);
    const meta = await parseBuffer(readFileSync(out), { mimeType: 'audio/mpeg' });
    expect(meta.format.container).toContain('MPEG');
  });

  it('say --player CMD uses the given command, without a shell', async () => {
    const { env } = await start();
    const bin = installPlayer('custom-player');
    const out = join(fx.dir, 'p.wav');
    const r = await runCli(['say', 'Hello player.', '--player', join(bin, 'custom-player'), '--format', 'wav'], {
      env: { ...env, PLAYER_OUT: out },
      cwd: fx.dir,
    });
    expect(r.code).toBe(0);
    expect(readFileSync(out).toString('ascii', 0, 4)).toBe('RIFF');
  });

  it('a player the user closes early is a normal end', async () => {
    const { env } = await start({ faults: { frameDelayMs: 20 } });
    const bin = installPlayer('mpv');
    const r = await runCli(['stream', '--play'], {
      env: { ...env, PATH: `${bin}:${env['PATH']}`, PLAYER_EXIT: '1' },
      cwd: fx.dir,
      stdin: 'A sentence. '.repeat(30),
    });
    expect(r.code).toBe(0);
  });

  it('say --play -o FILE plays and keeps: the player and the file get the same audio', async () => {
    const { env } = await start();
    const bin = installPlayer('mpv');
    const out = join(fx.dir, 'played.mp3');
    const r = await runCli(['say', 'Play and keep.', '--play', '-o', 'kept.mp3'], { env: { ...env, PATH: `${bin}:${env['PATH']}`, PLAYER_OUT: out }, cwd: fx.dir });
    expect(r.stderr).toMatch(/^wrote kept.mp3/);
    expect(r.code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(join(fx.dir, 'kept.mp3')))).toBe(true);
  });

  it('stream --play -o FILE keeps writing the file after the user closes the player', async () => {
    const { env } = await start({ faults: { frameDelayMs: 5 } });
    const bin = installPlayer('mpv');
    const text = 'A sentence. '.repeat(20);
    const r = await runCli(['stream', '--play', '-o', 'kept.wav'], { env: { ...env, PATH: `${bin}:${env['PATH']}`, PLAYER_EXIT: '1' }, cwd: fx.dir, stdin: text });
    expect(r.code).toBe(0);
    const reference = await runCli(['say', text, '-o', 'ref.wav'], { env, cwd: fx.dir });
    expect(reference.code).toBe(0);
    expect(readFileSync(join(fx.dir, 'kept.wav')).length).toBe(readFileSync(join(fx.dir, 'ref.wav')).length);
  });

  it('a player that fails is an error (exit 2) naming its exit code; one closed early with --json prints one document', async () => {
    const { env } = await start({ faults: { frameDelayMs: 5 } });
    const failed = await runCli(['say', 'Nobody hears this.', '--player', "sh -c 'echo no device >&2; exit 3'", '--json'], { env, cwd: fx.dir });
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.stdout.toString())).toMatchObject({ ok: false, error: { code: 'PLAYER', message: 'the player exited with code 3 before the audio ended: no device' } });
    const bin = installPlayer('mpv');
    const closed = await runCli(['stream', '--play', '--json'], {
      env: { ...env, PATH: `${bin}:${env['PATH']}`, PLAYER_EXIT: '1' },
      cwd: fx.dir,
      stdin: 'A sentence. '.repeat(30),
    });
    expect(closed.code).toBe(0);
    expect(closed.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([{ ok: true, player_closed_early: true }]);
  });

  /**
   * A fake afplay (it cannot read a pipe: it gets a file path) that copies the file it is given to $PLAYER_OUT and
   * writes the path it was given to $PLAYER_OUT.path, or fails with $PLAYER_FAIL.
   */
  function installFilePlayer(): string {
    const bin = join(fx.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const path = join(bin, 'afplay');
    writeFileSync(path, '#!/bin/sh\nif [ -n "$PLAYER_FAIL" ]; then echo "cannot open $1" >&2; exit 3; fi\ncp "$1" "$PLAYER_OUT" && printf %s "$1" > "$PLAYER_OUT.path"\n');
    chmodSync(path, 0o755);
    return bin;
  }

  it('say --play with only afplay: the complete audio as a file, removed after playing', async () => {
    const { env } = await start();
    const bin = installFilePlayer();
    const out = join(fx.dir, 'played.wav');
    const r = await runCli(['say', 'Play me from a file.', '--play', '--format', 'wav'], { env: { ...env, PATH: `${bin}:/usr/bin:/bin`, PLAYER_OUT: out }, cwd: fx.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ref = await runCli(['say', 'Play me from a file.', '-o', 'ref.wav'], { env, cwd: fx.dir });
    expect(ref.code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(join(fx.dir, 'ref.wav')))).toBe(true);
    const played = readFileSync(`${out}.path`, 'utf8');
    expect(played).toMatch(/cosy-play-[0-9a-f]{12}\.wav$/);
    expect(existsSync(played)).toBe(false);
  });

  it('stream --play with a file player warns that it plays at the end, and plays everything', async () => {
    const { env } = await start();
    const bin = installFilePlayer();
    const out = join(fx.dir, 'played.mp3');
    const r = await runCli(['stream', '--play'], { env: { ...env, PATH: `${bin}:/usr/bin:/bin`, PLAYER_OUT: out }, cwd: fx.dir, stdin: 'First part. Second part.' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: afplay plays a file, not a stream: the audio plays once the input has ended');
    const ref = await runCli(['say', 'First part. Second part.', '-o', 'ref.mp3'], { env, cwd: fx.dir });
    expect(readFileSync(out).equals(readFileSync(join(fx.dir, 'ref.mp3')))).toBe(true);
  });

  it('--player "CMD {file}" plays a file; a file player that fails without -o is exit 2, with -o a warning', async () => {
    const { env } = await start();
    const playFiles = (): string[] => readdirSync(tmpdir()).filter((f) => f.includes('cosy-play-'));
    const before = playFiles();
    const copy = join(fx.dir, 'copy.mp3');
    const r = await runCli(['say', 'Copied by cp.', '--player', `cp {file} ${copy}`], { env, cwd: fx.dir });
    expect(r.code).toBe(0);
    const ref = await runCli(['say', 'Copied by cp.', '-o', 'ref.mp3'], { env, cwd: fx.dir });
    expect(readFileSync(copy).equals(readFileSync(join(fx.dir, 'ref.mp3')))).toBe(true);
    const bin = installFilePlayer();
    const failEnv = { ...env, PATH: `${bin}:/usr/bin:/bin`, PLAYER_FAIL: '1' };
    const failed = await runCli(['say', 'Nobody hears this.', '--play'], { env: failEnv, cwd: fx.dir });
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('cosy: error: the player exited with code 3: cannot open');
    const kept = await runCli(['say', 'Nobody hears this.', '--play', '-o', 'kept.mp3'], { env: failEnv, cwd: fx.dir });
    expect(kept.code).toBe(0);
    expect(kept.stderr).toContain('warning: the player exited with code 3');
    expect(existsSync(join(fx.dir, 'kept.mp3'))).toBe(true);
    expect(playFiles()).toEqual(before);
  });

  it('refuses --play with -o - (stdout)', async () => {
    const { env, emulator } = await start();
    const bin = installPlayer('mpv');
    const r = await runCli(['say', 'Hi.', '--play', '-o', '-'], { env: { ...env, PATH: `${bin}:${env['PATH']}` }, cwd: fx.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--play and -o - (stdout) cannot go together');
    expect(emulator.connections()).toBe(0);
  });

  it('a missing player is an error before anything is sent', async () => {
    const { env, emulator } = await start();
    const r = await runCli(['stream', '--play'], { env: { ...env, PATH: join(fx.dir, 'empty') }, cwd: fx.dir, stdin: 'Hi.' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no audio player for mp3 found on PATH (tried ffplay, mpv, afplay)');
    expect(emulator.connections()).toBe(0);
    expect(existsSync(join(fx.dir, 'empty'))).toBe(false);
  });
});
