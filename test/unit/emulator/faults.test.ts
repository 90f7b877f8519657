import { describe, expect, it } from 'vitest';
import { delayBeforeFrame, faultAfterFrames, taskFaults } from '../../../src/emulator/faults.js';
import { isAcceptedKey, isInferencePath, presentedKey } from '../../../src/emulator/handshake.js';
import { createRateLimiter, refuseFirst, UNLIMITED } from '../../../src/emulator/throttle.js';

describe('taskFaults', () => {
  it('applies to every task without times, to the first N with times', () => {
    const options = { failAfterFrames: 2, slowFirstPacketMs: 100, times: 2 };
    expect([0, 1, 2, 3].map((n) => taskFaults(options, n).failAfterFrames)).toEqual([2, 2, undefined, undefined]);
    expect(taskFaults({ closeBeforeTaskStarted: true }, 99).closeBeforeTaskStarted).toBe(true);
    expect(taskFaults(undefined, 0)).toMatchObject({ frameDelayMs: 0, failAfterFrames: undefined });
  });

  it.each([
    [{ dropAfterFrames: 3 }, 3, 'drop'],
    [{ failAfterFrames: 3 }, 3, 'fail'],
    [{ malformedFrameAfter: 0 }, 0, 'malformed'],
    [{ failAfterFrames: 3 }, 2, undefined],
    [{ failAfterFrames: 3, dropAfterFrames: 3 }, 3, 'drop'],
  ] as const)('faultAfterFrames(%j, %d) = %s', (options, frames, expected) => {
    expect(faultAfterFrames(taskFaults(options, 0), frames)).toBe(expected);
  });

  it('delays the first frame by both delays and later frames by the frame delay', () => {
    const faults = taskFaults({ slowFirstPacketMs: 300, frameDelayMs: 10 }, 0);
    expect([delayBeforeFrame(faults, 0), delayBeforeFrame(faults, 1)]).toEqual([310, 10]);
  });
});

describe('createRateLimiter', () => {
  it('admits N per rolling window and does not count refusals', () => {
    let now = 0;
    const limiter = createRateLimiter(2, 1000, () => now);
    expect([limiter.tryAdmit(), limiter.tryAdmit(), limiter.tryAdmit()]).toEqual([true, true, false]);
    now = 999;
    expect(limiter.tryAdmit()).toBe(false);
    now = 1000;
    expect([limiter.tryAdmit(), limiter.tryAdmit(), limiter.tryAdmit()]).toEqual([true, true, false]);
  });
});

describe('refuseFirst', () => {
  it('refuses the first N attempts, then defers to the rate', () => {
    const unlimited = refuseFirst(2, UNLIMITED);
    expect(Array.from({ length: 4 }, () => unlimited.tryAdmit())).toEqual([false, false, true, true]);
    const now = 0;
    const rated = refuseFirst(1, createRateLimiter(1, 1000, () => now));
    expect(Array.from({ length: 3 }, () => rated.tryAdmit())).toEqual([false, true, false]);
  });
});

describe('handshake', () => {
  it.each([
    ['/api-ws/v1/inference', true],
    ['/api-ws/v1/inference/', true],
    ['/api-ws/v1/inference/?api_key=sk-1', true],
    ['/api-ws/v1/inference?x=1', true],
    ['/api-ws/v1/inferences', false],
    ['/api-ws/v2/inference', false],
    ['/', false],
  ])('isInferencePath(%j) = %s', (url, expected) => {
    expect(isInferencePath(url)).toBe(expected);
  });

  it.each([
    [{ authorization: 'Bearer sk-a' }, '/', { key: 'sk-a', scheme: 'Bearer' }],
    [{ authorization: 'bearer sk-a' }, '/', { key: 'sk-a', scheme: 'bearer' }],
    [{ authorization: 'BEARER  sk-a ' }, '/', { key: 'sk-a', scheme: 'BEARER' }],
    [{ authorization: 'Basic abc' }, '/', { key: undefined, scheme: 'Basic' }],
    [{}, '/x?api_key=sk-q', { key: 'sk-q', scheme: undefined }],
    [{}, '/x', { key: undefined, scheme: undefined }],
  ])('presentedKey(%j, %j)', (headers, url, expected) => {
    expect(presentedKey(headers, url)).toEqual(expected);
  });

  it.each([
    ['sk-anything', [], true],
    ['st-token', [], true],
    ['sk-', [], false],
    ['pk-123', [], false],
    [undefined, [], false],
    ['sk-one', ['sk-one'], true],
    ['sk-two', ['sk-one'], false],
  ] as const)('isAcceptedKey(%j, %j) = %s', (key, keys, expected) => {
    expect(isAcceptedKey(key, keys)).toBe(expected);
  });
});
