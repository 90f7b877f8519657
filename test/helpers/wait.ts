/**
 * Waiting for something observable instead of for a number of milliseconds: on a loaded CI machine a spawned cosy
 * can take half a second to start, so a test step that must follow an event (a text reaching the emulator, a task
 * finishing, audio on stdout) polls for it, with a deadline that fails the test by name.
 */
import type { ChildProcess } from 'node:child_process';
import { vi } from 'vitest';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `ready()` holds, checked every 10 ms. Rejects, naming `what`, after `deadlineMs`, or as soon as
 * `child` (when given) has exited, since then it never will.
 */
export async function waitFor(what: string, ready: () => boolean, options: { child?: ChildProcess; deadlineMs?: number } = {}): Promise<void> {
  const { child, deadlineMs = 10_000 } = options;
  const deadline = performance.now() + deadlineMs;
  while (!ready()) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`cosy exited (${child.exitCode ?? child.signalCode}) while the test waited for ${what}`);
    }
    if (performance.now() > deadline) throw new Error(`waited ${deadlineMs} ms for ${what}`);
    await sleep(10);
  }
}

/**
 * Runs `steps` (writing stdin, waiting, signalling) beside the CLI. The test awaits the result after the run: a step
 * that failed (a deadline) is the test's failure; it kills the CLI, so the run ends at once.
 */
export function beside(child: ChildProcess, steps: () => Promise<void>): Promise<void> {
  const done = steps().catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  done.catch(() => undefined); // awaited after the run; not an unhandled rejection meanwhile
  return done;
}

/**
 * Freezes `Date` (only: timers and sockets keep real time) at the current time and returns it, so a test moves the
 * clock with `vi.setSystemTime` instead of sleeping past a deadline the emulator computes from `Date.now()` (voice
 * readiness, token expiry), and a slow machine cannot pass the deadline early. Call it before starting the emulator,
 * which takes `Date.now` when it starts. Undo with `vi.useRealTimers()` (emulatorFixture does it after each test).
 */
export function freezeClock(): number {
  const now = Date.now();
  vi.useFakeTimers({ toFake: ['Date'], now });
  return now;
}
