/**
 * `cosy batch MANIFEST -d OUTDIR`: many texts to many files. Reads and checks the whole manifest (nothing is sent
 * if any line is bad), plans the run against the ledger, estimates the cost, then hands the work to the batch runner
 * and reports a summary. The logic lives in src/batch/; this file wires flags, streams and the connection.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describeCost, checkMaxCost, estimateCost, parseMaxCost, type CostEstimate } from '../../batch/estimate.js';
import type { ItemDefaults } from '../../batch/item.js';
import { foldLedger, ledgerFileName, LedgerWriter, readLedgers } from '../../batch/ledger.js';
import { loadBatch, type LineProblem } from '../../batch/load.js';
import { detectFormat, type ManifestFormat } from '../../batch/manifest.js';
import { checkTemplate } from '../../batch/naming.js';
import { planBatch, type BatchPlan, type PlannedItem } from '../../batch/plan.js';
import { BatchProgress, type ProgressMode } from '../../batch/progress.js';
import { finalReport, formatSummary, outcomeError, summarize } from '../../batch/report.js';
import { runBatch } from '../../batch/run.js';
import { parseShard, selectShard, type ShardSpec } from '../../batch/shard.js';
import { removeStalePartials } from '../../batch/files.js';
import { loadConfiguration, resolveRegion } from '../../config.js';
import { Config, synthesisDefaults } from '../../config-file.js';
import { ReportedError, UsageError } from '../../errors.js';
import type { AudioFormat } from '../../protocol/limits.js';
import type { Region } from '../../protocol/models.js';
import { pickTuning, type Tuning } from '../../tts/request.js';
import { TaskRunner } from '../../tts/task-runner.js';
import { connectionFor, type ConnectionFlags, type ServiceConnection } from '../connect.js';
import type { CommandContext } from '../context.js';
import { Output } from '../output.js';
import { readInput } from '../read-input.js';
import type { SubtitleFormat } from '../../subtitles/format.js';
import { defaultVoiceFor, diskFullSeam, loadHotFix } from './synthesis-shared.js';
import { modelsOfAnyVoice } from '../../voices/catalogue.js';

/** Options of `cosy batch` after commander parsed them. */
export interface BatchOptions extends ConnectionFlags, Partial<Tuning> {
  subtitles?: SubtitleFormat;
  subtitlesFallback?: string;
  maxCueChars?: number;
  wordsPerCue?: number;
  karaoke?: boolean;
  outDir?: string;
  name: string;
  manifestFormat?: ManifestFormat;
  /** --model; else the configuration's model, else DEFAULT_MODEL. */
  model?: string;
  voice?: string;
  format?: AudioFormat;
  pronounce?: string;
  jobs: number;
  rps: number;
  retries: number;
  timeout?: number;
  failFast?: boolean;
  retryFailed?: boolean;
  force?: boolean;
  cache: boolean;
  estimate?: boolean;
  maxCost?: string;
  shard?: string;
  progress: 'auto' | 'json' | 'none';
  verbose?: boolean;
  quiet?: boolean;
  json?: boolean;
  color?: boolean;
}

/** Most manifest problems printed; the rest are counted. */
const LISTED_PROBLEMS = 20;

/** Runs `cosy batch`. */
export async function runBatchCommand(manifest: string, raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const started = performance.now();
  const o = raw as unknown as BatchOptions;
  const output = Output.from(o, context);
  const shard = o.shard !== undefined ? parseShard(o.shard) : undefined;
  const maxCost = o.maxCost !== undefined ? parseMaxCost(o.maxCost) : undefined;
  checkTemplate(o.name);
  if (o.jobs < 1) throw new UsageError(`--jobs ${o.jobs} must be at least 1`);
  if (o.progress === 'json' && o.json) {
    // Both would write to stdout: NDJSON events, then a summary document.
    throw new UsageError('choose one of --json (a summary document) and --progress json (NDJSON events) for stdout', {
      hint: 'the NDJSON stream ends with a "summary" event, so --progress json alone carries both',
    });
  }
  if (!(o.rps > 0)) throw new UsageError(`--rps ${o.rps} must be above 0`);
  if (o.outDir === undefined && !o.estimate) throw new UsageError('name the output folder with -d OUTDIR', { hint: 'cosy batch lines.txt -d out/' });
  if (o.retryFailed && o.force) throw new UsageError('choose one of --retry-failed and --force (--force redoes every item)');
  const outDir = resolve(context.cwd, o.outDir ?? '.');
  if (o.outDir !== undefined && existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new UsageError(`-d ${o.outDir} is a file, not a folder`, { hint: 'name a folder for the outputs (it is created when missing)' });
  }
  const config = loadConfiguration(context.cwd, context.env, o.profile);
  const region = resolveRegion(o.region, config);

  const input = await readInput({ file: manifest, stdin: context.stdin });
  const manifestPath = manifest === '-' ? join(context.cwd, 'stdin') : resolve(context.cwd, manifest);
  const loaded = await loadBatch(input.text, {
    format: detectFormat(manifestPath, input.text, o.manifestFormat),
    template: o.name,
    outDir,
    manifestDir: dirname(manifestPath),
    region,
    defaults: await defaultsFrom(o, config),
    readTextFile: async (path) => (await readInput({ file: path, stdin: context.stdin })).text,
    defaultVoice: defaultVoiceFor,
  });
  if (loaded.problems.length > 0) throw manifestError(manifest === '-' ? 'stdin' : manifest, loaded.problems);
  for (const [warning, count] of loaded.warnings) output.warn(`${warning}${count > 1 ? ` (${count} items)` : ''}`);

  const selected = selectShard(loaded.items, shard);
  const ledger = await readLedgers(outDir);
  for (const note of ledger.notes) output.debug(`ledger: ${note}`);
  const plan = await planBatch(selected, { latest: foldLedger(ledger.entries), entries: ledger.entries }, outDir, {
    force: o.force === true,
    retryFailed: o.retryFailed === true,
    cache: o.cache,
  });
  const leaders = plan.units.filter((u) => u.source.kind === 'synthesize').flatMap((u) => u.items.slice(0, 1));
  const estimate = estimateCost(leaders, region);
  if (o.estimate) {
    printEstimate(output, o, loaded.items.length, plan, estimate, shard);
    return;
  }
  if (maxCost !== undefined) checkMaxCost(estimate, maxCost);
  await runPlan(o, context, output, { plan, leaders, estimate, region, config, outDir, shard, manifestItems: loaded.items.length, manifestPath, started });
}

/** Everything a run needs from the planning phase. */
interface RunInput {
  plan: BatchPlan;
  leaders: PlannedItem[];
  estimate: CostEstimate;
  region: Region;
  config: Config;
  outDir: string;
  shard: ShardSpec | undefined;
  manifestItems: number;
  manifestPath: string;
  /** performance.now() when the command began (the summary's wall time covers reading and checking too). */
  started: number;
}

/** Connects (only if something must be synthesised), runs the plan, prints the summary, throws for a non-zero exit. */
async function runPlan(o: BatchOptions, context: CommandContext, output: Output, r: RunInput): Promise<void> {
  await mkdir(r.outDir, { recursive: true });
  // The same configuration that checked and priced the items for r.region, so the connection is for that region.
  const connection: ServiceConnection | undefined = r.leaders.length > 0 ? await connectionFor(o, context, output, r.config) : undefined;
  const ledgerPath = join(r.outDir, ledgerFileName(r.shard));
  const shardLabel = r.shard ? `${r.shard.index}/${r.shard.count}` : null;
  let ledger: LedgerWriter | undefined;
  try {
    const removed = await removeStalePartials(r.plan.units.flatMap((u) => u.items.map((i) => i.path)));
    if (removed > 0) output.debug(`removed ${removed} temporary file(s) left by an interrupted run`);
    ledger = await LedgerWriter.open(ledgerPath);
    await ledger.append({ event: 'run', at: new Date().toISOString(), manifest: r.manifestPath, items: r.plan.items.length, shard: shardLabel });

    const progress = new BatchProgress(progressMode(o, context), {
      stderr: context.stderr,
      say: (text, level) => (level === 'warn' ? output.warn(text) : level === 'info' ? output.info(text) : output.debug(text)),
      event: (value) => output.result(value),
      verbose: o.verbose === true,
    }, { items: r.plan.units.reduce((n, u) => n + u.items.length, 0), characters: r.estimate.characters });
    context.claimInterrupt?.();
    context.interrupt?.addEventListener('abort', () => progress.message('interrupted: no new items start; the ones in flight finish (Ctrl-C again to abort them)', 'warn'), { once: true });
    progress.start({ items: r.plan.items.length, work: r.plan.units.length, skipped: r.plan.skipped.length, characters: r.estimate.characters });

    const leaderIds = new Set(r.leaders.map((i) => i.id));
    const outcome = await runBatch(r.plan.units, {
      concurrency: o.jobs,
      rps: o.rps,
      retries: o.retries,
      failFast: o.failFast === true,
      signal: context.signal,
      stop: context.interrupt,
      ledger,
      createRunner: (beforeRunTask) =>
        new TaskRunner({
          url: connection?.websocketUrl ?? '',
          apiKey: connection?.apiKey ?? '',
          userAgent: connection?.userAgent ?? '',
          workspace: connection?.workspace,
          proxy: connection?.webSocketProxy,
          timeouts: o.timeout !== undefined ? { firstAudioMs: o.timeout, stallMs: o.timeout } : undefined,
          log: (line) => progress.message(line, 'debug'),
          beforeRunTask,
        }),
      subtitleOptions: { maxCueChars: o.maxCueChars, wordsPerCue: o.wordsPerCue, karaoke: o.karaoke },
      failAfterBytes: diskFullSeam(context.env),
      events: {
        itemFinished: (result) => progress.itemFinished(result, leaderIds.has(result.item.id) ? result.item.billed : 0),
        retry: (item, error, attempt, delayMs) => progress.retry(item, error, attempt, delayMs),
      },
    });
    const summary = summarize({
      manifestItems: r.manifestItems,
      shard: shardLabel,
      plan: r.plan,
      outcome,
      region: r.region,
      wallMs: performance.now() - r.started,
      outDir: relative(context.cwd, r.outDir) || '.',
      ledger: relative(context.cwd, ledgerPath),
    });
    const error = outcomeError(summary, outcome);
    const report = finalReport(summary, error);
    progress.finish({ ...report });
    for (const line of formatSummary(summary)) output.info(line);
    if (o.json) output.result(report);
    if (error) {
      // The summary (and with --json the report on stdout) is already out: print the error on stderr only, so
      // stdout keeps exactly one JSON document.
      stderrOutput(o, context).error(error);
      throw new ReportedError(error.message, error.exitCode);
    }
  } finally {
    await ledger?.close();
    await connection?.close();
  }
}

/** An Output that prints errors on stderr only (never the --json error object on stdout). */
function stderrOutput(o: BatchOptions, context: CommandContext): Output {
  return Output.from({ color: o.color }, context);
}

/** The region requests are checked and priced for, resolved as the connection resolves it. */

/**
 * The defaults every item starts from: the flags, then (for model, voice and sample rate, as for `say`) the
 * configuration. A configured voice applies only with a model that has it. The configured format is for stdout and
 * players, so it does not apply to batch files.
 */
async function defaultsFrom(o: BatchOptions, config: Config): Promise<ItemDefaults> {
  return {
    ...pickTuning(o),
    ...synthesisDefaults(config, o, modelsOfAnyVoice),
    format: o.format,
    hotFix: await loadHotFix(o.pronounce),
    subtitles: o.subtitles,
    subtitlesFallback: o.subtitlesFallback === 'sentence',
    subtitleCues: { maxCueChars: o.maxCueChars, wordsPerCue: o.wordsPerCue, karaoke: o.karaoke },
  };
}

/** How progress is shown: --progress json/none, else a bar on an interactive stderr, else failure lines only. */
function progressMode(o: BatchOptions, context: CommandContext): ProgressMode {
  if (o.progress === 'json') return 'json';
  if (o.progress === 'none') return 'none';
  const ci = context.env['CI'] !== undefined && context.env['CI'] !== '' && context.env['CI'] !== 'false';
  return context.stderr.isTTY === true && !o.quiet && !o.json && !ci ? 'bar' : 'lines';
}

/** The usage error listing a manifest's problems by line. */
function manifestError(label: string, problems: readonly LineProblem[]): UsageError {
  const lines = problems.slice(0, LISTED_PROBLEMS).map((p) => `  ${label}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`);
  if (problems.length > LISTED_PROBLEMS) lines.push(`  … and ${problems.length - LISTED_PROBLEMS} more`);
  return new UsageError(`the manifest has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was sent:\n${lines.join('\n')}`, {
    code: 'MANIFEST',
  });
}

/** Prints the --estimate result: a line on stdout, or one JSON document with --json. */
function printEstimate(output: Output, o: BatchOptions, manifestItems: number, plan: BatchPlan, estimate: CostEstimate, shard: ShardSpec | undefined): void {
  const copies = plan.units.reduce((n, u) => n + (u.source.kind === 'copy' ? u.items.length : u.items.length - 1), 0);
  if (o.json) {
    output.result({
      ok: true,
      estimate: true,
      items: manifestItems,
      selected: plan.items.length,
      shard: shard ? `${shard.index}/${shard.count}` : null,
      skipped: plan.skipped.length,
      failed_earlier: plan.failedEarlier.length,
      cached: copies,
      requests: estimate.items,
      characters: estimate.characters,
      usd: estimate.usd,
      cny: estimate.cny,
      region: estimate.region,
      models: estimate.models,
    });
    return;
  }
  const notes = [plan.skipped.length > 0 ? `${plan.skipped.length} already done` : '', copies > 0 ? `${copies} copied from identical requests` : '', plan.failedEarlier.length > 0 ? `${plan.failedEarlier.length} failed earlier` : '']
    .filter((s) => s !== '')
    .join(', ');
  const models = estimate.models.map((m) => m.model).join(', ');
  const what =
    estimate.items === 0
      ? 'nothing to send'
      : `${estimate.items} request(s), ${estimate.characters.toLocaleString('en-US')} characters on ${models} in region ${estimate.region} ≈ ${describeCost(estimate)}`;
  output.resultLine(`${plan.items.length} items${shard ? ` (shard ${shard.index}/${shard.count} of ${manifestItems})` : ''}${notes ? ` (${notes})` : ''}: ${what}`);
}
