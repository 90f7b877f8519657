/**
 * The retry policy, in one place: which failures are retried and how long to wait (protocol.md §5).
 * Retried: throttling, server faults (5xx codes), network failures and timeouts. Never retried: anything the user
 * must fix (auth, parameters, text), and a task whose audio already reached an output that cannot be rewound.
 */
import { CosyError } from '../errors.js';

/** Retries of one task after its first attempt, unless `--retries` says otherwise. */
export const DEFAULT_RETRIES = 2;
/** First backoff delay; doubles per attempt. Throttling resets within about a second (protocol.md §2.12). */
export const RETRY_BASE_DELAY_MS = 1_000;
/** Longest backoff delay. */
export const RETRY_MAX_DELAY_MS = 8_000;
/** Up to this fraction of the delay is taken off at random, so parallel clients do not retry in step. */
export const RETRY_JITTER = 0.25;

/** Whether a failure is worth another attempt. */
export function isRetryable(err: unknown): boolean {
  return err instanceof CosyError && err.retryable;
}

/** Delay before retry number `attempt` (0 = first retry), with jitter from `random` (0 ≤ r < 1). */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const raw = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** attempt);
  return Math.round(raw * (1 - RETRY_JITTER * random()));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
