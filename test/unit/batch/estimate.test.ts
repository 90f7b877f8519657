import { describe, expect, it } from 'vitest';
import { checkMaxCost, describeCost, estimateCost, parseMaxCost, priceOf } from '../../../src/batch/estimate.js';

describe('estimateCost', () => {
  it('prices counted characters per 10,000 by model and region', () => {
    const e = estimateCost([{ model: 'cosyvoice-v3-flash', billed: 6_000 }, { model: 'cosyvoice-v3-flash', billed: 4_000 }, { model: 'cosyvoice-v3-plus', billed: 20_000 }], 'cn');
    expect(e.items).toBe(3);
    expect(e.characters).toBe(30_000);
    expect(e.usd).toBeCloseTo(0.14335 + 2 * 0.286706, 10);
    expect(e.cny).toBeCloseTo(1 + 2 * 2, 10);
    expect(e.models.map((m) => [m.model, m.items, m.characters])).toEqual([['cosyvoice-v3-flash', 2, 10_000], ['cosyvoice-v3-plus', 1, 20_000]]);
    expect(describeCost(e)).toBe('$0.7168 (¥5.00)');
  });

  it('uses the region\'s price list (Singapore: US dollars only)', () => {
    const e = estimateCost([{ model: 'cosyvoice-v3-flash', billed: 10_000 }], 'intl');
    expect(e).toMatchObject({ usd: 0.13, cny: null });
    expect(describeCost(e)).toBe('$0.1300');
  });

  it('an unpriced model makes the total unknown', () => {
    const e = estimateCost([{ model: 'cosyvoice-v1', billed: 100 }, { model: 'cosyvoice-v3-flash', billed: 100 }], 'cn');
    expect(e.usd).toBeNull();
    expect(describeCost(e)).toBe('unknown (no price for cosyvoice-v1)');
    expect(priceOf('no-such-model', 'cn')).toEqual({ usd: null, cny: null });
    expect(estimateCost([], 'cn')).toMatchObject({ characters: 0, usd: 0, cny: 0 });
  });
});

describe('--max-cost', () => {
  it.each([['2', 2], ['$0.50', 0.5], ['.25', 0.25], ['3usd', 3], [' 1.5 USD ', 1.5]])('parses %j', (text, amount) => {
    expect(parseMaxCost(text)).toBe(amount);
  });
  it.each(['', 'abc', '-1', '¥5', '1e3'])('refuses %j', (text) => {
    expect(() => parseMaxCost(text)).toThrow('is not an amount in US dollars');
  });

  it('refuses a batch above the limit, and one whose price is unknown', () => {
    const e = estimateCost([{ model: 'cosyvoice-v3-flash', billed: 100_000 }], 'cn');
    expect(() => checkMaxCost(e, 1.44)).not.toThrow();
    expect(() => checkMaxCost(e, 1.43)).toThrow('the batch would cost about $1.43 (100,000 characters in 1 request(s)), above --max-cost $1.43; nothing was sent');
    expect(() => checkMaxCost(estimateCost([{ model: 'cosyvoice-v1', billed: 1 }], 'cn'), 100)).toThrow('no US-dollar price for cosyvoice-v1');
  });
});
