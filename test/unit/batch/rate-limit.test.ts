import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStartLimiter, startSpacingMs } from '../../../src/batch/rate-limit.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('createStartLimiter', () => {
  it('spaces starts so that no rolling second holds more than rps, even when callers race', async () => {
    // On fake timers (setTimeout and Date, which the limiter uses) every start happens exactly when the limiter let it,
    // so the check is exact: on real timers a late timer could shrink a window the limiter had spaced correctly.
    vi.useFakeTimers();
    const rps = 25;
    const limiter = createStartLimiter(rps);
    const times: number[] = [];
    const all = Promise.all(Array.from({ length: 30 }, async () => {
      await limiter();
      times.push(Date.now());
    }));
    await vi.runAllTimersAsync();
    await all;
    expect(times).toHaveLength(30);
    times.sort((a, b) => a - b);
    for (let i = rps; i < times.length; i++) expect((times[i] ?? 0) - (times[i - rps] ?? 0)).toBeGreaterThanOrEqual(1000);
    const elapsed = (times[times.length - 1] ?? 0) - (times[0] ?? 0);
    expect(elapsed).toBeLessThan(29 * startSpacingMs(rps) + 500);
  });

  it('gives up waiting when the caller aborts', async () => {
    const limiter = createStartLimiter(1);
    await limiter();
    const controller = new AbortController();
    const waiting = limiter(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
