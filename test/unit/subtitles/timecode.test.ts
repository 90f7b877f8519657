import { describe, expect, it } from 'vitest';
import { formatClock, formatLrcTime } from '../../../src/subtitles/timecode.js';

describe('formatClock', () => {
  it.each([
    [0, ',', '00:00:00,000'],
    [1_234, '.', '00:00:01.234'],
    [61_001.6, ',', '00:01:01,002'],
    [3_599_999, '.', '00:59:59.999'],
    [3_600_000, '.', '01:00:00.000'],
    [360_000_000, ',', '100:00:00,000'],
    [-5, '.', '00:00:00.000'],
  ] as const)('%d ms with %j → %s', (ms, sep, expected) => {
    expect(formatClock(ms, sep)).toBe(expected);
  });
});

describe('formatLrcTime', () => {
  it.each([
    [0, '00:00.00'],
    [1_239, '00:01.23'],
    [59_999, '00:59.99'],
    [60_000, '01:00.00'],
    [6_000_000, '100:00.00'],
    [-1, '00:00.00'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatLrcTime(ms)).toBe(expected);
  });
});
