import { describe, expect, it } from 'vitest';
import { parseShard, selectShard, shardOf } from '../../../src/batch/shard.js';

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseShard', () => {
  it.each([['1/1', 1, 1], ['2/4', 2, 4], [' 4 / 4 ', 4, 4]])('parses %j', (text, index, count) => {
    expect(parseShard(text)).toEqual({ index, count });
  });
  it.each(['0/4', '5/4', '1/0', '1', 'a/b', '1/2/3', '-1/2'])('refuses %j', (text) => {
    expect(() => parseShard(text)).toThrow('is not of the form I/N');
  });
});

describe('shards', () => {
  it('partition any manifest exactly: every item in exactly one shard, in manifest order', () => {
    const next = random(42);
    for (let trial = 0; trial < 200; trial++) {
      const size = Math.floor(next() * 60);
      const distinct = 1 + Math.floor(next() * 30);
      const items = Array.from({ length: size }, (_, n) => ({ n, key: `k${Math.floor(next() * distinct)}` }));
      const count = 1 + Math.floor(next() * 8);
      const seen = new Map<number, number>();
      for (let index = 1; index <= count; index++) {
        const shard = selectShard(items, { index, count });
        expect(shard.map((i) => i.n)).toEqual([...shard.map((i) => i.n)].sort((a, b) => a - b));
        for (const item of shard) seen.set(item.n, (seen.get(item.n) ?? 0) + 1);
      }
      expect([...seen.keys()].sort((a, b) => a - b)).toEqual(items.map((i) => i.n));
      expect([...seen.values()].every((c) => c === 1)).toBe(true);
    }
  });

  it('keeps identical requests together and balances distinct ones within one', () => {
    const items = ['a', 'b', 'a', 'c', 'd', 'b', 'e', 'f', 'g'].map((key, n) => ({ key, n }));
    expect(shardOf(items, 3)).toEqual([1, 2, 1, 3, 1, 2, 2, 3, 1]);
    const sizes = [1, 2, 3].map((index) => new Set(selectShard(items, { index, count: 3 }).map((i) => i.key)).size);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(selectShard(items, undefined)).toEqual(items);
  });
});
