import { afterEach, describe, expect, it } from 'vitest';
import { SERVICE_MAX_MESSAGE_CHARS } from '../../../src/protocol/limits.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { baseParameters, finishFrame, newTaskId, openSocket, runTaskFrame, textFrame } from './client.js';

let emulator: RunningEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** A full message of sentences: 20,000 counted characters, 25 minutes of audio at the default pace. */
const BIG_TEXT = 'This is one sentence of the long text. '.repeat(Math.floor(SERVICE_MAX_MESSAGE_CHARS / 39));
/** 48 kHz 16-bit pcm of BIG_TEXT is about 144 MB; a paused client must hold the emulator far below that. */
const PAUSED_BOUND_BYTES = 48 * 1024 * 1024;

/** Audio the client reads after resuming before it leaves (a fraction of the whole). */
const RESUMED_BYTES = 8 * 1024 * 1024;

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How long the rendered byte count must stay unchanged to count as stopped. */
const QUIET_MS = 300;
/** How long the emulator may take to fill the socket buffers and stop (55–215 ms seen; far more on a loaded machine). */
const STOP_DEADLINE_MS = 10_000;

/**
 * Polls `read` until it returns the same non-zero value for `quietMs`, and returns that value; throws after
 * `deadlineMs`. The emulator stops rendering only once the socket buffers are full, which takes a machine-dependent time.
 */
async function steadyValue(read: () => number, quietMs: number, deadlineMs: number): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  let value = read();
  let since = Date.now();
  while (value === 0 || Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`still changing after ${deadlineMs} ms (last ${value})`);
    await settle(25);
    const next = read();
    if (next !== value) {
      value = next;
      since = Date.now();
    }
  }
  return value;
}

describe('flow control', () => {
  it('stops rendering while the client does not read, resumes when it does, and stops when it leaves', async () => {
    emulator = await startEmulator({ port: 0 });
    const c = await openSocket(emulator.websocketUrl);
    const taskId = newTaskId();
    c.ws.pause();
    c.send(runTaskFrame(taskId, baseParameters({ sample_rate: 48000 })), textFrame(taskId, BIG_TEXT), finishFrame(taskId));
    const record = (): { audioBytes: number; status: string } => emulator?.tasks[0] ?? { audioBytes: 0, status: '' };

    // Wait (as long as the machine needs) for rendering to stop, then check it stays stopped, far short of the text.
    const stalled = await steadyValue(() => record().audioBytes, QUIET_MS, STOP_DEADLINE_MS);
    expect(record().status).toBe('running');
    await settle(QUIET_MS);
    expect(record().audioBytes).toBe(stalled);
    expect(stalled).toBeGreaterThan(0);
    expect(stalled).toBeLessThan(PAUSED_BOUND_BYTES);

    c.ws.resume();
    await c.until(() => c.audioBytes > stalled + RESUMED_BYTES, 5_000, 'more audio after resuming');
    c.ws.pause();
    expect(record().status).toBe('running');

    c.ws.terminate();
    await c.closed;
    // The emulator marks the task failed when it sees the connection close (at once, or later on a loaded machine).
    const deadline = Date.now() + STOP_DEADLINE_MS;
    while (record().status === 'running' && Date.now() < deadline) await settle(25);
    const after = record().audioBytes;
    await settle(200);
    expect(record().audioBytes).toBe(after);
    expect(record().status).toBe('failed');
  });
});
