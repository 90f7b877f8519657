#!/usr/bin/env node
/**
 * `npm run bench`: measures cosy's start-up time, the latency cosy adds between the service's audio frames and its
 * stdout, and cosy's peak memory on a long task, each against its target, on this machine; then the same for
 * `cosy stream` fed through stdin, plus the latency from a sentence end written to its stdin to the continue-task
 * carrying it. Prints a table (or one JSON object with `--json`). Exits non-zero only when the benchmark itself
 * fails, never for a missed target. Not part of the test suite: it runs the built `bin/cosy.js` (npm run bench
 * builds first) against the emulator started in this process.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_MS_PER_CHARACTER, startEmulator } from '../dist/emulator/server.js';
import { COSY_BIN, run } from './bench-common.mjs';

/** The API key cosy presents to the emulator (the only key it accepts). */
const BENCH_KEY = 'sk-bench0123456789abcdef';

/** Unmeasured runs of each start-up command before measuring (disk cache, code cache). */
const STARTUP_WARMUP_RUNS = 5;
/** Measured runs of each start-up command, interleaved. */
const STARTUP_RUNS = 30;
/** Target: median `cosy --version` at most this many times the median bare `node -e 0`. */
const STARTUP_TARGET_RATIO = 1.3;

/** Measured `cosy say` runs for the latency figures. */
const LATENCY_RUNS = 20;
/** Unmeasured `cosy say` runs first. */
const LATENCY_WARMUP_RUNS = 2;
/** Emulator delay before every audio frame, in ms: frames arrive spaced out as from the real service. */
const LATENCY_FRAME_DELAY_MS = 20;
/** Sample rate of the latency runs (the service default). */
const LATENCY_SAMPLE_RATE = 22050;
/** The text of the latency runs: two sentences, about 6 s of audio, about 30 frames. */
const LATENCY_TEXT = 'The quick brown fox jumps over the lazy dog. A second sentence follows the first one here.';
/** Target: median added latency (first byte of a task, and per frame) at most this many ms. */
const LATENCY_TARGET_MS = 5;

/** Counted characters of the long memory task (the service's per-task maximum). */
const MEMORY_BIG_CHARS = 200_000;
/** Counted characters of the short memory task (a tenth). */
const MEMORY_SMALL_CHARS = 20_000;
/** Audio format of the memory runs: raw pcm passes every byte through cosy (the largest output per character). */
const MEMORY_FORMAT = 'pcm';
/** Sample rate of the memory runs: the lowest, so 4 h of audio (240 MB) streams in seconds. */
const MEMORY_SAMPLE_RATE = 8000;
/** Sentence repeated to build the memory texts (39 counted characters). */
const MEMORY_SENTENCE = 'This is one sentence of the long text. ';
/** Runs of each memory task; the median peak is reported (single peaks vary by a few MB). */
const MEMORY_RUNS = 3;
/** Target: cosy's peak resident set at most this many MB. */
const MEMORY_TARGET_MB = 80;
/**
 * Target: the JavaScript heap still live after a full garbage collection at exit at most this many MB apart between
 * the two texts (memory flat in audio length). Peak RSS varies by several MB from run to run with the collector's
 * timing and the allocator, and buffers live at exit are I/O in flight (0–3 MB, bounded by the high-water marks), so
 * both are reported, not judged.
 */
const MEMORY_FLAT_TARGET_MB = 1;
/**
 * Preloaded into the retained-heap run (NODE_OPTIONS=--expose-gc --require): at exit, collects garbage and writes
 * what is still live to $COSY_BENCH_PROBE_OUT.
 */
const RETAINED_HEAP_PROBE = `process.on('exit', () => {
  global.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  require('node:fs').writeFileSync(process.env.COSY_BENCH_PROBE_OUT, JSON.stringify({ heapUsed, arrayBuffers }));
});
`;
/** Interval of the /proc polling fallback when /usr/bin/time is missing, in ms. */
const PROC_POLL_MS = 5;
/** GNU time, which reports the peak RSS of the command it runs. */
const GNU_TIME = '/usr/bin/time';

/** Measured `cosy stream` runs for the stream latency figures (one task each). */
const STREAM_RUNS = 12;
/** Unmeasured `cosy stream` runs first. */
const STREAM_WARMUP_RUNS = 1;
/** Sentences each stream run writes, alternately Latin (ending in '. ') and CJK (ending in '。'). */
const STREAM_SENTENCES_PER_RUN = 8;
/** Gap before every token written to cosy's stdin, in ms (an LLM writing about 10 tokens a second). */
const STREAM_TOKEN_GAP_MS = 100;
/** Wait after spawning cosy stream before the first token, in ms, so start-up is not part of the first sentence. */
const STREAM_START_DELAY_MS = 300;
/** Characters per write when the stream memory runs pipe their text into cosy (as fast as the pipe takes them). */
const STREAM_MEMORY_WRITE_CHARS = 1024;

/** Bytes in a MiB (the unit memory is reported in). */
const MIB = 1024 * 1024;
/** KiB in a MiB. */
const KIB_PER_MIB = 1024;
/** Decimal places of the milliseconds in the table. */
const MS_DECIMALS = 2;
/** When this run started, for the report. */
const NOW = new Date();

/** Sorted copy of `values`. */
function sorted(values) {
  return [...values].sort((a, b) => a - b);
}

/** The `p`-th percentile (0–100) of `values`, interpolating between the two nearest ranks. */
function percentile(values, p) {
  const s = sorted(values);
  if (s.length === 0) return Number.NaN;
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

/** Rounds to `decimals` places, for the JSON output. */
function round(value, decimals = MS_DECIMALS) {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** What the machine is: CPU model, cores, memory, OS and node version. */
function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line !== undefined) cpu = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    cpu,
    cores: os.availableParallelism(),
    memory_mb: Math.round(os.totalmem() / MIB),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** An environment for cosy: nothing from the machine's DASHSCOPE_* or key file, no colour, no spinner. */
function cosyEnv(home, websocketUrl) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    DASHSCOPE_API_KEY: BENCH_KEY,
    DASHSCOPE_WEBSOCKET_BASE_URL: websocketUrl,
  };
}


/** Throws when a run did not exit with status 0. */
function checkExit(what, result) {
  if (result.code !== 0) {
    throw new Error(`${what} exited with ${result.code ?? result.signal}: ${result.stderr.trim().slice(0, 500)}`);
  }
}

/** Start-up: `node bin/cosy.js --version` against `node -e 0`, interleaved. */
async function benchStartup() {
  const commands = {
    node: ['-e', '0'],
    cosy: [COSY_BIN, '--version'],
  };
  let version = '';
  const check = await run(process.execPath, commands.cosy, {
    onStdout: (chunk) => {
      version += chunk.toString('utf8');
    },
  });
  checkExit('cosy --version', check);
  const times = { node: [], cosy: [] };
  for (let i = 0; i < STARTUP_WARMUP_RUNS + STARTUP_RUNS; i++) {
    // Alternate which goes first, so neither always follows the other.
    const order = i % 2 === 0 ? ['node', 'cosy'] : ['cosy', 'node'];
    for (const name of order) {
      const result = await run(process.execPath, commands[name]);
      checkExit(`node ${commands[name].join(' ')}`, result);
      if (i >= STARTUP_WARMUP_RUNS) times[name].push(result.ms);
    }
  }
  const node = { median_ms: percentile(times.node, 50), p90_ms: percentile(times.node, 90) };
  const cosy = { median_ms: percentile(times.cosy, 50), p90_ms: percentile(times.cosy, 90) };
  const ratio = cosy.median_ms / node.median_ms;
  return {
    runs: STARTUP_RUNS,
    warmup_runs: STARTUP_WARMUP_RUNS,
    version: version.trim(),
    node,
    cosy,
    ratio,
    target_ratio: STARTUP_TARGET_RATIO,
    met: ratio <= STARTUP_TARGET_RATIO,
  };
}

/**
 * For each frame the emulator sent, the time its first byte reached cosy's stdout minus the time it was sent,
 * matching frames to stdout chunks by cumulative byte offsets (pcm passes through cosy byte for byte).
 */
function frameLatencies(frames, chunks) {
  const latencies = [];
  let chunk = 0;
  let chunkEnd = chunks[0]?.bytes ?? 0;
  let offset = 0;
  for (const frame of frames) {
    while (chunk < chunks.length && chunkEnd <= offset) {
      chunk += 1;
      chunkEnd += chunks[chunk]?.bytes ?? 0;
    }
    const arrival = chunks[chunk];
    if (arrival === undefined) throw new Error(`frame ${frame.index} (byte ${offset}) never reached stdout`);
    latencies.push(arrival.at - frame.sentAt);
    offset += frame.bytes;
  }
  return latencies;
}

/** Client-added latency: emulator frame handed to the socket → its first byte on cosy's stdout. */
async function benchLatency(home) {
  let frames = [];
  const emulator = await startEmulator({
    keys: [BENCH_KEY],
    faults: { frameDelayMs: LATENCY_FRAME_DELAY_MS },
    onAudioFrame: (info) => frames.push(info),
  });
  const firstByte = [];
  const perFrame = [];
  let framesPerRun = 0;
  let bytesPerRun = 0;
  try {
    const env = cosyEnv(home, emulator.websocketUrl);
    const args = [COSY_BIN, 'say', '--format', 'pcm', '--sample-rate', String(LATENCY_SAMPLE_RATE), '--quiet', LATENCY_TEXT];
    for (let i = 0; i < LATENCY_WARMUP_RUNS + LATENCY_RUNS; i++) {
      frames = [];
      const chunks = [];
      const result = await run(process.execPath, args, {
        env,
        cwd: home,
        onStdout: (chunk, at) => chunks.push({ at, bytes: chunk.length }),
      });
      checkExit('cosy say', result);
      const sent = frames.reduce((n, f) => n + f.bytes, 0);
      const received = chunks.reduce((n, c) => n + c.bytes, 0);
      if (frames.length === 0 || sent !== received) {
        throw new Error(`cosy say wrote ${received} bytes to stdout; the emulator sent ${sent} in ${frames.length} frames`);
      }
      if (new Set(frames.map((f) => f.taskId)).size !== 1) throw new Error('expected exactly one task per run');
      if (i < LATENCY_WARMUP_RUNS) continue;
      const latencies = frameLatencies(frames, chunks);
      firstByte.push(latencies[0]);
      perFrame.push(...latencies);
      framesPerRun = frames.length;
      bytesPerRun = sent;
    }
  } finally {
    await emulator.close();
  }
  const first = { median_ms: percentile(firstByte, 50), p90_ms: percentile(firstByte, 90), max_ms: Math.max(...firstByte) };
  const frame = { median_ms: percentile(perFrame, 50), p99_ms: percentile(perFrame, 99), max_ms: Math.max(...perFrame) };
  return {
    runs: LATENCY_RUNS,
    warmup_runs: LATENCY_WARMUP_RUNS,
    frame_delay_ms: LATENCY_FRAME_DELAY_MS,
    format: 'pcm',
    sample_rate: LATENCY_SAMPLE_RATE,
    frames_per_run: framesPerRun,
    bytes_per_run: bytesPerRun,
    first_byte: first,
    per_frame: { ...frame, frames: perFrame.length },
    target_ms: LATENCY_TARGET_MS,
    met: first.median_ms <= LATENCY_TARGET_MS && frame.median_ms <= LATENCY_TARGET_MS,
  };
}

/**
 * The tokens of the `k`-th sentence (1-based) of a stream run: odd ones Latin, ending with '. ' in one token (a
 * Latin '.' ends a sentence only once the whitespace after it is seen), even ones CJK, ending with '。' (which ends a
 * sentence at once). The sentence-ending token is the last one.
 */
function streamSentence(k) {
  return k % 2 === 1
    ? { kind: 'latin', tokens: ['Line', ` ${k}`, ' ends', ' here', '. '] }
    : { kind: 'cjk', tokens: [`第${k}句`, '到此', '结束', '。'] };
}

/**
 * For each sentence end (its code-unit offset in the input and the time its token was written), the time the
 * emulator received the continue-task whose text holds that offset minus the write time. The continue-task texts
 * must add up to the input exactly (cosy never changes the text, only where it is cut).
 */
function sentenceLatencies(input, ends, instructions) {
  const texts = instructions.map((i) => i.text ?? '');
  if (texts.join('') !== input) {
    throw new Error(`cosy stream sent ${JSON.stringify(texts.join(''))}; the input was ${JSON.stringify(input)}`);
  }
  const latencies = [];
  let carrier = 0;
  let carrierEnd = texts[0]?.length ?? 0;
  for (const end of ends) {
    while (carrier < texts.length && carrierEnd <= end.offset) {
      carrier += 1;
      carrierEnd += texts[carrier]?.length ?? 0;
    }
    const instruction = instructions[carrier];
    if (instruction === undefined) throw new Error(`no continue-task carried the sentence end at ${end.offset}`);
    latencies.push({ kind: end.kind, first: end.first, ms: instruction.receivedAt - end.writtenAt });
  }
  return latencies;
}

/** Median, p90 and max of `values`, with their count. */
function spread(values) {
  return { n: values.length, median_ms: percentile(values, 50), p90_ms: percentile(values, 90), max_ms: Math.max(...values) };
}

/**
 * `cosy stream` latencies: a simulated LLM writes tokens into cosy's stdin `STREAM_TOKEN_GAP_MS` apart; each
 * sentence end is timed from the bench's write of its token to the emulator receiving the continue-task carrying
 * it (onInstruction), and each audio frame from the emulator handing it to the socket to its first byte on cosy's
 * stdout (onAudioFrame), as for say.
 */
async function benchStreamLatency(home) {
  let frames = [];
  let instructions = [];
  const emulator = await startEmulator({
    keys: [BENCH_KEY],
    faults: { frameDelayMs: LATENCY_FRAME_DELAY_MS },
    onAudioFrame: (info) => frames.push(info),
    onInstruction: (info) => instructions.push(info),
  });
  const sentences = [];
  const firstToRunTask = [];
  const firstByte = [];
  const perFrame = [];
  let framesPerRun = 0;
  try {
    const env = cosyEnv(home, emulator.websocketUrl);
    const args = [COSY_BIN, 'stream', '--format', 'pcm', '--sample-rate', String(LATENCY_SAMPLE_RATE), '--quiet'];
    for (let i = 0; i < STREAM_WARMUP_RUNS + STREAM_RUNS; i++) {
      frames = [];
      instructions = [];
      const chunks = [];
      const ends = [];
      let input = '';
      let writing;
      const result = await run(process.execPath, args, {
        env,
        cwd: home,
        stdin: true,
        onStdout: (chunk, at) => chunks.push({ at, bytes: chunk.length }),
        onSpawn: (child) => {
          writing = (async () => {
            await sleep(STREAM_START_DELAY_MS);
            for (let k = 1; k <= STREAM_SENTENCES_PER_RUN; k++) {
              const { kind, tokens } = streamSentence(k);
              for (const [t, token] of tokens.entries()) {
                await sleep(STREAM_TOKEN_GAP_MS);
                if (child.stdin.destroyed) return;
                const writtenAt = performance.now();
                child.stdin.write(token);
                // The terminator is the first character of the last token ('.' of '. ', or '。').
                if (t === tokens.length - 1) ends.push({ kind, first: k === 1, offset: input.length, writtenAt });
                input += token;
              }
            }
            child.stdin.end();
          })();
        },
      });
      await writing;
      checkExit('cosy stream', result);
      const sent = frames.reduce((n, f) => n + f.bytes, 0);
      const received = chunks.reduce((n, c) => n + c.bytes, 0);
      if (frames.length === 0 || sent !== received) {
        throw new Error(`cosy stream wrote ${received} bytes to stdout; the emulator sent ${sent} in ${frames.length} frames`);
      }
      if (new Set(frames.map((f) => f.taskId)).size !== 1) throw new Error('expected exactly one task per cosy stream run');
      const latencies = sentenceLatencies(input, ends, instructions.filter((x) => x.action === 'continue-task'));
      const runTasks = instructions.filter((x) => x.action === 'run-task');
      if (runTasks.length !== 1) throw new Error(`expected one run-task per cosy stream run, got ${runTasks.length}`);
      if (i < STREAM_WARMUP_RUNS) continue;
      sentences.push(...latencies);
      // cosy opens its connection and starts the task only once the first sentence is complete: time that part.
      firstToRunTask.push(runTasks[0].receivedAt - ends[0].writtenAt);
      const frameTimes = frameLatencies(frames, chunks);
      firstByte.push(frameTimes[0]);
      perFrame.push(...frameTimes);
      framesPerRun = frames.length;
    }
  } finally {
    await emulator.close();
  }
  const latin = spread(sentences.filter((s) => s.kind === 'latin' && !s.first).map((s) => s.ms));
  const cjk = spread(sentences.filter((s) => s.kind === 'cjk' && !s.first).map((s) => s.ms));
  const first = spread(sentences.filter((s) => s.first).map((s) => s.ms));
  const later = spread(sentences.filter((s) => !s.first).map((s) => s.ms));
  const firstAudio = { median_ms: percentile(firstByte, 50), p90_ms: percentile(firstByte, 90), max_ms: Math.max(...firstByte) };
  const frame = { median_ms: percentile(perFrame, 50), p99_ms: percentile(perFrame, 99), max_ms: Math.max(...perFrame), frames: perFrame.length };
  const target = LATENCY_TARGET_MS;
  return {
    runs: STREAM_RUNS,
    warmup_runs: STREAM_WARMUP_RUNS,
    sentences_per_run: STREAM_SENTENCES_PER_RUN,
    token_gap_ms: STREAM_TOKEN_GAP_MS,
    frame_delay_ms: LATENCY_FRAME_DELAY_MS,
    format: 'pcm',
    sample_rate: LATENCY_SAMPLE_RATE,
    frames_per_run: framesPerRun,
    sentence_end: { later, latin, cjk, first, first_to_run_task: spread(firstToRunTask) },
    first_byte: firstAudio,
    per_frame: frame,
    target_ms: target,
    met: later.median_ms <= target && first.median_ms <= target && firstAudio.median_ms <= target && frame.median_ms <= target,
  };
}

/** Text of exactly `chars` counted characters (Latin: one per code point), ending with a full stop. */
function textOf(chars) {
  return `${MEMORY_SENTENCE.repeat(Math.ceil(chars / MEMORY_SENTENCE.length)).slice(0, chars - 1)}.`;
}

/** Reads VmHWM (peak RSS) of a live process from /proc, in KiB, or undefined once it is gone. */
function vmHwmKib(pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `text` to `stream` in pieces of `pieceChars` as fast as the pipe takes them, then ends it. */
async function writeInPieces(stream, text, pieceChars) {
  for (let i = 0; i < text.length && !stream.destroyed; i += pieceChars) {
    if (!stream.write(text.slice(i, i + pieceChars))) {
      await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
    }
  }
  stream.end();
}

/**
 * Runs cosy with `args` (after bin/cosy.js), stdout piped here and discarded, and `input`, if given, piped into its
 * stdin in pieces; returns its peak RSS and what it wrote. With `retained`, cosy runs with RETAINED_HEAP_PROBE
 * preloaded and the result also has `retained_heap_mb` and `retained_buffers_mb`: the JavaScript heap and the
 * buffers live after a full collection at exit.
 */
async function peakMemory(home, websocketUrl, args, input, retained = false) {
  const cosyArgs = [COSY_BIN, ...args];
  const useGnuTime = existsSync(GNU_TIME);
  const env = cosyEnv(home, websocketUrl);
  const probeOut = join(home, 'retained.json');
  if (retained) {
    const probe = join(home, 'retained-probe.cjs');
    writeFileSync(probe, RETAINED_HEAP_PROBE);
    rmSync(probeOut, { force: true });
    Object.assign(env, { NODE_OPTIONS: `--expose-gc --require ${probe}`, COSY_BENCH_PROBE_OUT: probeOut });
  }
  const timeFile = join(home, 'peak-rss.txt');
  let bytes = 0;
  let polledKib = 0;
  let poller;
  const result = await run(
    useGnuTime ? GNU_TIME : process.execPath,
    useGnuTime ? ['-o', timeFile, '-f', '%M', process.execPath, ...cosyArgs] : cosyArgs,
    {
      env,
      cwd: home,
      onStdout: (chunk) => {
        bytes += chunk.length;
      },
      stdin: input !== undefined,
      onSpawn: (child) => {
        if (input !== undefined) void writeInPieces(child.stdin, input, STREAM_MEMORY_WRITE_CHARS);
        if (useGnuTime) return;
        poller = setInterval(() => {
          polledKib = Math.max(polledKib, vmHwmKib(child.pid) ?? 0);
        }, PROC_POLL_MS);
      },
    },
  );
  clearInterval(poller);
  checkExit(`cosy ${args.join(' ')}`, result);
  const kib = useGnuTime ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)) : polledKib;
  if (!Number.isFinite(kib) || kib <= 0) throw new Error(`could not read the peak RSS of cosy (${useGnuTime ? GNU_TIME : '/proc'})`);
  const measured = { peak_rss_mb: kib / KIB_PER_MIB, seconds: result.ms / 1000, bytes, method: useGnuTime ? `${GNU_TIME} -f %M` : '/proc/PID/status VmHWM' };
  if (!retained) return measured;
  const live = JSON.parse(readFileSync(probeOut, 'utf8'));
  return { ...measured, retained_heap_mb: live.heapUsed / MIB, retained_buffers_mb: live.arrayBuffers / MIB };
}

/** The audio options of the memory runs. */
const MEMORY_AUDIO_ARGS = ['--format', MEMORY_FORMAT, '--sample-rate', String(MEMORY_SAMPLE_RATE), '--quiet'];

/**
 * Peak memory of a 200,000-character task and of a 20,000-character one, streamed to a pipe; median of runs.
 * `command` is `say` (the text from a file, -f) or `stream` (the text piped into stdin).
 */
async function benchMemory(home, command = 'say') {
  const emulator = await startEmulator({ keys: [BENCH_KEY] });
  try {
    const results = {};
    for (const [name, chars] of [['small', MEMORY_SMALL_CHARS], ['big', MEMORY_BIG_CHARS]]) {
      const text = textOf(chars);
      const file = join(home, `${name}.txt`);
      writeFileSync(file, text);
      const runs = [];
      // MEMORY_RUNS runs for the peak, then one with the retained-heap probe.
      for (let i = 0; i <= MEMORY_RUNS; i++) {
        const tasksBefore = emulator.tasks.length;
        const retained = i === MEMORY_RUNS;
        const measured =
          command === 'say'
            ? await peakMemory(home, emulator.websocketUrl, ['say', '-f', file, ...MEMORY_AUDIO_ARGS], undefined, retained)
            : await peakMemory(home, emulator.websocketUrl, ['stream', ...MEMORY_AUDIO_ARGS], text, retained);
        const tasks = emulator.tasks.slice(tasksBefore);
        const audioBytes = tasks.reduce((n, t) => n + t.audioBytes, 0);
        if (measured.bytes !== audioBytes) throw new Error(`cosy ${command} wrote ${measured.bytes} bytes; the emulator sent ${audioBytes}`);
        const received = tasks.flatMap((t) => t.texts).join('');
        if (received !== text) throw new Error(`cosy ${command} sent ${received.length} characters of text; the input had ${text.length}`);
        runs.push({ ...measured, tasks: tasks.length });
      }
      const first = runs[0];
      const peakRuns = runs.slice(0, MEMORY_RUNS);
      results[name] = {
        characters: chars,
        tasks: first.tasks,
        bytes: first.bytes,
        audio_seconds: first.bytes / (MEMORY_SAMPLE_RATE * 2),
        peak_rss_mb: percentile(peakRuns.map((r) => r.peak_rss_mb), 50),
        peak_rss_mb_runs: peakRuns.map((r) => r.peak_rss_mb),
        retained_heap_mb: runs[MEMORY_RUNS].retained_heap_mb,
        retained_buffers_mb: runs[MEMORY_RUNS].retained_buffers_mb,
        seconds: percentile(peakRuns.map((r) => r.seconds), 50),
        method: first.method,
      };
    }
    const difference = Math.abs(results.big.peak_rss_mb - results.small.peak_rss_mb);
    const retainedDifference = Math.abs(results.big.retained_heap_mb - results.small.retained_heap_mb);
    const peak = Math.max(results.big.peak_rss_mb, results.small.peak_rss_mb);
    return {
      command,
      input: command === 'say' ? 'file (-f)' : `stdin, written in ${STREAM_MEMORY_WRITE_CHARS}-character pieces as fast as the pipe takes them`,
      runs: MEMORY_RUNS,
      format: MEMORY_FORMAT,
      sample_rate: MEMORY_SAMPLE_RATE,
      ms_per_character: DEFAULT_MS_PER_CHARACTER,
      small: results.small,
      big: results.big,
      difference_mb: difference,
      retained_difference_mb: retainedDifference,
      target_mb: MEMORY_TARGET_MB,
      flat_target_mb: MEMORY_FLAT_TARGET_MB,
      met: peak <= MEMORY_TARGET_MB && retainedDifference <= MEMORY_FLAT_TARGET_MB,
    };
  } finally {
    await emulator.close();
  }
}

/** ✓ or ✗. */
function mark(met) {
  return met ? '✓' : '✗';
}

/** A millisecond figure for the table. */
function ms(value) {
  return `${value.toFixed(MS_DECIMALS)} ms`;
}

/** A MiB figure for the table. */
function mb(value) {
  return `${value.toFixed(1)} MB`;
}

/** The rows of the table: measure, value, target, mark. */
function rows(report) {
  const { startup: s, latency: l, memory: m } = report;
  return [
    ['Start-up (median of runs, spawn → exit)'],
    ['  node -e 0', `${ms(s.node.median_ms)} (p90 ${ms(s.node.p90_ms)})`, '', ''],
    ['  node bin/cosy.js --version', `${ms(s.cosy.median_ms)} (p90 ${ms(s.cosy.p90_ms)})`, '', ''],
    ['  ratio of medians', `${s.ratio.toFixed(2)}×`, `≤ ${s.target_ratio}×`, mark(s.met)],
    [`cosy say: added latency (emulator frame sent → byte on cosy's stdout; ${l.runs} runs)`],
    ['  first byte of a task, median', ms(l.first_byte.median_ms), `≤ ${l.target_ms} ms`, mark(l.first_byte.median_ms <= l.target_ms)],
    ['  first byte of a task, p90', ms(l.first_byte.p90_ms), '', ''],
    [`  every frame (${l.per_frame.frames}), median`, ms(l.per_frame.median_ms), `≤ ${l.target_ms} ms`, mark(l.per_frame.median_ms <= l.target_ms)],
    ['  every frame, p99', ms(l.per_frame.p99_ms), '', ''],
    ...memoryRows(`cosy say: peak RSS (text from a file; ${m.format} ${m.sample_rate} Hz to a pipe; median of ${m.runs} runs; ${m.big.method})`, m),
    ...streamRows(report.stream),
  ];
}

/** The memory rows of the table under `title`: both peaks, their difference, and the retained heap. */
function memoryRows(title, m) {
  const size = (x, audio) => `  ${x.characters.toLocaleString('en')} characters (${audio})`;
  return [
    [title],
    [size(m.small, `${(m.small.audio_seconds / 60).toFixed(0)} min audio`), `${mb(m.small.peak_rss_mb)} (${m.small.seconds.toFixed(1)} s)`, `≤ ${m.target_mb} MB`, mark(m.small.peak_rss_mb <= m.target_mb)],
    [size(m.big, `${(m.big.audio_seconds / 3600).toFixed(1)} h audio`), `${mb(m.big.peak_rss_mb)} (${m.big.seconds.toFixed(1)} s)`, `≤ ${m.target_mb} MB`, mark(m.big.peak_rss_mb <= m.target_mb)],
    ['  difference of the peaks', mb(m.difference_mb), '', ''],
    ['  live after a full GC at exit: heap small / big', `${mb(m.small.retained_heap_mb)} / ${mb(m.big.retained_heap_mb)}`, '', ''],
    ['  live after a full GC at exit: buffers small / big', `${mb(m.small.retained_buffers_mb)} / ${mb(m.big.retained_buffers_mb)}`, '', ''],
    ['  difference of the live heaps (flat)', mb(m.retained_difference_mb), `≤ ${m.flat_target_mb} MB`, mark(m.retained_difference_mb <= m.flat_target_mb)],
  ];
}

/** The `cosy stream` rows of the table. */
function streamRows({ latency: l, memory: m }) {
  const t = l.target_ms;
  const e = l.sentence_end;
  const sentenceRows = (label, x) => [
    [`  ${label} (${x.n}), median`, ms(x.median_ms), `≤ ${t} ms`, mark(x.median_ms <= t)],
    [`  ${label}, p90 (max)`, `${ms(x.p90_ms)} (${ms(x.max_ms)})`, '', ''],
  ];
  return [
    [`cosy stream: sentence end written to stdin → its continue-task at the emulator (${l.runs} runs, tokens ${l.token_gap_ms} ms apart)`],
    ...sentenceRows('every sentence but the first of a run', e.later),
    ['    of which Latin ". ", median (p90)', `${ms(e.latin.median_ms)} (${ms(e.latin.p90_ms)})`, '', ''],
    ['    of which CJK "。", median (p90)', `${ms(e.cjk.median_ms)} (${ms(e.cjk.p90_ms)})`, '', ''],
    ...sentenceRows('first sentence of a run', e.first),
    e.first_to_run_task.median_ms >= 0
      ? ['    of which until the run-task arrived, median (p90)', `${ms(e.first_to_run_task.median_ms)} (${ms(e.first_to_run_task.p90_ms)})`, '', '']
      : ['    run-task sent ahead of the sentence end by, median', ms(-e.first_to_run_task.median_ms), '', ''],
    [`cosy stream: added latency (emulator frame sent → byte on cosy's stdout; ${l.runs} runs)`],
    ['  first byte of a task, median', ms(l.first_byte.median_ms), `≤ ${t} ms`, mark(l.first_byte.median_ms <= t)],
    ['  first byte of a task, p90', ms(l.first_byte.p90_ms), '', ''],
    [`  every frame (${l.per_frame.frames}), median`, ms(l.per_frame.median_ms), `≤ ${t} ms`, mark(l.per_frame.median_ms <= t)],
    ['  every frame, p99', ms(l.per_frame.p99_ms), '', ''],
    ...memoryRows(`cosy stream: peak RSS (text piped into stdin; ${m.format} ${m.sample_rate} Hz to a pipe; median of ${m.runs} runs)`, m),
  ];
}

/** The report as a table with a header naming the machine and the settings. */
function formatTable(report) {
  const { machine: mc, startup: s, latency: l, memory: m, stream: st } = report;
  const lines = [
    `cosy ${s.version} benchmark, ${report.date}`,
    `machine: ${mc.cpu}, ${mc.cores} cores, ${mc.memory_mb} MB RAM, ${mc.os}, node ${mc.node}`,
    `settings: start-up ${s.runs} interleaved runs each after ${s.warmup_runs} warm-up; latency ${l.runs} runs of ` +
      `${l.frames_per_run} frames (${l.format} ${l.sample_rate} Hz, emulator frame delay ${l.frame_delay_ms} ms); ` +
      `memory at the emulator's default ${m.ms_per_character} ms of audio per character (not lowered), streamed as fast as cosy reads`,
    `stream settings: ${st.latency.runs} runs after ${st.latency.warmup_runs} warm-up, each ${st.latency.sentences_per_run} sentences ` +
      `(Latin and CJK alternately) written token by token ${st.latency.token_gap_ms} ms apart, ${st.latency.frames_per_run} frames ` +
      `(${st.latency.format} ${st.latency.sample_rate} Hz, emulator frame delay ${st.latency.frame_delay_ms} ms); memory text ${st.memory.input}`,
    '',
  ];
  const table = rows(report);
  const header = ['measure', 'value', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...table.filter((r) => r.length > 1).map((r) => (r[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  lines.push(line(header), widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of table) lines.push(r.length === 1 ? r[0] : line(r));
  const missed = table.filter((r) => r[3] === '✗').length;
  lines.push('', missed === 0 ? 'all targets met' : `${missed} target(s) missed (✗)`);
  return lines.join('\n');
}

/** Rounds every number of the report for the JSON output. */
function rounded(value) {
  if (typeof value === 'number') return round(value);
  if (Array.isArray(value)) return value.map(rounded);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)]));
  return value;
}

/** Runs every benchmark and prints the report. */
/** `cosy say` of a short text to a file, end to end (process start to exit) against an in-bench emulator. */
async function benchSayEndToEnd(home) {
  const emulator = await startEmulator({ keys: [BENCH_KEY] });
  try {
    const times = [];
    for (let i = 0; i < 12; i++) {
      const started = performance.now();
      const r = await run(process.execPath, [COSY_BIN, 'say', 'How is the weather today?', '-o', join(home, 'e2e.mp3')], { env: cosyEnv(home, emulator.websocketUrl), cwd: home });
      checkExit('cosy say end to end', r);
      if (i >= 2) times.push(performance.now() - started);
    }
    return { runs: times.length, median_ms: percentile(times, 50), p90_ms: percentile(times, 90) };
  } finally {
    await emulator.close();
  }
}

/** Runs scripts/bench-batch.mjs (200 items against an emulator limited to 20 tasks/s) and returns its result. */
async function benchBatch(json) {
  const script = fileURLToPath(new URL('./bench-batch.mjs', import.meta.url));
  const tableRun = spawnSync(process.execPath, [script, ...(json ? ['--json'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (tableRun.status !== 0) throw new Error(`bench-batch.mjs failed with exit ${tableRun.status}`);
  if (json) {
    const result = JSON.parse(tableRun.stdout);
    return { ...result, met: result.cli_loopback.ratio <= result.target_ratio && result.cli_loopback.failed === 0 };
  }
  return { table: tableRun.stdout, met: !tableRun.stdout.split('\n')[0]?.includes('✗') };
}

async function main() {
  const json = process.argv.includes('--json');
  const progress = (text) => {
    if (!json || process.stderr.isTTY) process.stderr.write(`bench: ${text}\n`);
  };
  const home = mkdtempSync(join(os.tmpdir(), 'cosy-bench-'));
  try {
    const report = { date: NOW.toISOString(), machine: machine() };
    progress('start-up…');
    report.startup = await benchStartup();
    progress('added latency…');
    report.latency = await benchLatency(home);
    progress('peak memory…');
    report.memory = await benchMemory(home);
    progress('cosy stream: latency…');
    const streamLatency = await benchStreamLatency(home);
    progress('cosy stream: peak memory…');
    const streamMemory = await benchMemory(home, 'stream');
    report.stream = { latency: streamLatency, memory: streamMemory, met: streamLatency.met && streamMemory.met };
    progress('cosy say, end to end…');
    report.sayEndToEnd = await benchSayEndToEnd(home);
    progress('cosy batch throughput (scripts/bench-batch.mjs)…');
    report.batch = await benchBatch(json);
    report.met = report.startup.met && report.latency.met && report.memory.met && report.stream.met && report.batch.met;
    if (json) process.stdout.write(`${JSON.stringify(rounded(report), null, 2)}\n`);
    else {
      process.stdout.write(`${formatTable(report)}\n`);
      process.stdout.write(`\ncosy say "…" -o out.mp3 end to end against the emulator (spawn → exit), ${report.sayEndToEnd.runs} runs: median ${report.sayEndToEnd.median_ms.toFixed(1)} ms, p90 ${report.sayEndToEnd.p90_ms.toFixed(1)} ms\n`);
      process.stdout.write(`\nbatch throughput:\n${report.batch.table}`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
