import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { AudioFrameInfo, InstructionInfo } from '../../../src/emulator/server.js';
import {
  HandshakeRejected,
  newTaskId,
  openSocket,
  runTaskFrame,
  synthesize,
  textFrame,
  finishFrame,
  type Conversation,
  type ServerFrame,
  emulatorFixture,
} from './client.js';

const fx = emulatorFixture();

const start = fx.start;

const connect = fx.connect;

/** Several sentences: about 20 frames of pcm 16 kHz. */
const LONG = ['One sentence of audio. ', 'Another sentence of audio. ', 'A third sentence of audio. ', 'And the fourth.'];

function binaries(c: Conversation): number {
  return c.received.filter((r) => r.kind === 'binary').length;
}

describe('frame faults', () => {
  it('delays the first audio frame by slowFirstPacketMs', async () => {
    const instructions: InstructionInfo[] = [];
    const frames: AudioFrameInfo[] = [];
    await start({ faults: { slowFirstPacketMs: 300 }, onInstruction: (i) => instructions.push(i), onAudioFrame: (f) => frames.push(f) });
    const c = await connect();
    // When the client got each sentence-synthesis event, on the emulator's clock (same process: performance.now()).
    const synthesisReceivedAt: number[] = [];
    c.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      try {
        if ((JSON.parse(data.toString('utf8')) as ServerFrame).payload.output?.type === 'sentence-synthesis') synthesisReceivedAt.push(performance.now());
      } catch {
        // not JSON: not an event
      }
    });
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId), textFrame(taskId, 'Hello. '));
    await c.until(() => binaries(c) > 0, 5_000, 'the first frame');
    const at = (type: string): number =>
      c.received.find((r) => r.kind === 'event' && (r.event.payload.output?.type ?? r.event.header.event) === type)?.at ?? 0;
    // The sentence begins at once (task-started and sentence-begin go out together, so the client gets them together).
    expect(at('sentence-begin') - at('task-started')).toBeLessThan(280);
    // The first frame leaves the emulator at least the delay after its text arrived there. Both times are the
    // emulator's own, so a late client cannot shrink the gap (the timer may fire up to 1 ms early on performance.now()).
    const text = instructions.find((i) => i.taskId === taskId && i.action === 'continue-task');
    expect(text).toBeDefined();
    expect(frames[0]?.taskId).toBe(taskId);
    expect((frames[0]?.sentAt ?? 0) - (text?.receivedAt ?? Number.POSITIVE_INFINITY)).toBeGreaterThanOrEqual(299);
    // Its sentence-synthesis event is held back with it: it cannot reach the client before the frame was sent.
    expect(synthesisReceivedAt[0]).toBeGreaterThanOrEqual(frames[0]?.sentAt ?? Number.POSITIVE_INFINITY);
  });

  it('delays every frame by frameDelayMs', async () => {
    await start({ faults: { frameDelayMs: 40 } });
    const c = await connect();
    const started = Date.now();
    await synthesize(c, ['Hello there, this is a test. ']);
    const frames = binaries(c);
    expect(frames).toBeGreaterThan(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(frames * 40 - 20);
  });

  it('fails the task with a retryable InternalError after failAfterFrames frames', async () => {
    await start({ faults: { failAfterFrames: 2 } });
    const c = await connect();
    const { taskId, end } = await synthesize(c, LONG);
    expect(binaries(c)).toBe(2);
    expect(end.header).toMatchObject({ event: 'task-failed', error_code: 'InternalError' });
    expect(c.received[c.received.length - 1]).toMatchObject({ kind: 'event' });
    expect(fx.emulator?.tasks[0]).toMatchObject({ taskId, status: 'failed', errorCode: 'InternalError', audioFrames: 2 });
    expect(c.closeCode).toBeUndefined();
  });

  it('drops the connection without a close frame after dropAfterFrames frames', async () => {
    await start({ faults: { dropAfterFrames: 3 } });
    const c = await connect();
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId), ...LONG.map((t) => textFrame(taskId, t)), finishFrame(taskId));
    expect(await c.waitClosed()).toBe(1006);
    expect(binaries(c)).toBe(3);
    expect(c.events(taskId).some((e) => e.header.event === 'task-finished' || e.header.event === 'task-failed')).toBe(false);
    expect(fx.emulator?.tasks[0]?.status).toBe('failed');
  });

  it('sends one frame that is not JSON after malformedFrameAfter frames, then goes on', async () => {
    await start({ faults: { malformedFrameAfter: 1 } });
    const c = await connect();
    const { end } = await synthesize(c, LONG);
    expect(end.header.event).toBe('task-finished');
    const texts = c.received.flatMap((r, i) => (r.kind === 'text' ? [i] : []));
    expect(texts).toHaveLength(1);
    // Right after the first binary frame, never between an event and its frame.
    const first = c.received.findIndex((r) => r.kind === 'binary');
    expect(texts[0]).toBe(first + 1);
  });

  it('closes with 1011 instead of task-started with closeBeforeTaskStarted', async () => {
    await start({ faults: { closeBeforeTaskStarted: true } });
    const c = await connect();
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId), textFrame(taskId, 'Hello.'));
    expect(await c.waitClosed()).toBe(1011);
    expect(c.received).toEqual([]);
    expect(fx.emulator?.tasks[0]?.status).toBe('failed');
  });

  it('applies task faults to the first `times` run-tasks only (reconnect once)', async () => {
    await start({ faults: { closeBeforeTaskStarted: true, times: 1 } });
    const a = await connect();
    a.send(runTaskFrame(newTaskId()));
    expect(await a.waitClosed()).toBe(1011);
    const b = await connect();
    const { end } = await synthesize(b, ['Second try.']);
    expect(end.header.event).toBe('task-finished');
  });

  it('counts `times` across tasks on one socket', async () => {
    await start({ faults: { failAfterFrames: 1, times: 2 } });
    const c = await connect();
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await synthesize(c, ['Hello there. '])).end.header.event);
    expect(results).toEqual(['task-failed', 'task-failed', 'task-finished']);
  });
});

describe('throttling', () => {
  it('fails run-tasks beyond maxTasksPerSecond with Throttling.RateQuota, across connections', async () => {
    await start({ faults: { maxTasksPerSecond: 2 } });
    const conversations = [await connect(), await connect(), await connect()];
    const ends = await Promise.all(conversations.map((c) => synthesize(c, ['Hi.'])));
    const events = ends.map((r) => r.end.header);
    expect(events.filter((h) => h.event === 'task-finished')).toHaveLength(2);
    expect(events.filter((h) => h.event === 'task-failed')).toEqual([
      expect.objectContaining({
        error_code: 'Throttling.RateQuota',
        error_message: 'Requests rate limit exceeded, please try again later.',
      }),
    ]);
    await new Promise((r) => setTimeout(r, 1_050));
    const again = conversations[0];
    if (again === undefined) throw new Error('no conversation');
    expect((await synthesize(again, ['Later.'])).end.header.event).toBe('task-finished');
  });

  it('rejects upgrades beyond the limit with HTTP 429 and a JSON body when throttleAt is handshake', async () => {
    const emu = await start({ faults: { maxTasksPerSecond: 2, throttleAt: 'handshake' } });
    const first = await connect();
    await connect();
    const err = await openSocket(emu.websocketUrl).then(
      (c) => {
        c.close();
        throw new Error('the third upgrade was accepted');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HandshakeRejected);
    expect((err as HandshakeRejected).status).toBe(429);
    expect((err as HandshakeRejected).body).toMatchObject({
      code: 'Throttling.RateQuota',
      message: 'Requests rate limit exceeded, please try again later.',
    });
    // Tasks themselves are not throttled in this mode.
    for (let i = 0; i < 3; i++) expect((await synthesize(first, ['Hi.'])).end.header.event).toBe('task-finished');
    expect(emu.connections()).toBe(2);
  });
});
