#!/usr/bin/env node
/**
 * `npm run build && node scripts/bench-batch.mjs [--json]`: measures `cosy batch` throughput against the emulator
 * started in this process, which throttles task starts beyond 20 per second (as an account with a raised limit
 * would). 200 short items, `--rps 20 -j 8`: the floor is 200 / 20 = 10 s; the target is a wall time of at most 1.1×
 * the floor with no failure. Then the same batch with one connection per task instead of a reused one per worker,
 * through a proxy that adds a realistic connection set-up time, to show what reuse buys. Prints a table (or one
 * JSON object). Exits non-zero only when the benchmark itself fails, never for a missed target.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmulator } from '../dist/emulator/server.js';
import { loadBatch } from '../dist/batch/load.js';
import { planBatch } from '../dist/batch/plan.js';
import { runBatch } from '../dist/batch/run.js';
import { LedgerWriter } from '../dist/batch/ledger.js';
import { TaskRunner } from '../dist/tts/task-runner.js';
import { COSY_BIN, run } from './bench-common.mjs';

/** The key cosy presents to the emulator. */
const BENCH_KEY = 'sk-bench-batch-0123456789abcdef';
/** Items in the batch. */
const ITEMS = 200;
/** The emulator's limit on task starts per second, and cosy's --rps. */
const RPS = 20;
/** Workers (cosy -j). */
const JOBS = 8;
/** Workers of the second reuse comparison: cosy's default, few enough that connection set-up can be the bottleneck. */
const FEW_JOBS = 3;
/** Target: wall time at most this many times the floor. */
const TARGET_RATIO = 1.1;
/**
 * Connection set-up time the proxy adds to every new connection, in ms: TCP, TLS 1.3 and the WebSocket upgrade are
 * three round trips, about 200 ms at a 65 ms round trip (a client far from the Beijing region).
 */
const CONNECT_DELAY_MS = 200;

const json = process.argv.includes('--json');
const log = (line) => process.stderr.write(`${line}\n`);

/** 200 short, distinct sentences (distinct, so the request cache copies nothing). */
function manifest() {
  return Array.from({ length: ITEMS }, (_, i) => `Prompt number ${i + 1}: please hold the line.`).join('\n');
}

/** A TCP proxy to `port` that waits `delayMs` before connecting each new client (a slow handshake). */
async function startDelayProxy(port, delayMs) {
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    client.pause();
    setTimeout(() => {
      const upstream = connect(port, '127.0.0.1', () => {
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    }, delayMs);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, connections: () => connections, close: () => new Promise((r) => server.close(r)) };
}

/** Runs `cosy batch … --json` and returns its wall time and summary; a non-zero exit fails the benchmark. */
async function runCli(args, env, cwd) {
  const out = [];
  const r = await run(process.execPath, [COSY_BIN, ...args], { env, cwd, onStdout: (chunk) => out.push(chunk) });
  if (r.code !== 0) throw new Error(`cosy batch exited ${r.code}: ${r.stderr}`);
  return { wallMs: r.ms, summary: JSON.parse(Buffer.concat(out).toString('utf8')) };
}

/** A runner that opens a new connection for every task and closes it afterwards. */
class OneConnectionPerTask extends TaskRunner {
  async *run(request, options) {
    try {
      yield* super.run(request, options);
    } finally {
      this.close();
    }
  }
}

/** Runs the batch in this process (the same code as the CLI) with reused or per-task connections. */
async function runInProcess(url, dir, reuse, jobs) {
  const outDir = join(dir, `${reuse ? 'reuse' : 'per-task'}-${jobs}`);
  const loaded = await loadBatch(manifest(), {
    format: 'text', template: '{id}.{ext}', outDir, manifestDir: dir, region: 'cn', defaults: { model: 'cosyvoice-v3-flash' },
    readTextFile: () => Promise.reject(new Error('no files')), defaultVoice: () => 'longanyang',
  });
  const plan = await planBatch(loaded.items, { latest: new Map(), entries: [] }, outDir, { force: false, retryFailed: false, cache: true });
  const { mkdir } = await import('node:fs/promises');
  await mkdir(outDir, { recursive: true });
  const ledger = await LedgerWriter.open(join(outDir, 'cosy-batch.ledger.jsonl'));
  const started = performance.now();
  const Runner = reuse ? TaskRunner : OneConnectionPerTask;
  const outcome = await runBatch(plan.units, {
    concurrency: jobs, rps: RPS, retries: 4, failFast: false, ledger,
    createRunner: (beforeRunTask) => new Runner({ url, apiKey: BENCH_KEY, userAgent: 'cosy-bench', beforeRunTask }),
  });
  await ledger.close();
  const wallMs = performance.now() - started;
  return { wallMs, failed: outcome.results.filter((r) => r.status !== 'done').length, throttled: outcome.throttled };
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'cosy-bench-batch-'));
  const emulator = await startEmulator({ keys: [BENCH_KEY], faults: { maxTasksPerSecond: RPS } });
  const proxy = await startDelayProxy(emulator.port, CONNECT_DELAY_MS);
  const results = {};
  try {
    writeFileSync(join(dir, 'prompts.txt'), manifest());
    const floorMs = (ITEMS / RPS) * 1000;
    const env = { PATH: process.env.PATH ?? '', HOME: dir, DASHSCOPE_API_KEY: BENCH_KEY };

    log(`cosy batch: ${ITEMS} items, --rps ${RPS} -j ${JOBS}, emulator limit ${RPS}/s (loopback)…`);
    let before = emulator.connections();
    const direct = await runCli(['batch', 'prompts.txt', '-d', 'out-direct', '--rps', String(RPS), '-j', String(JOBS), '--json', '--progress', 'none'], { ...env, DASHSCOPE_WEBSOCKET_BASE_URL: emulator.websocketUrl }, dir);
    results.cli_loopback = { wall_ms: Math.round(direct.wallMs), ratio: direct.wallMs / floorMs, failed: direct.summary.failed, throttled: direct.summary.throttled, connections: emulator.connections() - before };

    log(`cosy batch through a proxy adding ${CONNECT_DELAY_MS} ms to each new connection…`);
    before = proxy.connections();
    const proxied = await runCli(['batch', 'prompts.txt', '-d', 'out-proxy', '--rps', String(RPS), '-j', String(JOBS), '--json', '--progress', 'none'], { ...env, DASHSCOPE_WEBSOCKET_BASE_URL: `ws://127.0.0.1:${proxy.port}/api-ws/v1/inference` }, dir);
    results.cli_slow_connect = { wall_ms: Math.round(proxied.wallMs), ratio: proxied.wallMs / floorMs, failed: proxied.summary.failed, throttled: proxied.summary.throttled, connections: proxy.connections() - before };

    const proxyUrl = `ws://127.0.0.1:${proxy.port}/api-ws/v1/inference`;
    for (const jobs of [JOBS, FEW_JOBS]) {
      for (const reuse of [true, false]) {
        log(`in process, -j ${jobs}, ${reuse ? 'a reused connection per worker' : 'one connection per task'}, slow connect…`);
        before = proxy.connections();
        const r = await runInProcess(proxyUrl, dir, reuse, jobs);
        results[`${reuse ? 'reuse' : 'per_task'}_j${jobs}`] = { wall_ms: Math.round(r.wallMs), ratio: r.wallMs / floorMs, failed: r.failed, throttled: r.throttled, connections: proxy.connections() - before };
      }
    }
    results.floor_ms = floorMs;
  } finally {
    await proxy.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const machine = `${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores), Node ${process.version}`;
  if (json) {
    process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), machine, items: ITEMS, rps: RPS, jobs: JOBS, few_jobs: FEW_JOBS, connect_delay_ms: CONNECT_DELAY_MS, target_ratio: TARGET_RATIO, ...results })}\n`);
    return;
  }
  const row = (name, r) =>
    `| ${name} | ${(r.wall_ms / 1000).toFixed(2)} s | ${r.ratio.toFixed(3)}× | ${r.failed} | ${r.throttled} | ${r.connections} |`;
  const met = results.cli_loopback.ratio <= TARGET_RATIO && results.cli_loopback.failed === 0;
  process.stdout.write(
    [
      `${machine}; ${ITEMS} items, --rps ${RPS} -j ${JOBS}; floor ${(results.floor_ms / 1000).toFixed(1)} s; target ≤ ${TARGET_RATIO}× with 0 failures: ${met ? '✓' : '✗'}`,
      '',
      '| run | wall | × floor | failed | throttled | connections |',
      '| --- | --- | --- | --- | --- | --- |',
      row(`cosy batch -j ${JOBS}, loopback`, results.cli_loopback),
      row(`cosy batch -j ${JOBS}, +${CONNECT_DELAY_MS} ms per connection`, results.cli_slow_connect),
      ...[JOBS, FEW_JOBS].flatMap((jobs) => [
        row(`in process -j ${jobs}, reused connection per worker, +${CONNECT_DELAY_MS} ms`, results[`reuse_j${jobs}`]),
        row(`in process -j ${jobs}, one connection per task, +${CONNECT_DELAY_MS} ms`, results[`per_task_j${jobs}`]),
      ]),
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`bench-batch failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
