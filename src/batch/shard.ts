/**
 * `--shard I/N`: a deterministic subset of a manifest, so that a CI matrix or GNU parallel can split one batch over
 * several runners. The manifest's distinct requests are numbered in order of first appearance (0, 1, 2, …) and
 * request k belongs to shard (k mod N) + 1. Every item is in exactly one shard, shards differ in size by at most one
 * request, and identical requests always land in the same shard, so the request cache still synthesises each once.
 */
import { UsageError } from '../errors.js';
import { groupByRequest } from './cache.js';

/** A shard of the manifest, 1-based (`2/4` = index 2 of count 4). */
export interface ShardSpec {
  index: number;
  count: number;
}

/**
 * Parses `I/N` with 1 ≤ I ≤ N.
 * @throws UsageError showing the expected form.
 */
export function parseShard(value: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard ${value} is not of the form I/N with 1 ≤ I ≤ N (for example --shard 2/4)`);
  }
  return { index, count };
}

/** The shard (1-based) each item belongs to, in item order. Depends only on the items' request keys and order. */
export function shardOf<T extends { key: string }>(items: readonly T[], count: number): number[] {
  const groupIndex = new Map<string, number>();
  groupByRequest(items).forEach((group, k) => groupIndex.set(group.key, k));
  return items.map((item) => ((groupIndex.get(item.key) ?? 0) % count) + 1);
}

/** The items of one shard, in manifest order. */
export function selectShard<T extends { key: string }>(items: readonly T[], shard: ShardSpec | undefined): T[] {
  if (!shard || shard.count === 1) return [...items];
  const shards = shardOf(items, shard.count);
  return items.filter((_item, i) => shards[i] === shard.index);
}
