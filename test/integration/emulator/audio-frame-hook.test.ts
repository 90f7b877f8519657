import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { type AudioFrameInfo } from '../../../src/emulator/server.js';
import { baseParameters, synthesize, type Conversation, emulatorFixture } from './client.js';

const fx = emulatorFixture();

/** Two sentences: several pcm frames each at 48 kHz. */
const TEXTS = ['The first sentence is here. ', 'And a second one follows it.'];
/** A sample rate high enough that every sentence spans several frames. */
const SAMPLE_RATE = 48000;
/** Delay between frames, so the receive time of each frame can be told apart from the next one's send time. */
const FRAME_DELAY_MS = 5;

/** The sizes of the binary frames a conversation received, in order. */
function binarySizes(c: Conversation): number[] {
  return c.received.flatMap((r) => (r.kind === 'binary' ? [r.data.length] : []));
}

describe('onAudioFrame hook', () => {
  it('reports every binary frame of every task, in order, with its task, index, size and send time', async () => {
    const frames: AudioFrameInfo[] = [];
    const emulator = await fx.start({ faults: { frameDelayMs: FRAME_DELAY_MS }, onAudioFrame: (info) => frames.push(info) });
    const c = await fx.open(emulator.websocketUrl);
    const received: number[] = [];
    c.ws.on('message', (_data: Buffer, isBinary: boolean) => {
      if (isBinary) received.push(performance.now());
    });

    const startedAt = performance.now();
    const first = await synthesize(c, TEXTS, baseParameters({ sample_rate: SAMPLE_RATE }));
    const firstCount = frames.length;
    const second = await synthesize(c, TEXTS, baseParameters({ sample_rate: SAMPLE_RATE }));

    expect(first.end.header.event).toBe('task-finished');
    expect(second.end.header.event).toBe('task-finished');
    const sizes = binarySizes(c);
    expect(frames.map((f) => f.bytes)).toEqual(sizes);
    expect(firstCount).toBeGreaterThan(2);
    expect(frames.slice(0, firstCount).every((f) => f.taskId === first.taskId)).toBe(true);
    expect(frames.slice(firstCount).every((f) => f.taskId === second.taskId)).toBe(true);
    expect(frames.slice(0, firstCount).map((f) => f.index)).toEqual([...Array(firstCount).keys()]);
    expect(frames.slice(firstCount).map((f) => f.index)).toEqual([...Array(frames.length - firstCount).keys()]);
    expect(emulator.tasks.map((t) => t.audioFrames)).toEqual([firstCount, frames.length - firstCount]);

    // sentAt is on this process's performance.now() clock: after the start, ordered, and before the frame arrived.
    expect(frames[0]?.sentAt).toBeGreaterThan(startedAt);
    for (const [i, f] of frames.entries()) {
      if (i > 0) expect(f.sentAt).toBeGreaterThanOrEqual(frames[i - 1]?.sentAt ?? 0);
      expect(f.sentAt).toBeLessThanOrEqual(received[i] ?? Number.NEGATIVE_INFINITY);
    }
  });

  it('is optional: without it the emulator synthesises as before', async () => {
    const emulator = await fx.start();
    const c = await fx.open(emulator.websocketUrl);
    const { end } = await synthesize(c, TEXTS);
    expect(end.header.event).toBe('task-finished');
    expect(emulator.tasks[0]?.audioFrames).toBe(binarySizes(c).length);
  });
});
