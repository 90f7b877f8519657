/**
 * The emulator's rate limiter: at most N admissions in any rolling window (1 s for the service's per-second quota).
 * One limiter serves the whole emulator, as the real limit is per account. Rejected attempts are not admitted and
 * so do not count against later ones.
 */

/** Length of the rolling window of the per-second quota. */
export const RATE_WINDOW_MS = 1_000;

/** A rolling-window admission counter. */
export interface RateLimiter {
  /** Admits one more request now, or returns false when the window is full. */
  tryAdmit(): boolean;
}

/** A limiter admitting `limit` requests per `windowMs`; `now` is injectable for tests. */
export function createRateLimiter(limit: number, windowMs = RATE_WINDOW_MS, now: () => number = Date.now): RateLimiter {
  const admitted: number[] = [];
  return {
    tryAdmit(): boolean {
      const t = now();
      while (admitted.length > 0 && (admitted[0] ?? 0) <= t - windowMs) admitted.shift();
      if (admitted.length >= limit) return false;
      admitted.push(t);
      return true;
    },
  };
}

/** A limiter that admits everything (no throttling configured). */
export const UNLIMITED: RateLimiter = { tryAdmit: () => true };

/**
 * Refuses the first `count` attempts whatever the rate, then defers to `then`: a throttle a test can count on
 * (a client's retry after throttling), where a rate depends on how fast the client happens to be.
 */
export function refuseFirst(count: number, then: RateLimiter): RateLimiter {
  let left = Math.max(0, Math.floor(count));
  return {
    tryAdmit(): boolean {
      if (left > 0) {
        left -= 1;
        return false;
      }
      return then.tryAdmit();
    },
  };
}
