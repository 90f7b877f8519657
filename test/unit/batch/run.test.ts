/**
 * runBatch against the emulator on an ephemeral port (in-process, so faults and stops can be timed precisely):
 * workers, the shared limiter, the cache, the ledger, and how failures, --fail-fast, Ctrl-C and credentials end it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldLedger, LedgerWriter, parseLedger } from '../../../src/batch/ledger.js';
import { loadBatch } from '../../../src/batch/load.js';
import { planBatch, type BatchPlan } from '../../../src/batch/plan.js';
import { runBatch, type RunBatchOptions } from '../../../src/batch/run.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../src/emulator/server.js';
import { AuthError } from '../../../src/errors.js';
import { TaskRunner } from '../../../src/tts/task-runner.js';

const KEY = 'sk-batch-run-test-0123456789';
let dir: string;
let emulator: RunningEmulator | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cosy-batch-run-'));
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function plan(manifest: string): Promise<BatchPlan> {
  const loaded = await loadBatch(manifest, {
    format: 'jsonl', template: '{id}.{ext}', outDir: dir, manifestDir: dir, region: 'cn', defaults: { model: 'cosyvoice-v3-flash', format: 'pcm', sampleRate: 8000 },
    readTextFile: () => Promise.reject(new Error('no files')), defaultVoice: () => 'longanyang',
  });
  expect(loaded.problems).toEqual([]);
  return planBatch(loaded.items, { latest: new Map(), entries: [] }, dir, { force: false, retryFailed: false, cache: true });
}

const lines = (...items: object[]): string => items.map((i) => JSON.stringify(i)).join('\n');

async function run(p: BatchPlan, options: Partial<RunBatchOptions> & { emulatorOptions?: EmulatorOptions; key?: string } = {}) {
  emulator = await startEmulator({ keys: [KEY], msPerCharacter: 5, ...options.emulatorOptions });
  const url = emulator.websocketUrl;
  const ledgerPath = join(dir, 'cosy-batch.ledger.jsonl');
  const ledger = await LedgerWriter.open(ledgerPath);
  const outcome = await runBatch(p.units, {
    concurrency: 3, rps: 50, retries: 3, failFast: false, ledger,
    createRunner: (beforeRunTask) => new TaskRunner({ url, apiKey: options.key ?? KEY, userAgent: 'cosy-test', beforeRunTask }),
    ...options,
  });
  await ledger.close();
  const entries = parseLedger(readFileSync(ledgerPath, 'utf8')).entries;
  return { outcome, entries, latest: foldLedger(entries), emulator };
}

describe('runBatch', () => {
  it('synthesises each distinct request once, copies the identical ones, and records everything', async () => {
    const p = await plan(lines({ id: 'a', text: 'One.' }, { id: 'b', text: 'Two.' }, { id: 'c', text: 'One.' }, { id: 'd', text: 'Three.' }));
    const { outcome, latest, emulator } = await run(p);
    expect(emulator.tasks.map((t) => t.texts.join('')).sort()).toEqual(['One.', 'Three.', 'Two.']);
    expect(outcome.results.map((r) => [r.item.id, r.status]).sort()).toEqual([['a', 'done'], ['b', 'done'], ['c', 'cached'], ['d', 'done']]);
    expect(readFileSync(join(dir, 'c.pcm'))).toEqual(readFileSync(join(dir, 'a.pcm')));
    expect(latest.get('c')).toMatchObject({ event: 'done', cached_from: 'a', characters: 0 });
    expect(latest.get('a')).toMatchObject({ event: 'done', characters: 4, attempts: 1, bytes: readFileSync(join(dir, 'a.pcm')).length });
    expect(outcome.stopReason).toBeUndefined();
    // Three workers, three connections at most, each reused.
    expect(emulator.connections()).toBeLessThanOrEqual(3);
  });

  it('retries a faulted task and records a permanent failure, and the batch goes on', async () => {
    const p = await plan(lines({ id: 'a', text: 'First item.' }, { id: 'bad', text: 'Hi.', voice: 'nobody' }, { id: 'bad2', text: 'Hi.', voice: 'nobody' }, { id: 'c', text: 'Third item.' }));
    const { outcome, latest } = await run(p, { concurrency: 1, emulatorOptions: { faults: { failAfterFrames: 0, times: 1 } } });
    const status = Object.fromEntries(outcome.results.map((r) => [r.item.id, r.status]));
    expect(status).toEqual({ a: 'done', bad: 'failed', bad2: 'failed', c: 'done' });
    expect(outcome.retries).toBe(1);
    expect(latest.get('a')).toMatchObject({ event: 'done', attempts: 2 });
    expect(latest.get('bad')).toMatchObject({ event: 'failed', retryable: false, error: { code: 'SERVICE', service_code: 'InvalidParameter' } });
    expect(latest.get('bad2')).toMatchObject({ event: 'failed', retryable: false, error: { code: 'SAME_REQUEST_FAILED' } });
    expect(existsSync(join(dir, 'bad.pcm'))).toBe(false);
  });

  it('--fail-fast stops starting items after the first failure', async () => {
    const p = await plan(lines({ id: 'bad', text: 'Hi.', voice: 'nobody' }, { id: 'b', text: 'Two.' }, { id: 'c', text: 'Three.' }));
    const { outcome, entries } = await run(p, { concurrency: 1, failFast: true });
    expect(outcome.stopReason).toBe('fail-fast');
    expect(outcome.results.map((r) => r.status)).toEqual(['failed', 'not-started', 'not-started']);
    expect(entries.filter((e) => e.event === 'start')).toHaveLength(1);
  });

  it('a graceful stop lets in-flight items finish and starts no new ones', async () => {
    const p = await plan(lines(...Array.from({ length: 8 }, (_, i) => ({ id: `i${i}`, text: `Item number ${i}.` }))));
    const stop = new AbortController();
    const { outcome, entries, emulator } = await run(p, {
      concurrency: 2,
      rps: 10,
      stop: stop.signal,
      events: { itemFinished: () => stop.abort() },
      emulatorOptions: { faults: { frameDelayMs: 30 } },
    });
    expect(outcome.stopReason).toBe('interrupted');
    const done = outcome.results.filter((r) => r.status === 'done').map((r) => r.item.id);
    const notStarted = outcome.results.filter((r) => r.status === 'not-started').map((r) => r.item.id);
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.length).toBeLessThanOrEqual(2);
    expect(done.length + notStarted.length).toBe(8);
    // Consistent ledger: exactly the items sent were recorded, and each of them ended.
    const started = entries.filter((e) => e.event === 'start').map((e) => (e.event === 'start' ? e.id : '')).sort();
    expect(started).toEqual([...done].sort());
    expect(emulator.tasks.map((t) => t.status)).toEqual(done.map(() => 'finished'));
  });

  it('an item still waiting for its start slot when the batch stops is abandoned, with its identical twins', async () => {
    // Two workers race for the first start slot (whichever connection opens first asks first), so either pair may
    // win; the other waits two seconds for its slot, and the stop comes when the winner finishes.
    const p = await plan(lines({ id: 'a', text: 'First.' }, { id: 'a2', text: 'First.' }, { id: 'b', text: 'Twin.' }, { id: 'c', text: 'Twin.' }));
    const stop = new AbortController();
    const { outcome, entries, emulator } = await run(p, { concurrency: 2, rps: 0.5, stop: stop.signal, events: { itemFinished: () => stop.abort() } });
    const status = Object.fromEntries(outcome.results.map((r) => [r.item.id, r.status]));
    const [winner, twin, loser, loserTwin] = status.a === 'done' ? ['a', 'a2', 'b', 'c'] : ['b', 'c', 'a', 'a2'];
    expect(status).toEqual({ [winner]: 'done', [twin]: 'cached', [loser]: 'not-started', [loserTwin]: 'not-started' });
    expect(entries.flatMap((e) => (e.event === 'run' ? [] : [[e.event, e.id]]))).toEqual([['start', winner], ['done', winner], ['done', twin]]);
    expect(emulator.tasks).toHaveLength(1);
  });

  it('throttled task starts are retried through the shared limiter until every item is done', async () => {
    const p = await plan(lines(...Array.from({ length: 8 }, (_, i) => ({ id: `t${i}`, text: `Throttle test ${i}.` }))));
    const { outcome, emulator } = await run(p, { concurrency: 4, rps: 20, retries: 6, emulatorOptions: { faults: { maxTasksPerSecond: 4 } } });
    expect(outcome.results.every((r) => r.status === 'done')).toBe(true);
    expect(outcome.throttled).toBeGreaterThan(0);
    expect(outcome.retries).toBe(outcome.throttled);
    expect(emulator.tasks.filter((t) => t.status === 'finished')).toHaveLength(8);
  }, 30_000);

  it('a rejected key stops the batch: the failure concerns every item', async () => {
    const p = await plan(lines({ id: 'a', text: 'One.' }, { id: 'b', text: 'Two.' }, { id: 'c', text: 'Three.' }));
    const { outcome } = await run(p, { concurrency: 1, key: 'sk-wrong-key-0123456789' });
    expect(outcome.stopReason).toBe('fatal');
    expect(outcome.fatal).toBeInstanceOf(AuthError);
    expect(outcome.results.map((r) => r.status)).toEqual(['failed', 'not-started', 'not-started']);
  });
});
