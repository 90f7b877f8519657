/**
 * The summary of a batch run: counts (done, cached, skipped, failed, not started), billed characters and their
 * estimated cost, retries and wall time; as an object (`--json`, the last progress event) and as lines for people.
 */
import { CosyError, ExitCode, InterruptedError } from '../errors.js';
import type { Region } from '../protocol/models.js';
import { describeCost, estimateCost } from './estimate.js';
import type { BatchPlan } from './plan.js';
import type { BatchOutcome, StopReason } from './run.js';

/** A failed item, in the summary. */
export interface SummaryFailure {
  id: string;
  line: number;
  file: string;
  message: string;
  /** Whether a plain rerun tries it again (false: only with --retry-failed). */
  retryable: boolean;
  /** Whether it failed in an earlier run and was not tried in this one. */
  earlier: boolean;
  /** Ids of the tasks the service knew the item's attempts by (empty when none started). */
  task_ids: string[];
}

/** The summary of a run. Keys are stable: scripts read them. */
export interface BatchSummary {
  ok: boolean;
  /** Items in the manifest. */
  items: number;
  /** Items in this shard (= items without --shard). */
  selected: number;
  shard: string | null;
  done: number;
  cached: number;
  skipped: number;
  failed: number;
  failed_earlier: number;
  not_started: number;
  /** Billed characters of this run. */
  characters: number;
  estimated_cost: { usd: number | null; cny: number | null; region: Region };
  retries: number;
  throttled: number;
  wall_ms: number;
  stopped: StopReason | null;
  out_dir: string;
  ledger: string;
  failures: SummaryFailure[];
}

/** What the summary is built from. */
export interface SummaryInput {
  manifestItems: number;
  shard: string | null;
  plan: BatchPlan;
  outcome: BatchOutcome;
  region: Region;
  wallMs: number;
  outDir: string;
  ledger: string;
}

/** Builds the summary of a run. */
export function summarize(input: SummaryInput): BatchSummary {
  const { plan, outcome } = input;
  const count = (status: string): number => outcome.results.filter((r) => r.status === status).length;
  const synthesised = outcome.results.filter((r) => r.status === 'done');
  const characters = synthesised.reduce((n, r) => n + r.characters, 0);
  const cost = estimateCost(synthesised.map((r) => ({ model: r.item.model, billed: r.characters })), input.region);
  const failures: SummaryFailure[] = [
    ...outcome.results
      .filter((r) => r.status === 'failed')
      .map((r) => ({ id: r.item.id, line: r.item.line, file: r.item.output, message: r.error?.message ?? 'unknown error', retryable: r.retryable ?? true, earlier: false, task_ids: r.taskIds })),
    ...plan.failedEarlier.map(({ item, record }) => ({ id: item.id, line: item.line, file: item.output, message: record.error.message, retryable: false, earlier: true, task_ids: record.task_ids })),
  ].sort((a, b) => a.line - b.line);
  const failed = count('failed');
  const notStarted = count('not-started');
  return {
    ok: failed === 0 && plan.failedEarlier.length === 0 && notStarted === 0 && outcome.stopReason === undefined,
    items: input.manifestItems,
    selected: plan.items.length,
    shard: input.shard,
    done: synthesised.length,
    cached: count('cached'),
    skipped: plan.skipped.length,
    failed,
    failed_earlier: plan.failedEarlier.length,
    not_started: notStarted,
    characters,
    estimated_cost: { usd: cost.usd, cny: cost.cny, region: input.region },
    retries: outcome.retries,
    throttled: outcome.throttled,
    wall_ms: Math.round(input.wallMs),
    stopped: outcome.stopReason ?? null,
    out_dir: input.outDir,
    ledger: input.ledger,
    failures,
  };
}

/** Most failures listed by name in the summary for people (all are in --json and the ledger). */
const LISTED_FAILURES = 10;

/** The summary as lines for people (stderr). */
export function formatSummary(s: BatchSummary): string[] {
  const counts = [`${s.done} done`, `${s.cached} cached`, `${s.skipped} skipped`, `${s.failed} failed`];
  if (s.failed_earlier > 0) counts.push(`${s.failed_earlier} failed earlier`);
  if (s.not_started > 0) counts.push(`${s.not_started} not started`);
  const of = s.shard !== null ? `${s.selected} items (shard ${s.shard} of ${s.items})` : `${s.selected} items`;
  const cost = describeCost({ usd: s.estimated_cost.usd, cny: s.estimated_cost.cny, models: [] });
  const lines = [
    `batch: ${counts.join(', ')} of ${of}; ${s.characters.toLocaleString('en-US')} characters billed (≈ ${s.characters > 0 ? cost : '$0'}); ` +
      `${s.retries} retr${s.retries === 1 ? 'y' : 'ies'}${s.throttled > 0 ? ` (${s.throttled} throttled)` : ''}; ${(s.wall_ms / 1000).toFixed(1)} s`,
  ];
  for (const f of s.failures.slice(0, LISTED_FAILURES)) {
    const task = f.task_ids.length > 0 ? ` [task ${f.task_ids.at(-1)}]` : '';
    lines.push(`  failed${f.earlier ? ' earlier' : ''}: line ${f.line} (id ${JSON.stringify(f.id)}): ${f.message}${task}`);
  }
  if (s.failures.length > LISTED_FAILURES) lines.push(`  … and ${s.failures.length - LISTED_FAILURES} more (see --json or the ledger)`);
  return lines;
}

/** A batch that ended with items failed or not started. Exit 6 (partial output). */
export class BatchIncompleteError extends CosyError {
  constructor(message: string, hint: string) {
    super(message, 'BATCH_INCOMPLETE', ExitCode.Partial, { hint });
  }
}

/**
 * The error that sets the exit code of a finished run, or undefined when every item is done: the fatal error
 * (3 for credentials), 130 when interrupted, 6 when items failed or were not started.
 */
export function outcomeError(s: BatchSummary, outcome: Pick<BatchOutcome, 'fatal' | 'stopReason'>): CosyError | undefined {
  if (outcome.fatal) return outcome.fatal;
  const left = s.not_started > 0 ? `; ${s.not_started} item(s) not started` : '';
  if (outcome.stopReason === 'interrupted' && s.not_started > 0) {
    return new InterruptedError(`interrupted${left}; the ledger is consistent: run the same command again to finish the batch`);
  }
  const failed = s.failed + s.failed_earlier;
  if (failed === 0 && s.not_started === 0) return undefined;
  const retryable = s.failures.filter((f) => f.retryable).length;
  const hint =
    retryable === failed
      ? 'run the same command again: it retries the failed items and skips the done ones'
      : retryable === 0
        ? 'fix what the errors name, then run the same command with --retry-failed'
        : `run the same command again to retry ${retryable} item(s) that failed for a passing reason; add --retry-failed to retry all ${failed}`;
  return new BatchIncompleteError(`${failed} of ${s.selected} item(s) failed${left}${outcome.stopReason === 'fail-fast' ? ' (stopped by --fail-fast)' : ''}; details in ${s.ledger}`, hint);
}

/** The summary as printed by --json and the last progress event: with the exit code and, if not 0, its error. */
export interface BatchReport extends BatchSummary {
  exit_code: number;
  error?: { code: string; message: string; hint: string | undefined } | undefined;
}

/** The final report of a run, from its summary and the error that sets the exit code (if any). */
export function finalReport(summary: BatchSummary, error: CosyError | undefined): BatchReport {
  if (!error) return { ...summary, exit_code: 0 };
  return { ...summary, exit_code: error.exitCode, error: { code: error.code, message: error.message, hint: error.hint } };
}
