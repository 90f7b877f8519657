/**
 * `cosy say` end to end: the built binary against the emulator, asserting stdout bytes, stderr text, exit codes,
 * what reached the service, and that no partial file is ever left under the requested name.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBuffer } from 'music-metadata';
import { countCharacters } from '../../src/protocol/counting.js';
import type { EmulatorOptions } from '../../src/emulator/server.js';
import { baseEnv, runCli } from '../helpers/run-cli.js';
import { e2eFixture } from '../helpers/fixture.js';
import { TEST_KEY } from '../helpers/emulator.js';

const fx = e2eFixture();
const start = fx.start;

/** Files in the temp dir other than inputs: proves nothing partial was left behind. */
function outputs(): string[] {
  return readdirSync(fx.dir).filter((f) => !f.endsWith('.txt') && !f.endsWith('.json') && f !== '.env');
}

const TEXT = 'How is the weather today? It is sunny. 今天天气很好。';

describe('cosy say: formats', () => {
  it.each([
    ['out.mp3', 'MPEG', 'mp3'],
    ['out.wav', 'WAVE', 'wav'],
    ['out.opus', 'Ogg', 'opus'],
    ['out.ogg', 'Ogg', 'opus'],
  ])('writes a valid %s', async (name, container, format) => {
    const { env, emulator } = await start();
    const r = await runCli(['say', TEXT, '-o', name], { env, cwd: fx.dir });
    expect(r.stderr).toBe(`wrote ${name} (${r.stderr.match(/\((.*)\)/)?.[1]})\n`);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(0);
    const bytes = readFileSync(join(fx.dir, name));
    const meta = await parseBuffer(bytes, { mimeType: format === 'mp3' ? 'audio/mpeg' : format === 'wav' ? 'audio/wav' : 'audio/ogg' }, { duration: true });
    expect(meta.format.container).toContain(container);
    expect(meta.format.duration).toBeGreaterThan(1);
    expect(emulator.tasks).toHaveLength(1);
    expect(emulator.tasks[0]?.texts.join('')).toBe(TEXT);
    expect(emulator.tasks[0]?.parameters).toMatchObject({ format, text_type: 'PlainText', voice: 'longanyang' });
    expect(outputs()).toEqual([name]);
  });

  it('writes raw pcm whose length matches the reported duration', async () => {
    const { env } = await start();
    const r = await runCli(['say', 'Hello there.', '-o', 'out.pcm', '--sample-rate', '16000', '--json'], { env, cwd: fx.dir });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.toString('utf8'));
    const size = readFileSync(join(fx.dir, 'out.pcm')).length;
    expect(summary).toMatchObject({ ok: true, format: 'pcm', sample_rate: 16000, bytes: size, characters: countCharacters('Hello there.') });
    expect(summary.duration_ms).toBe(Math.round((size / 2 / 16000) * 1000));
  });

  it('fixes the WAV size fields the service streams as placeholders', async () => {
    const { env } = await start();
    const r = await runCli(['say', TEXT, '-o', 'out.wav'], { env, cwd: fx.dir });
    expect(r.code).toBe(0);
    const wav = readFileSync(join(fx.dir, 'out.wav'));
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString('ascii', 36, 40)).toBe('data');
    expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
  });
});

describe('cosy say: parameters reach the service', () => {
  it('sends every synthesis parameter with its wire name', async () => {
    const { env, emulator } = await start();
    writeFileSync(join(fx.dir, 'pron.json'), JSON.stringify({ pronunciation: [{ 行长: 'hang2 zhang3' }], replace: [{ AI: '人工智能' }] }));
    const r = await runCli(
      [
        'say', '你说话的情感是happy。', '-o', 'x.opus', '--volume', '80', '--rate', '1.5', '--pitch', '0.8', '--bit-rate', '64',
        '--sample-rate', '48000', '--seed', '7', '--language', 'zh', '--instruction', '你说话的情感是happy。', '--markdown-filter',
        '--pronounce', 'pron.json', '--aigc-tag', '--aigc-propagator', 'me', '--aigc-propagate-id', 'r1', '--workspace', 'ws-123',
      ],
      { env, cwd: fx.dir },
    );
    expect(r.stderr).toMatch(/^wrote x.opus/);
    expect(r.code).toBe(0);
    const task = emulator.tasks[0];
    expect(task?.model).toBe('cosyvoice-v3-flash');
    expect(task?.parameters).toEqual({
      text_type: 'PlainText', voice: 'longanyang', format: 'opus', sample_rate: 48000, volume: 80, rate: 1.5, pitch: 0.8,
      bit_rate: 64, seed: 7, language_hints: ['zh'], instruction: '你说话的情感是happy。', enable_markdown_filter: true,
      hot_fix: { pronunciation: [{ 行长: 'hang2 zhang3' }], replace: [{ AI: '人工智能' }] },
      enable_aigc_tag: true, aigc_propagator: 'me', aigc_propagate_id: 'r1',
    });
    expect(task?.headers.authorizationScheme).toBe('Bearer');
    expect(task?.headers.workspace).toBe('ws-123');
    expect(task?.headers.userAgent).toMatch(/^cosy\/\d+\.\d+\.\d+; node\/\d+\.\d+\.\d+; platform\/\S+; processor\/\S+$/);
  });

  it('writes into a named pipe directly (it stays a pipe), through a symbolic link (it stays a link), and refuses a folder before sending', async () => {
    const { env, emulator } = await start();
    const fifo = join(fx.dir, 'pipe.mp3');
    execFileSync('mkfifo', [fifo]);
    const reader = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      createReadStream(fifo).on('data', (c) => chunks.push(Buffer.from(c))).on('end', () => resolve(Buffer.concat(chunks)));
    });
    const piped = await runCli(['say', 'Into a pipe.', '-o', 'pipe.mp3'], { env, cwd: fx.dir });
    expect(piped.code).toBe(0);
    expect((await reader).length).toBe(emulator.tasks[0]?.audioBytes);
    expect(lstatSync(fifo).isFIFO()).toBe(true);

    writeFileSync(join(fx.dir, 'real.mp3'), 'old');
    symlinkSync('real.mp3', join(fx.dir, 'link.mp3'));
    const linked = await runCli(['say', 'Through a link.', '-o', 'link.mp3'], { env, cwd: fx.dir });
    expect(linked.code).toBe(0);
    expect(lstatSync(join(fx.dir, 'link.mp3')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(fx.dir, 'real.mp3')).length).toBe(emulator.tasks[1]?.audioBytes);

    mkdirSync(join(fx.dir, 'folder.mp3'));
    const folder = await runCli(['say', 'Into a folder.', '-o', 'folder.mp3'], { env, cwd: fx.dir });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('cannot write folder.mp3: it is a folder');
    expect(emulator.tasks).toHaveLength(2);
  });

  it('warns that SSML markup in plain text would be read aloud (as cosy lint does), unless --no-ssml', async () => {
    const { env } = await start();
    writeFileSync(join(fx.dir, 'tags.txt'), 'Hello <break time="1s"/> there.');
    const warned = await runCli(['say', '-f', 'tags.txt', '-o', 'a.mp3'], { env, cwd: fx.dir });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('warning: tags.txt: this looks like SSML, but the text does not start with <speak>');
    const quiet = await runCli(['say', '-f', 'tags.txt', '-o', 'b.mp3', '--no-ssml'], { env, cwd: fx.dir });
    expect(quiet.stderr).toMatch(/^wrote b.mp3/);
  });

  it('takes -t/--text for the text, -v for the voice, and rate and pitch as changes in percent (edge-tts style)', async () => {
    const { env, emulator } = await start();
    const r = await runCli(['say', '-t', 'Hello there.', '-v', 'longanhuan', '--rate', '-10%', '--pitch', '+25%', '-o', 'x.mp3'], { env, cwd: fx.dir });
    expect(r.stderr).toMatch(/^wrote x.mp3/);
    expect(r.code).toBe(0);
    expect(emulator.tasks[0]?.parameters).toMatchObject({ voice: 'longanhuan', rate: 0.9, pitch: 1.25 });
    expect(emulator.tasks[0]?.texts.join('')).toBe('Hello there.');
  });

  it.each([
    [['--volume', '101'], '--volume 101 is out of range: expected an integer from 0 to 100'],
    [['--rate', 'fast'], "option '--rate <rate>' argument 'fast' is invalid. \"fast\" is neither a multiplier (0.5 to 2, e.g. 1.1) nor a signed change in percent (e.g. -10%, +25%)."],
    [['--volume', '0x10'], "option '--volume <0-100>' argument '0x10' is invalid. \"0x10\" is not a number."],
    [['--rate', '+150%'], '--rate 2.5 is out of range'],
    [['-t', 'Hello', 'extra'], 'give the text either as an argument or with -t/--text, not both'],
    [['--model', 'cosyvoice-v1', '--voice', 'longxiaochun', '--seed', '1'], '--seed is not supported by cosyvoice-v1'],
    [['--voice', 'longxiaochun_v2'], 'voice longxiaochun_v2 belongs to cosyvoice-v2, not cosyvoice-v3-flash; use --model cosyvoice-v2'],
    [['--format', 'flac'], "argument 'flac' is invalid"],
  ])('refuses %j before connecting (exit 2)', async (args, message) => {
    const { env, emulator } = await start();
    const r = await runCli(['say', 'Hi.', '-o', 'x.mp3', ...args], { env, cwd: fx.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(emulator.connections()).toBe(0);
    expect(outputs()).toEqual([]);
  });
});

describe('cosy say: input', () => {
  it('reads stdin, -f FILE and -f -', async () => {
    const { env, emulator } = await start();
    writeFileSync(join(fx.dir, 'in.txt'), '\uFEFFFrom a file.\n');
    expect((await runCli(['say', '-o', 'a.mp3'], { env, cwd: fx.dir, stdin: 'From stdin.' })).code).toBe(0);
    expect((await runCli(['say', '-f', 'in.txt', '-o', 'b.mp3'], { env, cwd: fx.dir })).code).toBe(0);
    expect((await runCli(['say', '-f', '-', '-o', 'c.mp3'], { env, cwd: fx.dir, stdin: 'Dash.' })).code).toBe(0);
    expect(emulator.tasks.map((t) => t.texts.join(''))).toEqual(['From stdin.', 'From a file.\n', 'Dash.']);
  });

  it.each<[string[], string | Buffer | undefined, string]>([
    [['say', '   ', '-o', 'x.mp3'], undefined, 'the text argument is empty or only whitespace'],
    [['say', '-o', 'x.mp3'], '', 'stdin is empty or only whitespace'],
    [['say', '-f', 'missing.txt', '-o', 'x.mp3'], undefined, 'cannot read missing.txt: no such file'],
    [['say', '-o', 'x.mp3'], Buffer.from([0x48, 0x69, 0xff, 0xfe]), 'stdin is not valid UTF-8 text (at byte 2)'],
    [['say', '-o', 'x.mp3'], Buffer.from('ab\u0000cd'), 'contains a NUL character'],
    [['say', 'hi', '-f', 'in.txt', '-o', 'x.mp3'], undefined, 'either as an argument or with -f FILE, not both'],
    [['say', 'hi', '-o', 'x.flac'], undefined, 'cannot tell the audio format from "x.flac"'],
    [['say', 'hi', '-o', 'x.mp3', '--format', 'wav'], undefined, '-o x.mp3 says mp3 but --format says wav'],
    [['say', 'hi', '--json'], undefined, '--json needs -o FILE'],
    [['say', 'hi', '-m', 'cosyvoice-v3-flsh', '-o', 'x.mp3'], undefined, 'unknown model cosyvoice-v3-flsh; cosy knows cosyvoice-v3.5-plus'],
    [['say', 'hi', '-o', 'x.mp3', '--json', '--volume', 'abc'], undefined, "option '--volume <0-100>' argument 'abc' is invalid"],
    [['say', 'hi', '-o', 'x.mp3', '--json', '--bogus'], undefined, "unknown option '--bogus'"],
    [['say', 'hi', '-o', 'x.mp3', '--json', '--model'], undefined, "option '-m, --model <model>' argument missing"],
  ])('%j is a usage error (exit 2)', async (args, stdin, message) => {
    const { env, emulator } = await start();
    const r = await runCli(args, { env, cwd: fx.dir, stdin });
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    if (args.includes('--json')) {
      expect(JSON.parse(r.stdout.toString('utf8'))).toMatchObject({ ok: false, error: { code: 'USAGE', exit_code: 2 } });
    } else expect(r.stdout.length).toBe(0);
    expect(emulator.connections()).toBe(0);
    expect(outputs()).toEqual([]);
  });
});

describe('cosy say: stdout', () => {
  it('streams exactly the audio bytes to stdout, identical to the file output', async () => {
    const { env } = await start();
    const piped = await runCli(['say', TEXT, '--format', 'mp3'], { env, cwd: fx.dir });
    const dashed = await runCli(['say', TEXT, '-o', '-'], { env, cwd: fx.dir });
    const file = await runCli(['say', TEXT, '-o', 'f.mp3'], { env, cwd: fx.dir });
    expect([piped.code, dashed.code, file.code]).toEqual([0, 0, 0]);
    expect(piped.stderr).toBe('');
    const expected = readFileSync(join(fx.dir, 'f.mp3'));
    expect(piped.stdout.equals(expected)).toBe(true);
    expect(dashed.stdout.equals(expected)).toBe(true);
  });

  it('loads .env quietly: stdout carries only audio', async () => {
    const { env } = await start();
    const { DASHSCOPE_API_KEY: _key, ...withoutKey } = env;
    writeFileSync(join(fx.dir, '.env'), `DASHSCOPE_API_KEY=${TEST_KEY}\n`);
    const r = await runCli(['say', 'Hi.', '--format', 'wav'], { env: withoutKey, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.toString('ascii', 0, 4)).toBe('RIFF');
  });

  it('exits 6 with partial output when the task fails after audio reached stdout', async () => {
    const { env } = await start({ faults: { failAfterFrames: 2 } });
    const r = await runCli(['say', TEXT.repeat(5), '--format', 'pcm', '--retries', '0'], { env, cwd: fx.dir });
    expect(r.code).toBe(6);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/output is incomplete: \d+ bytes of audio were written before the failure/);
    expect(r.stderr).toMatch(/task: [0-9a-f]{32}/);
  });

  it('stops quietly when the reader closes the pipe', async () => {
    const { env } = await start({ faults: { frameDelayMs: 5 } });
    const r = await runCli(['say', TEXT.repeat(20), '--format', 'pcm'], {
      env,
      cwd: fx.dir,
      onSpawn: (child) => {
        child.stdin?.end();
        child.stdout?.once('data', () => child.stdout?.destroy());
      },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('cosy say: failures', () => {
  it('checks the request before looking for a key: a bad value is exit 2 even without one', async () => {
    const r = await runCli(['say', 'Hi.', '-o', 'x.mp3', '--volume', '101'], { env: baseEnv(fx.dir), cwd: fx.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--volume 101 is out of range');
    expect(outputs()).toEqual([]);
  });

  it('explains how to set a key when none is found (exit 3)', async () => {
    const r = await runCli(['say', 'Hi.', '-o', 'x.mp3'], { env: baseEnv(fx.dir), cwd: fx.dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no API key');
    expect(r.stderr).toContain('DASHSCOPE_API_KEY');
    expect(r.stderr).toContain('--emulator');
    expect(outputs()).toEqual([]);
  });

  it('turns a 401 at the handshake into an auth error naming the region (exit 3), without echoing the key', async () => {
    const { env } = await start();
    const wrong = 'sk-wrongkey0123456789LEAKCHECK';
    const r = await runCli(['say', 'Hi.', '-o', 'x.mp3', '--verbose'], { env: { ...env, DASHSCOPE_API_KEY: wrong }, cwd: fx.dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the service rejected the API key (HTTP 401, InvalidApiKey: Invalid API-key provided.)');
    expect(r.stderr).toContain('keys are region-specific');
    expect(r.stderr).not.toContain(wrong);
    expect(outputs()).toEqual([]);
  });

  it.each<[string, EmulatorOptions, string[], number, RegExp]>([
    ['task-failed mid-audio', { faults: { failAfterFrames: 2 } }, ['--retries', '0'], 4, /the service failed the task: InternalError/],
    ['connection dropped mid-audio', { faults: { dropAfterFrames: 2 } }, ['--retries', '0'], 5, /connection closed before the task finished/],
    ['a malformed frame', { faults: { malformedFrameAfter: 1 } }, [], 4, /malformed frame from the server: not valid JSON/],
    ['throttling', { faults: { maxTasksPerSecond: 0 } }, ['--retries', '0'], 4, /Throttling.RateQuota: Requests rate limit exceeded/],
    ['throttling at the handshake', { faults: { maxTasksPerSecond: 0, throttleAt: 'handshake' } }, ['--retries', '0'], 4, /rate limit|429/i],
    ['a slow first packet beyond --timeout', { faults: { slowFirstPacketMs: 3000 } }, ['--timeout', '0.5', '--retries', '0'], 5, /no audio arrived within 500 ms/],
    ['close before task-started, every time', { faults: { closeBeforeTaskStarted: true } }, ['--retries', '0'], 5, /closed the connection before the task started/],
  ])('%s', async (_name, options, args, code, message) => {
    const { env } = await start(options);
    const r = await runCli(['say', TEXT.repeat(3), '-o', 'out.wav', ...args], { env, cwd: fx.dir });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(outputs()).toEqual([]);
  });

  it('names the task id of a failed task', async () => {
    const { env, emulator } = await start({ faults: { failAfterFrames: 1 } });
    const r = await runCli(['say', TEXT, '-o', 'out.mp3', '--retries', '0'], { env, cwd: fx.dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`task: ${emulator.tasks[0]?.taskId}`);
  });

  it.each<[string, EmulatorOptions]>([
    ['a dropped connection', { faults: { dropAfterFrames: 2, times: 1 } }],
    ['a server fault', { faults: { failAfterFrames: 2, times: 1 } }],
    ['throttling', { faults: { throttleFirst: 1 } }],
  ])('retries after %s and writes a complete file', async (_name, options) => {
    const { env, emulator } = await start(options);
    const r = await runCli(['say', TEXT, '-o', 'out.wav', '--verbose'], { env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/retry 1 of 2 in \d\.\d s/);
    expect(emulator.tasks).toHaveLength(2);
    if (options.faults?.throttleFirst) expect(emulator.tasks[0]?.errorCode).toBe('Throttling.RateQuota');
    const wav = readFileSync(join(fx.dir, 'out.wav'));
    const last = emulator.tasks.at(-1);
    expect(last?.status).toBe('finished');
    expect(wav.length - 44).toBe((last?.audioBytes ?? 0) - 44);
  });

  it('reopens once when the socket closes before task-started', async () => {
    const { env, emulator } = await start({ faults: { closeBeforeTaskStarted: true, times: 1 } });
    const r = await runCli(['say', TEXT, '-o', 'out.mp3', '--retries', '0'], { env, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(emulator.connections()).toBe(2);
  });

  it('reports an unresolvable host as a network error (exit 5)', async () => {
    const r = await runCli(['say', 'Hi.', '-o', 'x.mp3', '--endpoint', 'wss://cosy-test.invalid/api-ws/v1/inference', '--retries', '0'], {
      env: { ...baseEnv(fx.dir), DASHSCOPE_API_KEY: TEST_KEY },
      cwd: fx.dir,
    });
    expect(r.stderr).toMatch(/cannot (resolve the host of|connect to) wss:\/\/cosy-test.invalid/);
    expect(r.code).toBe(5);
    expect(outputs()).toEqual([]);
  });

  it('refuses plain ws:// to a non-loopback host (exit 2)', async () => {
    const r = await runCli(['say', 'Hi.', '-o', 'x.mp3', '--endpoint', 'ws://example.com/api-ws/v1/inference'], {
      env: { ...baseEnv(fx.dir), DASHSCOPE_API_KEY: TEST_KEY },
      cwd: fx.dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ws:// is allowed only for this machine');
  });

  it('SIGINT aborts, removes the temporary file and exits 130', async () => {
    const { env } = await start({ faults: { frameDelayMs: 50 } });
    const r = await runCli(['say', TEXT.repeat(10), '-o', 'out.wav'], {
      env,
      cwd: fx.dir,
      onSpawn: (child) => {
        child.stdin?.end();
        const poll = setInterval(() => {
          if (readdirSync(fx.dir).some((f) => f.endsWith('.cosy-partial'))) {
            clearInterval(poll);
            setTimeout(() => child.kill('SIGINT'), 100);
          }
        }, 20);
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted');
    expect(outputs()).toEqual([]);
    expect(existsSync(join(fx.dir, 'out.wav'))).toBe(false);
  });
});

describe('cosy say: long text', () => {
  it('splits text over 200,000 characters into tasks joined into one WAV', async () => {
    const { env, emulator } = await start({ msPerCharacter: 0.5 });
    const sentence = 'This sentence is exactly fifty characters long ok. ';
    const text = sentence.repeat(4100); // 209,100 counted characters
    writeFileSync(join(fx.dir, 'long.txt'), text);
    const r = await runCli(['say', '-f', 'long.txt', '-o', 'long.wav', '--sample-rate', '8000', '--json'], { env, cwd: fx.dir, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(emulator.tasks.map((t) => t.status)).toEqual(['finished', 'finished']);
    expect(emulator.tasks.map((t) => t.texts.join('')).join('')).toBe(text);
    for (const t of emulator.tasks) for (const m of t.texts) expect(countCharacters(m)).toBeLessThanOrEqual(2000);
    expect(emulator.tasks[0]?.connectionId).toBe(emulator.tasks[1]?.connectionId);
    const wav = readFileSync(join(fx.dir, 'long.wav'));
    expect(wav.indexOf('RIFF', 4)).toBe(-1);
    const dataBytes = emulator.tasks.reduce((n, t) => n + t.audioBytes - 44, 0);
    expect(wav.length).toBe(44 + dataBytes);
    const summary = JSON.parse(r.stdout.toString('utf8'));
    expect(summary.characters).toBe(countCharacters(text));
    expect(summary.task_ids).toHaveLength(2);
  });
});
