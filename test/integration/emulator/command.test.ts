import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runEmulatorCommand, type EmulatorCommandOptions } from '../../../src/cli/commands/emulator.js';
import { HandshakeRejected, openSocket, synthesize } from './client.js';

/** Runs the command until `stop` is called; collects stdout and stderr. */
function run(options: EmulatorCommandOptions): {
  stdout: () => string;
  stderr: () => string;
  firstLine: () => Promise<string>;
  stop: () => Promise<void>;
} {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  err.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const controller = new AbortController();
  const done = runEmulatorCommand(options, { stdout: out, stderr: err, signal: controller.signal });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    firstLine: async () => {
      while (!stdout.includes('\n')) await new Promise((r) => setTimeout(r, 5));
      return stdout.slice(0, stdout.indexOf('\n'));
    },
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

describe('cosy emulator command', () => {
  it('prints exactly one JSON line with the URLs, serves them, and stops on abort', async () => {
    const cmd = run({ port: 0, json: true, keys: ['sk-only'], verbose: true });
    const urls = JSON.parse(await cmd.firstLine()) as { websocket: string; http: string };
    expect(Object.keys(urls)).toEqual(['websocket', 'http']);
    expect(urls.websocket).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api-ws\/v1\/inference$/);
    expect(urls.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    const c = await openSocket(urls.websocket, { Authorization: 'Bearer sk-only' });
    const { end } = await synthesize(c, ['Hello.']);
    expect(end.header.event).toBe('task-finished');
    await expect(openSocket(urls.websocket, { Authorization: 'Bearer sk-other' })).rejects.toBeInstanceOf(HandshakeRejected);
    await cmd.stop();
    await c.closed;
    expect(cmd.stdout().trim().split('\n')).toHaveLength(1);
    expect(cmd.stderr()).toMatch(/task .*finished/);
    expect(cmd.stderr() + cmd.stdout()).not.toContain('sk-only');
    await expect(openSocket(urls.websocket, { Authorization: 'Bearer sk-only' })).rejects.toThrow();
  });

  it('prints human lines with a hint, logs nothing without verbose, and passes fault options on', async () => {
    const cmd = run({ port: 0, failAfterFrames: 1, times: 1 });
    await cmd.firstLine();
    await new Promise((r) => setTimeout(r, 20));
    const text = cmd.stdout();
    const websocket = /^websocket: (ws:\S+)$/m.exec(text)?.[1] ?? '';
    const http = /^http: (http:\S+)$/m.exec(text)?.[1] ?? '';
    expect(websocket).toMatch(/\/api-ws\/v1\/inference$/);
    expect(text).toContain(`DASHSCOPE_WEBSOCKET_BASE_URL=${websocket} DASHSCOPE_HTTP_BASE_URL=${http}`);
    const c = await openSocket(websocket);
    expect((await synthesize(c, ['Hello there. '])).end.header.error_code).toBe('InternalError');
    expect((await synthesize(c, ['Hello there. '])).end.header.event).toBe('task-finished');
    await cmd.stop();
    expect(cmd.stderr()).toBe('');
  });

  it('returns at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const out = new PassThrough();
    await runEmulatorCommand({ port: 0, json: true }, { stdout: out, stderr: new PassThrough(), signal: controller.signal });
    expect(String(out.read())).toMatch(/^\{"websocket":/);
  });
});
