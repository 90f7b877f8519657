import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PENDING_HIGH_CHARS, readStreamInput } from '../../../src/cli/stream-input.js';
import { TaskFeeder } from '../../../src/tts/task-feeder.js';

const OPTIONS = { flushMs: 20, idleMs: 60_000, skipCode: false };
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('readStreamInput: a producer faster than the tasks', () => {
  it('stops reading while too much text waits, resumes as the tasks take it, and loses nothing', async () => {
    const stdin = new PassThrough();
    const feeder = new TaskFeeder();
    const reading = readStreamInput(stdin, feeder, OPTIONS, new AbortController().signal);
    const sentence = 'This sentence waits for its task. ';
    const total = Math.ceil((PENDING_HIGH_CHARS * 3) / sentence.length);
    const text = sentence.repeat(total);
    // In pieces, as a pipe delivers them.
    for (let i = 0; i < text.length; i += 16_384) stdin.write(text.slice(i, i + 16_384));
    stdin.end();
    for (let i = 0; i < 50; i++) await tick();
    // Nothing consumes yet: reading stopped near the bound instead of taking the whole input.
    expect(feeder.pendingChars).toBeGreaterThanOrEqual(PENDING_HIGH_CHARS);
    expect(feeder.pendingChars).toBeLessThan(PENDING_HIGH_CHARS + 70_000);
    expect(stdin.isPaused()).toBe(true);

    let received = '';
    let maxPending = 0;
    for await (const task of feeder) {
      for await (const fragment of task) {
        received += fragment;
        maxPending = Math.max(maxPending, feeder.pendingChars);
      }
    }
    await reading;
    expect(received).toBe(text);
    expect(maxPending).toBeLessThan(PENDING_HIGH_CHARS + 70_000);
  });
});
