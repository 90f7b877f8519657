/**
 * The limiter on task starts that every worker of a batch shares (wired into each TaskRunner's `beforeRunTask`, so
 * first attempts, retries and reopened connections all wait their turn). Starts are spaced evenly — at most `rps`
 * in any rolling second, with a small margin for the network's jitter — rather than sent in bursts, which the
 * service's per-second quota (protocol.md §2.12) and its burst protection would both reject.
 */
import pThrottle from 'p-throttle';

/**
 * Slack added to the one-second window, in ms: the service counts starts when they arrive, and two run-tasks sent
 * exactly one window apart can arrive less than that apart.
 */
export const WINDOW_MARGIN_MS = 30;

/** Waits for the next start slot; rejects with the signal's reason when aborted while waiting. */
export type StartLimiter = (signal?: AbortSignal) => Promise<void>;

/** Milliseconds between two starts at `rps` starts per second. */
export function startSpacingMs(rps: number): number {
  return (1_000 + WINDOW_MARGIN_MS) / rps;
}

/** A limiter allowing `rps` starts per second; `batchSignal` (a hard abort) drops every waiting start. */
export function createStartLimiter(rps: number, batchSignal?: AbortSignal): StartLimiter {
  const throttle = pThrottle({ limit: 1, interval: startSpacingMs(rps), strict: true, signal: batchSignal });
  const slot = throttle(async (): Promise<void> => undefined);
  return async (signal) => {
    signal?.throwIfAborted();
    const waiting = slot();
    if (!signal) return waiting;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([waiting, aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      waiting.catch(() => undefined);
    }
  };
}
