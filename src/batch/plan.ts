/**
 * What a run has to do, from the checked items and the ledger: items done earlier whose file is intact are
 * skipped, items that failed for good earlier are left alone unless `--retry-failed`, everything else is work.
 * Work is grouped by request (the cache): each group is synthesised once, or copied from an intact earlier output.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { groupByRequest } from './cache.js';
import { isIntact } from './files.js';
import type { DoneEntry, FailedEntry, ItemEntry, LedgerEntry } from './ledger.js';
import type { ResolvedItem } from './item.js';
import { sidecarPath } from './naming.js';

/** A checked item with its output path. */
export interface PlannedItem extends ResolvedItem {
  /** Output path relative to the output folder (as the ledger records it). */
  output: string;
  /** Absolute output path. */
  path: string;
}

export { sidecarPath };

/** Whether an item's sidecar (when it wants one) exists. */
function sidecarPresent(item: PlannedItem): boolean {
  return item.subtitles === undefined || existsSync(sidecarPath(item.path, item.subtitles.format));
}

/** Where the audio of a unit comes from. */
export type UnitSource = { kind: 'synthesize' } | { kind: 'copy'; path: string; fromId: string };

/** Items sharing one request: produced once from `source`. */
export interface WorkUnit {
  key: string;
  items: PlannedItem[];
  source: UnitSource;
}

/** The plan of a run. */
export interface BatchPlan {
  /** Every selected item (the shard's), in manifest order. */
  items: PlannedItem[];
  skipped: { item: PlannedItem; record: DoneEntry }[];
  failedEarlier: { item: PlannedItem; record: FailedEntry }[];
  units: WorkUnit[];
}

/** Choices that change the plan. */
export interface PlanOptions {
  /** Redo every item, done or not; the ledger is not used as a cache. */
  force: boolean;
  /** Redo items that failed for good in an earlier run. */
  retryFailed: boolean;
  /** Synthesise identical requests once and copy the audio. */
  cache: boolean;
}

/** Plans a run over `items` (already in their shard) with the ledger's latest entries and all its entries. */
export async function planBatch(
  items: readonly PlannedItem[],
  ledger: { latest: ReadonlyMap<string, ItemEntry>; entries: readonly LedgerEntry[] },
  outDir: string,
  options: PlanOptions,
): Promise<BatchPlan> {
  const skipped: BatchPlan['skipped'] = [];
  const failedEarlier: BatchPlan['failedEarlier'] = [];
  const work: PlannedItem[] = [];
  for (const item of items) {
    const record = options.force ? undefined : ledger.latest.get(item.id);
    if (
      record?.event === 'done' &&
      record.key === item.key &&
      record.file === item.output &&
      sidecarPresent(item) &&
      (await isIntact(item.path, record.bytes, record.sha256))
    ) {
      skipped.push({ item, record });
    } else if (record?.event === 'failed' && record.key === item.key && !record.retryable && !options.retryFailed) {
      failedEarlier.push({ item, record });
    } else {
      work.push(item);
    }
  }

  const sources = new Map<string, { path: string; fromId: string }>();
  if (options.cache) {
    for (const { item } of skipped) if (!sources.has(item.key)) sources.set(item.key, { path: item.path, fromId: item.id });
    if (!options.force) await addLedgerSources(sources, work, ledger.entries, outDir);
  }
  const units = groupByRequest(work, options.cache).map((group): WorkUnit => {
    const source = sources.get(group.key);
    return { key: group.key, items: group.items, source: source ? { kind: 'copy', ...source } : { kind: 'synthesize' } };
  });
  return { items: [...items], skipped, failedEarlier, units };
}

/**
 * Adds, for keys some work needs, an intact output an earlier run recorded as done (any item id). Files this run
 * will overwrite are not used: they would change under the copy.
 */
async function addLedgerSources(
  sources: Map<string, { path: string; fromId: string }>,
  work: readonly PlannedItem[],
  entries: readonly LedgerEntry[],
  outDir: string,
): Promise<void> {
  const needed = new Set(work.map((i) => i.key).filter((k) => !sources.has(k)));
  if (needed.size === 0) return;
  const overwritten = new Set(work.map((i) => i.output));
  const candidates = entries.filter((e): e is DoneEntry => e.event === 'done' && needed.has(e.key) && !overwritten.has(e.file)).reverse();
  for (const entry of candidates) {
    if (sources.has(entry.key)) continue;
    const path = join(outDir, entry.file);
    if (await isIntact(path, entry.bytes, entry.sha256)) sources.set(entry.key, { path, fromId: entry.id });
  }
}
