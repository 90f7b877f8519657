import { describe, expect, it } from 'vitest';
import { createStartLimiter, startSpacingMs } from '../../../src/batch/rate-limit.js';

describe('createStartLimiter', () => {
  it('spaces starts so that no rolling second holds more than rps, even when callers race', async () => {
    const rps = 25;
    const limiter = createStartLimiter(rps);
    const times: number[] = [];
    await Promise.all(Array.from({ length: 30 }, async () => {
      await limiter();
      times.push(performance.now());
    }));
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
