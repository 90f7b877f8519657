/**
 * `cosy emulator` as a user runs it: a separate process printing its URLs, used by another cosy process,
 * stopped with Ctrl-C. Also `cosy say --emulator`, the README's first command.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COSY_BIN, baseEnv, runCli, tempDir } from '../helpers/run-cli.js';

let dir: string;
let cleanup: () => void;
let child: ChildProcessWithoutNullStreams | undefined;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  cleanup();
});

/** Starts `cosy emulator --port 0 --json …` and resolves with its URLs once it prints them. */
async function startEmulatorProcess(args: string[] = []): Promise<{ websocket: string; http: string; stderr: () => string }> {
  child = spawn(process.execPath, [COSY_BIN, 'emulator', '--port', '0', '--json', ...args], { env: baseEnv(dir) });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  let stdout = '';
  for await (const chunk of child.stdout) {
    stdout += (chunk as Buffer).toString();
    if (stdout.includes('\n')) break;
  }
  const lines = stdout.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  const urls = JSON.parse(lines[0] ?? '') as { websocket: string; http: string };
  expect(Object.keys(urls)).toEqual(['websocket', 'http']);
  expect(urls.websocket).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api-ws\/v1\/inference$/);
  expect(urls.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
  return { ...urls, stderr: () => stderr };
}

function envFor(websocket: string, key = 'sk-anything-goes-123'): Record<string, string> {
  return { ...baseEnv(dir), DASHSCOPE_API_KEY: key, DASHSCOPE_WEBSOCKET_BASE_URL: websocket };
}

describe('cosy emulator', () => {
  it('prints one JSON line with its URLs, serves cosy say, and exits 0 on Ctrl-C', async () => {
    const { websocket } = await startEmulatorProcess();
    const r = await runCli(['say', 'Hello from another process.', '-o', 'x.wav'], { env: envFor(websocket), cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'x.wav')).toString('ascii', 0, 4)).toBe('RIFF');
    const proc = child;
    if (!proc) throw new Error('no emulator process');
    proc.kill('SIGINT');
    const [code] = (await once(proc, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('applies fault flags from the command line', async () => {
    const { websocket } = await startEmulatorProcess(['--fail-after-frames', '1']);
    const r = await runCli(['say', 'Hello there. General Kenobi.', '-o', 'x.mp3', '--retries', '0'], { env: envFor(websocket), cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('InternalError');
    expect(existsSync(join(dir, 'x.mp3'))).toBe(false);
  });

  it('throttles the first N task starts with --throttle-first (cosy retries and succeeds)', async () => {
    const { websocket } = await startEmulatorProcess(['--throttle-first', '1']);
    const r = await runCli(['say', 'Hello there.', '-o', 'x.mp3', '--verbose'], { env: envFor(websocket), cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Throttling.RateQuota');
    expect(r.stderr).toMatch(/retry 1 of 2 in \d\.\d s/);
    const none = await runCli(['say', 'Hello there.', '-o', 'y.mp3', '--retries', '0'], { env: envFor(websocket), cwd: dir });
    expect(none.code).toBe(0);
  });

  it('accepts only the keys given with --key', async () => {
    const { websocket } = await startEmulatorProcess(['--key', 'sk-only-this-one-1']);
    const bad = await runCli(['say', 'Hi.', '-o', 'x.mp3'], { env: envFor(websocket, 'sk-some-other-key-2'), cwd: dir });
    expect(bad.code).toBe(3);
    const good = await runCli(['say', 'Hi.', '-o', 'x.mp3'], { env: envFor(websocket, 'sk-only-this-one-1'), cwd: dir });
    expect(good.code).toBe(0);
  });

  it('refuses a port that is taken, with a clear message', async () => {
    const { websocket } = await startEmulatorProcess();
    const port = new URL(websocket).port;
    const r = await runCli(['emulator', '--port', port], { env: baseEnv(dir), cwd: dir, timeoutMs: 5000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
});

describe('cosy say --emulator', () => {
  it('runs the README first command without a key', async () => {
    const r = await runCli(['say', '--emulator', 'Hello from cosy', '-o', 'hello.wav'], { env: baseEnv(dir), cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^wrote hello\.wav \(\d+(\.\d)? KB, \d+\.\d s\)\n$/);
    const wav = readFileSync(join(dir, 'hello.wav'));
    expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
  });

  it('is never a silent fallback: without --emulator and without a key, cosy fails', async () => {
    const r = await runCli(['say', 'Hello', '-o', 'hello.wav'], { env: baseEnv(dir), cwd: dir });
    expect(r.code).toBe(3);
  });
});
