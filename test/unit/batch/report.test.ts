import { describe, expect, it } from 'vitest';
import type { BatchPlan, PlannedItem } from '../../../src/batch/plan.js';
import { finalReport, formatSummary, outcomeError, summarize, type SummaryInput } from '../../../src/batch/report.js';
import type { BatchOutcome, ItemResult } from '../../../src/batch/run.js';
import { AuthError, ExitCode } from '../../../src/errors.js';

const item = (id: string, line: number): PlannedItem => ({ id, line, output: `${id}.mp3`, model: 'cosyvoice-v3-flash' }) as PlannedItem;
const result = (id: string, line: number, status: ItemResult['status'], extra: Partial<ItemResult> = {}): ItemResult => ({
  item: item(id, line), status, characters: status === 'done' ? 10_000 : 0, bytes: 0, durationMs: null, taskIds: [], attempts: 1, ...extra,
});

function input(results: ItemResult[], over: Partial<BatchOutcome> = {}, failedEarlier: BatchPlan['failedEarlier'] = []): SummaryInput {
  return {
    manifestItems: 10,
    shard: null,
    plan: { items: results.map((r) => r.item), skipped: [], failedEarlier, units: [] },
    outcome: { results, stopReason: undefined, retries: 2, throttled: 1, ...over },
    region: 'cn',
    wallMs: 1234,
    outDir: 'out',
    ledger: 'out/cosy-batch.ledger.jsonl',
  };
}

describe('summarize', () => {
  it('counts, bills and prices the run', () => {
    const s = summarize(input([result('a', 1, 'done'), result('b', 2, 'cached'), result('c', 3, 'failed', { error: new Error('boom'), retryable: false })]));
    expect(s).toMatchObject({ ok: false, done: 1, cached: 1, failed: 1, skipped: 0, not_started: 0, characters: 10_000, retries: 2, throttled: 1, wall_ms: 1234 });
    expect(s.estimated_cost).toEqual({ usd: 0.14335, cny: 1, region: 'cn' });
    expect(s.failures).toEqual([{ id: 'c', line: 3, file: 'c.mp3', message: 'boom', retryable: false, earlier: false, task_ids: [] }]);
    expect(formatSummary(s)).toEqual([
      'batch: 1 done, 1 cached, 0 skipped, 1 failed of 3 items; 10,000 characters billed (≈ $0.1434 (¥1.00)); 2 retries (1 throttled); 1.2 s',
      '  failed: line 3 (id "c"): boom',
    ]);
  });
});

describe('outcomeError (the exit code)', () => {
  it('none when every item is done', () => {
    const s = summarize(input([result('a', 1, 'done')]));
    expect(s.ok).toBe(true);
    expect(outcomeError(s, { stopReason: undefined })).toBeUndefined();
  });

  it('6 when an item failed, with the right rerun hint', () => {
    const permanent = summarize(input([result('a', 1, 'failed', { error: new Error('x'), retryable: false })]));
    const err = outcomeError(permanent, { stopReason: undefined });
    expect(err?.exitCode).toBe(ExitCode.Partial);
    expect(err?.message).toBe('1 of 1 item(s) failed; details in out/cosy-batch.ledger.jsonl');
    expect(err?.hint).toBe('fix what the errors name, then run the same command with --retry-failed');
    const passing = summarize(input([result('a', 1, 'failed', { error: new Error('x'), retryable: true })]));
    expect(outcomeError(passing, { stopReason: undefined })?.hint).toBe('run the same command again: it retries the failed items and skips the done ones');
  });

  it('130 when interrupted with items left, the fatal error when there is one', () => {
    const s = summarize(input([result('a', 1, 'done'), result('b', 2, 'not-started')], { stopReason: 'interrupted' }));
    expect(outcomeError(s, { stopReason: 'interrupted' })?.exitCode).toBe(ExitCode.Interrupted);
    const auth = new AuthError('bad key');
    expect(outcomeError(s, { stopReason: 'fatal', fatal: auth })).toBe(auth);
  });
});

describe('finalReport', () => {
  it('adds the exit code, and the error when there is one', () => {
    const s = summarize(input([result('a', 1, 'failed', { error: new Error('x'), retryable: true })]));
    const error = outcomeError(s, { stopReason: undefined });
    expect(finalReport(s, error)).toMatchObject({ exit_code: 6, error: { code: 'BATCH_INCOMPLETE', message: '1 of 1 item(s) failed; details in out/cosy-batch.ledger.jsonl' } });
    const ok = summarize(input([result('a', 1, 'done')]));
    expect(finalReport(ok, undefined)).toEqual({ ...ok, exit_code: 0 });
  });
});
