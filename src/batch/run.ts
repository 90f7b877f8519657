/**
 * The batch runner: `concurrency` workers, each with its own TaskRunner (its connection reused from item to item),
 * share one limiter on task starts. Each unit of work is synthesised atomically (or copied from an identical
 * request) and recorded in the ledger; a failure is recorded and the batch goes on, unless it is fatal for every
 * item (credentials, account), `--fail-fast` asks to stop, or the user interrupts: then no new item starts, the
 * ones in flight finish, and the ledger stays consistent.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import pLimit from 'p-limit';
import { audioDurationMs } from '../audio/duration.js';
import { AuthError, CosyError, ExitCode, ProtocolError, ServiceError } from '../errors.js';
import { FileSink } from '../tts/audio-sink.js';
import { isRetryable } from '../tts/retry.js';
import { synthesize, type SynthesisSummary } from '../tts/synthesize.js';
import type { TaskRunner } from '../tts/task-runner.js';
import { copyAtomic, hashFile } from './files.js';
import { LedgerWriteError, type LedgerError, type LedgerWriter } from './ledger.js';
import { sidecarPath, type PlannedItem, type WorkUnit } from './plan.js';
import { ssmlTextContent } from '../protocol/counting.js';
import { SubtitleRecorder, type SubtitleFlags } from '../subtitles/recorder.js';
import { existsSync } from 'node:fs';
import { createStartLimiter, type StartLimiter } from './rate-limit.js';

/** How an item of this run ended. */
export type ItemStatus = 'done' | 'cached' | 'failed' | 'not-started';

/** The outcome of one item in this run. */
export interface ItemResult {
  item: PlannedItem;
  status: ItemStatus;
  /** Billed characters (0 for copies and failures before any task finished). */
  characters: number;
  bytes: number;
  durationMs: number | null;
  taskIds: string[];
  attempts: number;
  /** The failure, for `failed`. */
  error?: Error | undefined;
  /** Whether a later run may succeed unchanged, for `failed`. */
  retryable?: boolean | undefined;
  /** Id of the item the audio was copied from, for `cached`. */
  cachedFrom?: string | undefined;
}

/** What the runner reports as it goes (progress, logs). */
export interface BatchEvents {
  /** An item is about to be synthesised or copied. */
  itemStarted?: (item: PlannedItem) => void;
  /** An item ended (every item of the plan's units ends exactly once). */
  itemFinished?: (result: ItemResult) => void;
  /** A task of an item failed and will be retried after `delayMs`. */
  retry?: (item: PlannedItem, error: CosyError, attempt: number, delayMs: number) => void;
}

/** Why the run stopped starting items, if it did. */
export type StopReason = 'interrupted' | 'fail-fast' | 'fatal';

/** How to run. */
export interface RunBatchOptions {
  /** Workers, i.e. tasks in flight at once. */
  concurrency: number;
  /** Task starts per second, shared by every worker. */
  rps: number;
  /** Retries of a task after a retryable failure. */
  retries: number;
  /** Stop starting items after the first failure. */
  failFast: boolean;
  /** Hard abort: in-flight tasks are cut off. */
  signal?: AbortSignal | undefined;
  /** Graceful stop: no new item starts, in-flight ones finish. */
  stop?: AbortSignal | undefined;
  ledger: LedgerWriter;
  /** Makes the runner of one worker, with the shared limiter as its `beforeRunTask`. */
  createRunner: (beforeRunTask: StartLimiter) => TaskRunner;
  events?: BatchEvents | undefined;
  /** Cue options of the items' subtitle sidecars. */
  subtitleOptions?: SubtitleFlags | undefined;
  /** Test seam (COSY_TEST_DISK_FULL_AFTER): file writes fail with ENOSPC after this many bytes. */
  failAfterBytes?: number | undefined;
}

/** The outcome of a run. */
export interface BatchOutcome {
  /** One result per item of the plan's units, in completion order. */
  results: ItemResult[];
  stopReason: StopReason | undefined;
  /** The error that stopped the batch, for `fatal`. */
  fatal?: CosyError | undefined;
  /** Task retries made, in all. */
  retries: number;
  /** Of those, retries after the service throttled a task. */
  throttled: number;
}

/** Service error codes that concern the account, not the item: every later item would fail the same way. */
const ACCOUNT_CODES = /^(Arrearage|AccessDenied|Model\.AccessDenied|Workspace\.AccessDenied|AllocationQuota\.FreeTierOnly|InvalidApiKey)/;

/** Whether a failure will fail every item, so the batch should stop: the account or the output disk, not the item. */
export function isFatalForBatch(err: unknown): err is CosyError {
  return (
    err instanceof AuthError ||
    (err instanceof ServiceError && ACCOUNT_CODES.test(err.serviceCode)) ||
    (err instanceof CosyError && err.code === 'DISK_FULL')
  );
}

/**
 * Whether a plain rerun should redo a failed item: anything that was not the item's own fault (a retryable service
 * or network failure, the account, the disk, a malformed frame from the server, an interruption). Only failures
 * the item causes (bad parameters, unknown voice, moderation) wait for --retry-failed.
 */
export function rerunRedoes(err: unknown, interrupted: boolean): boolean {
  return interrupted || !(err instanceof CosyError) || err instanceof ProtocolError || isRetryable(err) || isFatalForBatch(err);
}

/** A failure as the ledger records it. */
export function ledgerError(err: unknown): LedgerError {
  if (err instanceof ServiceError) return { code: err.code, message: err.message, service_code: err.serviceCode };
  if (err instanceof CosyError) return { code: err.code, message: err.message };
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return { code: typeof code === 'string' ? code : 'ERROR', message: err instanceof Error ? err.message : String(err) };
}

const now = (): string => new Date().toISOString();

/** Runs the units of a plan and resolves when every item ended or was left unstarted. */
export async function runBatch(units: readonly WorkUnit[], options: RunBatchOptions): Promise<BatchOutcome> {
  const run = new BatchRun(options);
  return run.execute(units);
}

/** The state of one run. */
class BatchRun {
  readonly #o: RunBatchOptions;
  readonly #limiter: StartLimiter;
  readonly #idle: Worker[] = [];
  readonly #all: Worker[] = [];
  readonly #dirs = new Map<string, Promise<unknown>>();
  /** Items that have a result, so each ends exactly once. */
  readonly #ended = new Set<PlannedItem>();
  readonly #outcome: BatchOutcome = { results: [], stopReason: undefined, retries: 0, throttled: 0 };

  constructor(options: RunBatchOptions) {
    this.#o = options;
    this.#limiter = createStartLimiter(options.rps, options.signal);
  }

  async execute(units: readonly WorkUnit[]): Promise<BatchOutcome> {
    const onStop = (): void => this.#stop('interrupted');
    if (this.#o.stop?.aborted) onStop();
    this.#o.stop?.addEventListener('abort', onStop, { once: true });
    const limit = pLimit(Math.max(1, this.#o.concurrency));
    try {
      await Promise.all(units.map((unit) => limit(() => this.#unit(unit))));
    } finally {
      this.#o.stop?.removeEventListener('abort', onStop);
      for (const worker of this.#all) worker.runner.close();
    }
    return this.#outcome;
  }

  #stop(reason: StopReason, fatal?: CosyError): void {
    if (this.#outcome.stopReason !== undefined) return;
    this.#outcome.stopReason = reason;
    if (fatal) this.#outcome.fatal = fatal;
  }

  #finish(result: ItemResult): void {
    this.#ended.add(result.item);
    this.#outcome.results.push(result);
    this.#o.events?.itemFinished?.(result);
  }

  async #unit(unit: WorkUnit): Promise<void> {
    if (this.#outcome.stopReason !== undefined) {
      for (const item of unit.items) this.#finish(notStarted(item));
      return;
    }
    try {
      if (unit.source.kind === 'copy') {
        for (const item of unit.items) await this.#copy(item, unit.source.path, unit.source.fromId);
        return;
      }
      const [leader, ...followers] = unit.items;
      if (!leader) return;
      const result = await this.#synthesize(leader);
      for (const item of followers) {
        if (result.status === 'done') await this.#copy(item, leader.path, leader.id);
        else if (result.status === 'not-started') this.#finish(notStarted(item));
        else await this.#fail(item, sameRequestFailed(leader, result.error), result.retryable ?? true, 0, []);
      }
    } catch (err) {
      // Item failures are recorded, not thrown: what arrives here is the ledger failing, and without it nothing
      // this run does could be trusted on a rerun.
      this.#stop('fatal', err instanceof CosyError ? err : new LedgerWriteError(err));
      for (const item of unit.items) if (!this.#ended.has(item)) this.#finish(notStarted(item));
    }
  }

  async #ensureDir(path: string): Promise<void> {
    const dir = dirname(path);
    let made = this.#dirs.get(dir);
    if (!made) {
      made = mkdir(dir, { recursive: true });
      this.#dirs.set(dir, made);
    }
    await made;
  }

  #worker(): Worker {
    const idle = this.#idle.pop();
    if (idle) return idle;
    const worker = new Worker(this.#o.createRunner, (w, signal) => this.#gate(w, signal));
    this.#all.push(worker);
    return worker;
  }

  /**
   * Every run-task of a worker waits here: for a start slot of the shared limiter, then — for the first task of an
   * item — for the decision to start it at all. An item still waiting for its slot when the batch stops is abandoned
   * (it never reached the service), and the ledger records an item only once it is really sent.
   */
  async #gate(worker: Worker, signal: AbortSignal | undefined): Promise<void> {
    await this.#limiter(signal);
    const job = worker.job;
    if (!job || job.sent) return;
    if (this.#outcome.stopReason !== undefined) throw new AbandonedError();
    job.sent = true;
    await this.#o.ledger.append({ event: 'start', at: now(), id: job.item.id, key: job.item.key, file: job.item.output });
  }

  async #copy(item: PlannedItem, from: string, fromId: string): Promise<void> {
    this.#o.events?.itemStarted?.(item);
    try {
      await this.#ensureDir(item.path);
      if (item.subtitles) {
        const sidecar = sidecarPath(from, item.subtitles.format);
        if (!existsSync(sidecar)) {
          throw new CosyError(`the identical audio of item ${fromId} has no .${item.subtitles.format} subtitles to copy`, 'NO_SIDECAR', ExitCode.Usage, {
            hint: 'rerun with --no-cache to synthesise this item with its subtitles',
          });
        }
        await copyAtomic(sidecar, sidecarPath(item.path, item.subtitles.format));
      }
      await copyAtomic(from, item.path);
      const [sha256, durationMs, { size }] = await Promise.all([hashFile(item.path), audioDurationMs(item.path, item.format, item.sampleRate), stat(item.path)]);
      await this.#o.ledger.append({
        event: 'done', at: now(), id: item.id, key: item.key, file: item.output, task_ids: [], characters: 0, bytes: size,
        duration_ms: durationMs ?? null, sha256, attempts: 0, cached_from: fromId,
      });
      this.#finish({ item, status: 'cached', characters: 0, bytes: size, durationMs: durationMs ?? null, taskIds: [], attempts: 0, cachedFrom: fromId });
    } catch (err) {
      if (err instanceof LedgerWriteError) throw err;
      await this.#fail(item, err, true, 0, []);
    }
  }

  async #fail(item: PlannedItem, err: unknown, retryable: boolean, attempts: number, taskIds: string[]): Promise<ItemResult> {
    const error = err instanceof Error ? err : new Error(String(err));
    await this.#o.ledger.append({ event: 'failed', at: now(), id: item.id, key: item.key, file: item.output, error: ledgerError(err), retryable, attempts, task_ids: taskIds });
    const result: ItemResult = { item, status: 'failed', characters: 0, bytes: 0, durationMs: null, taskIds, attempts, error, retryable };
    this.#finish(result);
    if (isFatalForBatch(err)) this.#stop('fatal', err);
    else if (this.#o.failFast) this.#stop('fail-fast');
    return result;
  }

  async #synthesize(item: PlannedItem): Promise<ItemResult> {
    this.#o.events?.itemStarted?.(item);
    const worker = this.#worker();
    const runner = worker.runner;
    worker.job = { item, sent: false };
    const started: string[] = [];
    let retries = 0;
    let lastTask = 0;
    let sink: FileSink | undefined;
    try {
      await this.#ensureDir(item.path);
      sink = await FileSink.create(item.path, { wav: item.format === 'wav', failAfterBytes: this.#o.failAfterBytes });
      const recorder = item.subtitles
        ? new SubtitleRecorder(
            { path: sidecarPath(item.path, item.subtitles.format), format: item.subtitles.format, wordTimestamps: item.subtitles.wordTimestamps, flags: this.#o.subtitleOptions ?? {} },
            item.format,
            item.sampleRate,
            item.ssml ? ssmlTextContent(item.tasks.flat().join('')) : item.tasks.flat().join(''),
          )
        : undefined;
      const summary: SynthesisSummary = await synthesize(
        runner,
        { model: item.model, parameters: item.parameters, format: item.format, tasks: item.tasks },
        sink,
        {
          signal: this.#o.signal,
          retries: this.#o.retries,
          onEvent: (event, taskIndex) => {
            recorder?.onEvent(event);
            lastTask = taskIndex;
            if (event.type === 'started') started.push(event.taskId);
          },
          onRetry: (error, attempt, delayMs, taskIndex) => {
            recorder?.onRetry();
            lastTask = taskIndex;
            retries++;
            this.#outcome.retries++;
            if (error instanceof ServiceError && /^Throttling/.test(error.serviceCode)) this.#outcome.throttled++;
            this.#o.events?.retry?.(item, error, attempt, delayMs);
          },
        },
      );
      await sink.commit();
      const [sha256, durationMs] = await Promise.all([hashFile(item.path), audioDurationMs(item.path, item.format, item.sampleRate)]);
      await recorder?.write(durationMs);
      await this.#o.ledger.append({
        event: 'done', at: now(), id: item.id, key: item.key, file: item.output, task_ids: summary.taskIds, characters: summary.characters,
        bytes: summary.bytes, duration_ms: durationMs ?? null, sha256, attempts: summary.attempts,
      });
      const result: ItemResult = {
        item, status: 'done', characters: summary.characters, bytes: summary.bytes, durationMs: durationMs ?? null, taskIds: summary.taskIds, attempts: summary.attempts,
      };
      this.#finish(result);
      return result;
    } catch (err) {
      await sink?.abort();
      if (err instanceof LedgerWriteError) throw err;
      if (err instanceof AbandonedError) {
        const result = notStarted(item);
        this.#finish(result);
        return result;
      }
      const interrupted = this.#o.signal?.aborted === true;
      const taskId = err instanceof CosyError ? err.taskId : undefined;
      if (taskId !== undefined && !started.includes(taskId)) started.push(taskId);
      return this.#fail(item, err, rerunRedoes(err, interrupted), retries + lastTask + 1, started);
    } finally {
      worker.job = undefined;
      this.#idle.push(worker);
    }
  }
}

/** One worker: its runner (and so its connection), and the item it is on. */
class Worker {
  readonly runner: TaskRunner;
  /** The item being synthesised, and whether its first run-task was sent. */
  job: { item: PlannedItem; sent: boolean } | undefined;

  constructor(create: RunBatchOptions['createRunner'], gate: (worker: Worker, signal: AbortSignal | undefined) => Promise<void>) {
    this.runner = create((signal) => gate(this, signal));
  }
}

/** An item left before its first run-task because the batch stopped. */
class AbandonedError extends Error {
  constructor() {
    super('the batch stopped before this item was sent');
    this.name = 'AbandonedError';
  }
}

/** An item the run did not start. */
function notStarted(item: PlannedItem): ItemResult {
  return { item, status: 'not-started', characters: 0, bytes: 0, durationMs: null, taskIds: [], attempts: 0 };
}

/** The failure of an item whose identical request (synthesised by `leader`) failed. */
function sameRequestFailed(leader: PlannedItem, cause: Error | undefined): CosyError {
  const exitCode = cause instanceof CosyError ? cause.exitCode : ExitCode.Service;
  return new CosyError(`the identical request of item ${leader.id} failed: ${cause?.message ?? 'unknown error'}`, 'SAME_REQUEST_FAILED', exitCode, { cause });
}
