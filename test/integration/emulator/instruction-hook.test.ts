import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { type InstructionInfo } from '../../../src/emulator/server.js';
import {
  baseParameters,
  continueFrame,
  finishFrame,
  newTaskId,
  runTaskFrame,
  textFrame,
  emulatorFixture,
} from './client.js';

const fx = emulatorFixture();

/** Two sentences, sent as two continue-tasks. */
const TEXTS = ['The first sentence is here. ', 'And a second one follows it.'];
/** Delay before every audio frame: long enough that later instructions arrive while audio is still going out. */
const FRAME_DELAY_MS = 10;

describe('onInstruction hook', () => {
  it('reports every instruction with its task, action, text and arrival time, in arrival order', async () => {
    const seen: InstructionInfo[] = [];
    const emulator = await fx.start({ onInstruction: (info) => seen.push(info) });
    const c = await fx.open(emulator.websocketUrl);
    const taskId = newTaskId();
    const sentAt = performance.now();
    c.send(
      runTaskFrame(taskId, baseParameters()),
      textFrame(taskId, TEXTS[0] ?? ''),
      continueFrame(taskId, { text: TEXTS[1] }, 'java'),
      continueFrame(taskId, { flush: true }),
      finishFrame(taskId),
    );
    const end = await c.end(taskId);
    const finishedAt = performance.now();

    expect(end.header.event).toBe('task-finished');
    expect(seen.map((s) => [s.taskId, s.action, s.text])).toEqual([
      [taskId, 'run-task', undefined],
      [taskId, 'continue-task', TEXTS[0]],
      [taskId, 'continue-task', TEXTS[1]],
      [taskId, 'continue-task', undefined],
      [taskId, 'finish-task', undefined],
    ]);
    expect(seen.every((s) => !('text' in s) || s.action === 'continue-task')).toBe(true);
    // receivedAt is on this process's performance.now() clock, in order, between the send and the task's end.
    for (const [i, s] of seen.entries()) {
      expect(s.receivedAt).toBeGreaterThanOrEqual(sentAt);
      expect(s.receivedAt).toBeLessThanOrEqual(finishedAt);
      if (i > 0) expect(s.receivedAt).toBeGreaterThanOrEqual(seen[i - 1]?.receivedAt ?? 0);
    }
    expect(emulator.tasks[0]?.texts).toEqual(TEXTS);
  });

  it('reports a continue-task when it arrives, not when its turn comes after the audio of earlier text', async () => {
    const seen: InstructionInfo[] = [];
    const frames: Array<{ taskId: string; sentAt: number }> = [];
    const emulator = await fx.start({
      faults: { frameDelayMs: FRAME_DELAY_MS },
      onInstruction: (info) => seen.push(info),
      onAudioFrame: (info) => frames.push({ taskId: info.taskId, sentAt: info.sentAt }),
    });
    const c = await fx.open(emulator.websocketUrl);
    const parameters = baseParameters({ sample_rate: 48000 });
    // How many frames the first sentence alone takes.
    const alone = newTaskId();
    c.send(runTaskFrame(alone, parameters), textFrame(alone, TEXTS[0] ?? ''), finishFrame(alone));
    await c.end(alone);
    const firstSentenceFrames = frames.length;
    expect(firstSentenceFrames).toBeGreaterThan(3);

    // Again, with the second text sent once the first sentence's audio has begun.
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId, parameters), textFrame(taskId, TEXTS[0] ?? ''));
    const bytesBefore = c.audioBytes;
    await c.until(() => c.audioBytes > bytesBefore, 5_000, 'the first audio frame');
    c.send(textFrame(taskId, TEXTS[1] ?? ''), finishFrame(taskId));
    const end = await c.end(taskId);

    expect(end.header.event).toBe('task-finished');
    const second = seen.find((s) => s.taskId === taskId && s.text === TEXTS[1]);
    const finish = seen.find((s) => s.taskId === taskId && s.action === 'finish-task');
    const mine = frames.filter((f) => f.taskId === taskId);
    const lastOfFirstSentence = mine[firstSentenceFrames - 1]?.sentAt ?? Number.NEGATIVE_INFINITY;
    // Both arrived while the first sentence's frames were still going out (its turn in the queue comes later).
    expect(second?.receivedAt).toBeLessThan(lastOfFirstSentence);
    expect(finish?.receivedAt).toBeLessThan(lastOfFirstSentence);
  });

  it('reports instructions for unknown tasks too, and skips frames that are not instructions', async () => {
    const seen: InstructionInfo[] = [];
    const emulator = await fx.start({ onInstruction: (info) => seen.push(info) });
    const c = await fx.open(emulator.websocketUrl);
    const stray = newTaskId();
    c.send('not json', textFrame(stray, 'Nobody started this task.'));
    await c.until(() => c.events(stray).some((e) => e.header.event === 'task-failed'), 5_000, 'task-failed of the stray task');

    expect(seen.map((s) => [s.taskId, s.action, s.text])).toEqual([[stray, 'continue-task', 'Nobody started this task.']]);
  });

  it('is optional: without it the emulator synthesises as before', async () => {
    const emulator = await fx.start();
    const c = await fx.open(emulator.websocketUrl);
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId), textFrame(taskId, TEXTS[0] ?? ''), finishFrame(taskId));
    const end = await c.end(taskId);
    expect(end.header.event).toBe('task-finished');
    expect(emulator.tasks[0]?.texts).toEqual([TEXTS[0]]);
  });
});
