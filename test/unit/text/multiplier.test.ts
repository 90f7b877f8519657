import { describe, expect, it } from 'vitest';
import { parseMultiplier } from '../../../src/text/multiplier.js';

describe('parseMultiplier', () => {
  it.each([
    ['1.1', 1.1],
    [' 0.5 ', 0.5],
    ['2', 2],
    ['.75', 0.75],
    ['+1.2', 1.2],
    ['-10%', 0.9],
    ['+10%', 1.1],
    ['-50%', 0.5],
    ['+100%', 2],
    ['-33.3%', 0.667],
    ['+0%', 1],
  ])('%j → %d', (text, value) => {
    expect(parseMultiplier(text)).toBe(value);
  });

  it.each(['', ' ', 'fast', '10 %', '25%', '%', '1.1x', '1e1', '0x10', '--10%', 'Infinity', 'NaN'])('%j is neither', (text) => {
    expect(parseMultiplier(text)).toBeUndefined();
  });
});
