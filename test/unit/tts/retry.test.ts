import { describe, expect, it } from 'vitest';
import {
  AuthError,
  CosyError,
  InterruptedError,
  NetworkError,
  PartialOutputError,
  ProtocolError,
  ServiceError,
  TimeoutError,
  UsageError,
} from '../../../src/errors.js';
import {
  DEFAULT_RETRIES,
  RETRY_BASE_DELAY_MS,
  RETRY_JITTER,
  RETRY_MAX_DELAY_MS,
  isRetryable,
  retryDelayMs,
} from '../../../src/tts/retry.js';

const RATE_LIMITED = 'Requests rate limit exceeded, please try again later.';

describe('isRetryable', () => {
  const abort = new Error('aborted');
  abort.name = 'AbortError';

  it.each<[string, unknown, boolean]>([
    // Throttling and server faults (protocol.md §5: retry with backoff).
    ['Throttling.RateQuota task-failed', new ServiceError('Throttling.RateQuota', RATE_LIMITED), true],
    ['Throttling task-failed', new ServiceError('Throttling', RATE_LIMITED), true],
    ['Throttling.BurstRate', new ServiceError('Throttling.BurstRate', 'ramped too fast'), true],
    ['rate-limit message without a code', new ServiceError('', RATE_LIMITED), true],
    ['InternalError', new ServiceError('InternalError', 'An internal error has occured'), true],
    ['InternalError.Algo', new ServiceError('InternalError.Algo', 'algo'), true],
    ['SystemError', new ServiceError('SystemError', 'x'), true],
    ['ModelServiceFailed', new ServiceError('ModelServiceFailed', 'x'), true],
    ['RequestTimeOut', new ServiceError('RequestTimeOut', 'x'), true],
    ['ModelServingError', new ServiceError('ModelServingError', 'capacity'), true],
    ['ModelUnavailable', new ServiceError('ModelUnavailable', 'capacity'), true],
    ['HTTP 429 at the handshake', new ServiceError('HTTP429', 'HTTP 429 at the WebSocket handshake', { status: 429 }), true],
    ['HTTP 500', new ServiceError('', '', { status: 500 }), true],
    ['HTTP 503', new ServiceError('ServiceUnavailable', 'busy', { status: 503 }), true],
    ['HTTP 504', new ServiceError('', '', { status: 504 }), true],
    // Network failures and timeouts.
    ['NetworkError', new NetworkError('connection reset'), true],
    ['TimeoutError', new TimeoutError('stalled'), true],
    // Everything the user must fix.
    ['InvalidParameter 418', new ServiceError('InvalidParameter', '[tts:]Engine return error code: 418'), false],
    ['InvalidParameter empty text', new ServiceError('InvalidParameter', 'Please ensure input text is valid.'), false],
    ['InvalidParameter over HTTP 400', new ServiceError('InvalidParameter', 'bad', { status: 400 }), false],
    ['DataInspectionFailed', new ServiceError('DataInspectionFailed', 'Input or output data may contain inappropriate content.'), false],
    ['Arrearage', new ServiceError('Arrearage', 'Access denied, please make sure your account is in good standing.'), false],
    ['AccessDenied 403', new ServiceError('AccessDenied', 'denied', { status: 403 }), false],
    ['AuthError 401', new AuthError('rejected', { status: 401 }), false],
    ['AuthError 403', new AuthError('rejected', { status: 403 }), false],
    ['UsageError', new UsageError('bad option'), false],
    ['ProtocolError', new ProtocolError('malformed frame'), false],
    ['PartialOutputError', new PartialOutputError(new NetworkError('reset'), 10), false],
    ['InterruptedError', new InterruptedError(), false],
    ['a plain Error', new Error('boom'), false],
    ['an AbortError', abort, false],
    ['a string', 'Throttling', false],
    ['undefined', undefined, false],
  ])('%s → %s', (_name, err, expected) => {
    expect(isRetryable(err)).toBe(expected);
    if (err instanceof CosyError) expect(err.retryable).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base delay per attempt and caps at the maximum (no jitter)', () => {
    const none = (): number => 0;
    expect([0, 1, 2, 3, 4, 10, 50].map((a) => retryDelayMs(a, none))).toEqual([
      RETRY_BASE_DELAY_MS,
      RETRY_BASE_DELAY_MS * 2,
      RETRY_BASE_DELAY_MS * 4,
      RETRY_MAX_DELAY_MS,
      RETRY_MAX_DELAY_MS,
      RETRY_MAX_DELAY_MS,
      RETRY_MAX_DELAY_MS,
    ]);
    // The policy documented in docs/cli.md: from 1 s, capped at 8 s.
    expect(RETRY_BASE_DELAY_MS).toBe(1_000);
    expect(RETRY_MAX_DELAY_MS).toBe(8_000);
    expect(DEFAULT_RETRIES).toBe(2);
  });

  it.each([0, 0.25, 0.5, 0.75, 0.999999])('takes off at most the jitter fraction (random %s)', (r) => {
    for (const attempt of [0, 1, 2, 3, 4, 8]) {
      const raw = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** attempt);
      const delay = retryDelayMs(attempt, () => r);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeLessThanOrEqual(raw);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(raw * (1 - RETRY_JITTER)));
      expect(delay).toBe(Math.round(raw * (1 - RETRY_JITTER * r)));
    }
  });

  it('is never shorter than 750 ms nor longer than 8 s, and never decreases with the attempt for a fixed random', () => {
    for (const r of [0, 0.3, 0.999]) {
      let previous = 0;
      for (let attempt = 0; attempt < 12; attempt++) {
        const delay = retryDelayMs(attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(750);
        expect(delay).toBeLessThanOrEqual(8_000);
        expect(delay).toBeGreaterThanOrEqual(previous);
        previous = delay;
      }
    }
  });

  it('uses Math.random by default, within the bounds', () => {
    for (let i = 0; i < 50; i++) {
      const delay = retryDelayMs(1);
      expect(delay).toBeGreaterThanOrEqual(1_500);
      expect(delay).toBeLessThanOrEqual(2_000);
    }
  });
});
