/**
 * TaskRunner and synthesize() against the real emulator on an ephemeral port (and, for a server that never answers,
 * a bare `ws` server): event order, streaming input, connection reuse, failures, timeouts, aborts, retries, sinks.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { MESSAGES } from '../../src/emulator/service-errors.js';
import {
  AuthError,
  ExitCode,
  NetworkError,
  PartialOutputError,
  ProtocolError,
  ServiceError,
  TimeoutError,
} from '../../src/errors.js';
import { countCharacters } from '../../src/protocol/counting.js';
import type { AudioFormat } from '../../src/protocol/limits.js';
import type { SynthesisParameters } from '../../src/protocol/messages.js';
import { planTasks, splitText } from '../../src/text/split-text.js';
import { FileSink, StreamSink, type AudioSink } from '../../src/tts/audio-sink.js';
import type { TaskEvent } from '../../src/tts/events.js';
import { isRetryable } from '../../src/tts/retry.js';
import { synthesize, type SynthesisJob } from '../../src/tts/synthesize.js';
import { TaskRunner, type RunnerOptions, type TaskRequest } from '../../src/tts/task-runner.js';
import { CONNECTION_IDLE_REUSE_MS, type Timeouts } from '../../src/tts/timeouts.js';

const KEY = 'sk-runner-test-0123456789';
const USER_AGENT = 'cosy/0.0.0-test; node/20; platform/test; processor/test';
const MODEL = 'cosyvoice-v3-flash';

/** pcm at 16 kHz: 8192-byte frames of 256 ms, so a sentence of a few words spans several frames. */
function params(overrides: Partial<SynthesisParameters> = {}): SynthesisParameters {
  return { text_type: 'PlainText', voice: 'longanyang', format: 'pcm', sample_rate: 16000, ...overrides };
}

/** Four sentences: a few seconds of audio, a dozen frames or more. */
const LONG = 'One sentence of audio. Another sentence of audio. A third sentence of audio. And the fourth one.';

let emulators: RunningEmulator[] = [];
let runners: TaskRunner[] = [];
let silentServers: WebSocketServer[] = [];
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cosy-runner-'));
});

afterEach(async () => {
  vi.useRealTimers();
  for (const r of runners.splice(0)) r.close();
  await Promise.all(emulators.splice(0).map((e) => e.close()));
  for (const s of silentServers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  for (const { server, sockets } of blackHoles.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  rmSync(dir, { recursive: true, force: true });
});

async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const e = await startEmulator({ port: 0, keys: [KEY], ...options });
  emulators.push(e);
  return e;
}

function runner(url: string, options: Partial<RunnerOptions> & { timeouts?: Partial<Timeouts> } = {}): TaskRunner {
  const r = new TaskRunner({ url, apiKey: KEY, userAgent: USER_AGENT, ...options });
  runners.push(r);
  return r;
}

function request(text: TaskRequest['text'], overrides: Partial<SynthesisParameters> = {}): TaskRequest {
  return { model: MODEL, parameters: params(overrides), text };
}

async function collect(gen: AsyncIterable<TaskEvent>): Promise<TaskEvent[]> {
  const events: TaskEvent[] = [];
  for await (const e of gen) events.push(e);
  return events;
}

/** Runs the generator to its end and returns the error it threw plus the events before it. */
async function failure(gen: AsyncIterable<TaskEvent>): Promise<{ error: unknown; events: TaskEvent[]; ms: number }> {
  const events: TaskEvent[] = [];
  const started = Date.now();
  try {
    for await (const e of gen) events.push(e);
  } catch (error) {
    return { error, events, ms: Date.now() - started };
  }
  throw new Error(`expected the task to fail; it yielded ${events.map((e) => e.type).join(', ')}`);
}

function started(events: TaskEvent[]): Extract<TaskEvent, { type: 'started' }> {
  const e = events[0];
  if (e?.type !== 'started') throw new Error(`first event is ${e?.type}, not started`);
  return e;
}

function finished(events: TaskEvent[]): Extract<TaskEvent, { type: 'finished' }> {
  const e = events[events.length - 1];
  if (e?.type !== 'finished') throw new Error(`last event is ${e?.type}, not finished`);
  return e;
}

function audioOf(events: TaskEvent[]): Buffer {
  return Buffer.concat(events.flatMap((e) => (e.type === 'audio' ? [e.data] : [])));
}

/** A WebSocket server that accepts upgrades and never says anything; records what it received. */
async function silentServer(): Promise<{ url: string; received: string[]; connections: () => number }> {
  const received: string[] = [];
  let connections = 0;
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  silentServers.push(wss);
  wss.on('connection', (ws: ServerSocket) => {
    connections += 1;
    ws.on('message', (data) => received.push(data.toString()));
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = wss.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `ws://127.0.0.1:${port}/api-ws/v1/inference`, received, connections: () => connections };
}

/** A TCP server that accepts connections and never answers the upgrade request. */
let blackHoles: Array<{ server: Server; sockets: Set<Socket> }> = [];
async function blackHole(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  blackHoles.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return `ws://127.0.0.1:${port}/api-ws/v1/inference`;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('TaskRunner: events', () => {
  it.each([
    [true, 'with word timestamps'],
    [false, 'without word timestamps'],
  ])('yields started, then per sentence begin/audio…/end, then finished (%s → %s)', async (timestamps) => {
    const emu = await emulator();
    const text = 'Hello there, how are you today? 今天天气很好。 This is the last sentence.';
    const events = await collect(
      runner(emu.websocketUrl, { workspace: 'ws-test-1' }).run(request([text], timestamps ? { word_timestamp_enabled: true } : {})),
    );

    const shape = events.map((e) => ({ started: 'S', 'sentence-begin': 'B', audio: 'A', 'sentence-end': 'E', finished: 'F' })[e.type]).join('');
    expect(shape).toMatch(/^S(BA+E){3}F$/);

    const first = started(events);
    expect(first.reused).toBe(false);
    expect(first.taskId).toMatch(/^[0-9a-f]{32}$/);
    const record = emu.tasks[0];
    expect(record?.taskId).toBe(first.taskId);
    expect(record?.texts).toEqual([text]);
    expect(record?.model).toBe(MODEL);
    expect(record?.headers).toMatchObject({ authorizationScheme: 'Bearer', userAgent: USER_AGENT, workspace: 'ws-test-1' });

    // Sentence events carry consecutive indices and the sentence text; audio is tagged with its sentence.
    let current = -1;
    const begins: number[] = [];
    for (const e of events) {
      if (e.type === 'sentence-begin') {
        current = e.index;
        begins.push(e.index);
        expect(e.text).toBeTruthy();
      } else if (e.type === 'audio') {
        expect(e.sentenceIndex).toBe(current);
        expect(e.data.length).toBeGreaterThan(0);
      } else if (e.type === 'sentence-end') {
        expect(e.index).toBe(current);
        if (timestamps) {
          expect(e.words.length).toBeGreaterThan(0);
          for (const w of e.words) {
            expect(w.text).not.toBe('');
            expect(w.end_index).toBeGreaterThan(w.begin_index);
            expect(w.end_time).toBeGreaterThanOrEqual(w.begin_time);
          }
        } else {
          expect(e.words).toEqual([]);
        }
      }
    }
    expect(begins).toEqual([0, 1, 2]);
    const sentenceTexts = events.flatMap((e) => (e.type === 'sentence-begin' ? [e.text] : []));
    expect(sentenceTexts.join(' ')).toBe(text.replace(/\s+/g, ' ').trim());

    // Cumulative characters on sentence-end; the total on finished.
    const ends = events.flatMap((e) => (e.type === 'sentence-end' ? [e.characters ?? -1] : []));
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    const last = finished(events);
    expect(last.taskId).toBe(first.taskId);
    expect(last.characters).toBe(countCharacters(text));
    expect(last.audioBytes).toBe(audioOf(events).length);
    expect(last.audioBytes).toBe(record?.audioBytes);
    expect(last.firstAudioMs).toBeGreaterThanOrEqual(0);
    expect(record?.status).toBe('finished');
  });

  it('streams text that arrives over time, receiving audio before the rest of the text exists', async () => {
    const emu = await emulator();
    let signalFirstAudio: () => void = () => undefined;
    const firstAudio = new Promise<void>((resolve) => {
      signalFirstAudio = resolve;
    });
    const fragments = ['The first sentence is here. ', 'The second one comes later', ' and ends now. ', 'Tail without a stop'];
    async function* text(): AsyncGenerator<string> {
      yield fragments[0] ?? '';
      // The rest is only produced once audio of the first sentence has come back: a runner that sent nothing
      // before the whole input existed, or read nothing while sending, would never get here.
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no audio while the input was still open')), 3_000));
      await Promise.race([firstAudio, timeout]);
      yield fragments[1] ?? '';
      await new Promise((resolve) => setTimeout(resolve, 30));
      yield '';
      yield fragments[2] ?? '';
      yield fragments[3] ?? '';
    }
    const events: TaskEvent[] = [];
    for await (const e of runner(emu.websocketUrl).run(request(text()))) {
      events.push(e);
      if (e.type === 'audio') signalFirstAudio();
    }
    const whole = fragments.join('');
    // Empty fragments are not sent (the service rejects empty text).
    expect(emu.tasks[0]?.texts).toEqual(fragments);
    expect(finished(events).characters).toBe(countCharacters(whole));
    // The unterminated tail is spoken too (finish-task was sent).
    expect(events.filter((e) => e.type === 'sentence-begin').map((e) => (e as { text?: string }).text)).toEqual([
      'The first sentence is here.',
      'The second one comes later and ends now.',
      'Tail without a stop',
    ]);
  });

  it('an error thrown by the text source fails the task with that error and drops the connection', async () => {
    const emu = await emulator();
    const boom = new Error('stdin broke');
    async function* text(): AsyncGenerator<string> {
      yield 'Some text. ';
      throw boom;
    }
    const r = runner(emu.websocketUrl);
    const { error } = await failure(r.run(request(text())));
    expect(error).toBe(boom);
    const next = await collect(r.run(request(['Again.'])));
    expect(started(next).reused).toBe(false);
    expect(emu.connections()).toBe(2);
  });
});

describe('TaskRunner: connection reuse', () => {
  it('runs sequential tasks on one connection', async () => {
    const emu = await emulator();
    const r = runner(emu.websocketUrl);
    const a = await collect(r.run(request(['First task.'])));
    const b = await collect(r.run(request(['Second task.'])));
    const c = await collect(r.run(request(['Third task.'])));
    expect([a, b, c].map((events) => started(events).reused)).toEqual([false, true, true]);
    expect(new Set([a, b, c].map((events) => started(events).connectionId)).size).toBe(1);
    expect(new Set([a, b, c].map((events) => started(events).taskId)).size).toBe(3);
    expect(emu.connections()).toBe(1);
    expect(emu.tasks.map((t) => [t.connectionId, t.status])).toEqual([
      [1, 'finished'],
      [1, 'finished'],
      [1, 'finished'],
    ]);
  });

  it('opens a new connection after close()', async () => {
    const emu = await emulator();
    const r = runner(emu.websocketUrl);
    await collect(r.run(request(['One.'])));
    r.close();
    const second = await collect(r.run(request(['Two.'])));
    expect(started(second).reused).toBe(false);
    expect(emu.connections()).toBe(2);
  });

  it.each([
    [CONNECTION_IDLE_REUSE_MS - 1_000, true, 1],
    [CONNECTION_IDLE_REUSE_MS + 1_000, false, 2],
  ])('a connection idle for %i ms is reused: %s', async (idleMs, reused, connections) => {
    const emu = await emulator();
    const r = runner(emu.websocketUrl);
    const first = await collect(r.run(request(['Before the pause.'])));
    // Seam: the runner's connection is private, so the idle time is simulated by moving the wall clock
    // (only Date is faked; timers and sockets run on real time).
    const now = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now + idleMs);
    const second = await collect(r.run(request(['After the pause.'])));
    vi.useRealTimers();
    expect(started(second).reused).toBe(reused);
    expect(started(second).connectionId === started(first).connectionId).toBe(reused);
    expect(emu.connections()).toBe(connections);
    expect(finished(second).characters).toBe(countCharacters('After the pause.'));
  });
});

describe('TaskRunner: failures', () => {
  it('task-failed after audio → ServiceError with the service code, message and task id; the connection is not reused', async () => {
    const emu = await emulator({ faults: { failAfterFrames: 2, times: 1 } });
    const r = runner(emu.websocketUrl);
    const { error, events } = await failure(r.run(request([LONG])));
    expect(events.filter((e) => e.type === 'audio')).toHaveLength(2);
    expect(error).toBeInstanceOf(ServiceError);
    const err = error as ServiceError;
    expect(err.serviceCode).toBe('InternalError');
    expect(err.serviceMessage).toBe(MESSAGES.internal);
    expect(err.taskId).toBe(started(events).taskId);
    expect(err.exitCode).toBe(ExitCode.Service);
    expect(isRetryable(err)).toBe(true);
    expect(events.some((e) => e.type === 'finished')).toBe(false);

    const next = await collect(r.run(request(['After the failure.'])));
    expect(started(next).reused).toBe(false);
    expect(started(next).connectionId).not.toBe(started(events).connectionId);
    expect(emu.connections()).toBe(2);
  });

  it('task-failed before task-started (an invalid voice) → ServiceError with the 418 hint, not retryable', async () => {
    const emu = await emulator();
    const { error, events } = await failure(runner(emu.websocketUrl).run(request(['Hello.'], { voice: 'longxiaochun_v2' })));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).serviceCode).toBe('InvalidParameter');
    expect((error as ServiceError).taskId).toBe(emu.tasks[0]?.taskId);
    expect(isRetryable(error)).toBe(false);
  });

  it('a socket closed before task-started is reopened once, transparently', async () => {
    const emu = await emulator({ faults: { closeBeforeTaskStarted: true, times: 1 } });
    const events = await collect(runner(emu.websocketUrl).run(request(['Second time lucky.']), { taskId: 'fixedtaskid0000000000000000000001' }));
    expect(started(events)).toMatchObject({ reused: false, taskId: 'fixedtaskid0000000000000000000001' });
    expect(finished(events).characters).toBe(countCharacters('Second time lucky.'));
    expect(emu.connections()).toBe(2);
    expect(emu.tasks.map((t) => [t.connectionId, t.status])).toEqual([
      [1, 'failed'],
      [2, 'finished'],
    ]);
  });

  it('a second close before task-started → NetworkError (no third connection)', async () => {
    const emu = await emulator({ faults: { closeBeforeTaskStarted: true } });
    const { error } = await failure(runner(emu.websocketUrl).run(request(['Never.'])));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as NetworkError).message).toMatch(/closed the connection before the task started/);
    expect((error as NetworkError).message).toContain('1011');
    expect((error as NetworkError).taskId).toBe(emu.tasks[1]?.taskId);
    expect(isRetryable(error)).toBe(true);
    expect(emu.connections()).toBe(2);
  });

  it('a connection dropped mid-audio → NetworkError naming the audio received', async () => {
    const emu = await emulator({ faults: { dropAfterFrames: 2 } });
    const { error, events } = await failure(runner(emu.websocketUrl).run(request([LONG])));
    expect(events.filter((e) => e.type === 'audio')).toHaveLength(2);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('CONNECTION_CLOSED');
    expect((error as NetworkError).message).toMatch(/bytes of audio/);
    expect((error as NetworkError).taskId).toBe(started(events).taskId);
  });

  it('a 401 at the handshake → AuthError with the status and the region hint, never showing the key', async () => {
    const emu = await emulator({ keys: ['sk-the-only-accepted-key'] });
    const { error } = await failure(runner(emu.websocketUrl).run(request(['Hello.'])));
    expect(error).toBeInstanceOf(AuthError);
    const err = error as AuthError;
    expect(err.status).toBe(401);
    expect(err.code).toBe('AUTH_REJECTED');
    expect(err.exitCode).toBe(ExitCode.Auth);
    expect(err.message).toContain('HTTP 401');
    expect(err.message).toContain('InvalidApiKey');
    expect(err.hint).toMatch(/region/);
    expect(err.hint).toMatch(/Beijing/);
    expect(err.hint).toMatch(/Singapore/);
    expect(`${err.message} ${err.hint}`).not.toContain(KEY);
    expect(isRetryable(err)).toBe(false);
    expect(emu.connections()).toBe(0);
  });

  it('a 429 at the handshake → retryable ServiceError with the status and the throttling code', async () => {
    const emu = await emulator({ faults: { maxTasksPerSecond: 0, throttleAt: 'handshake' } });
    const { error } = await failure(runner(emu.websocketUrl).run(request(['Hello.'])));
    expect(error).toBeInstanceOf(ServiceError);
    const err = error as ServiceError;
    expect(err.status).toBe(429);
    expect(err.serviceCode).toBe('Throttling.RateQuota');
    expect(err.serviceMessage).toBe(MESSAGES.rateLimited);
    expect(err.retryable).toBe(true);
    expect(isRetryable(err)).toBe(true);
    expect(emu.connections()).toBe(0);
  });

  it('throttling at run-task → retryable ServiceError', async () => {
    const emu = await emulator({ faults: { maxTasksPerSecond: 0 } });
    const { error } = await failure(runner(emu.websocketUrl).run(request(['Hello.'])));
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).serviceCode).toBe('Throttling.RateQuota');
    expect(isRetryable(error)).toBe(true);
  });

  it('a malformed frame from the server → ProtocolError with the task id, not retryable; the connection is dropped', async () => {
    const emu = await emulator({ faults: { malformedFrameAfter: 1, times: 1 } });
    const r = runner(emu.websocketUrl);
    const { error, events } = await failure(r.run(request([LONG])));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toMatch(/not valid JSON/);
    expect((error as ProtocolError).taskId).toBe(started(events).taskId);
    expect(isRetryable(error)).toBe(false);
    const next = await collect(r.run(request(['Next.'])));
    expect(started(next).reused).toBe(false);
  });

  it('a wrong endpoint path (HTTP 404 at the upgrade) → NetworkError with a hint about the path', async () => {
    const emu = await emulator();
    const url = emu.websocketUrl.replace('/api-ws/v1/inference', '/api-ws/v1/wrong');
    const { error } = await failure(runner(url).run(request(['Hello.'])));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('HANDSHAKE');
    expect((error as NetworkError).message).toContain('HTTP 404');
    expect((error as NetworkError).hint).toContain('/api-ws/v1/inference');
  });

  it('nothing listening → NetworkError REFUSED', async () => {
    const port = await closedPort();
    const { error } = await failure(runner(`ws://127.0.0.1:${port}/api-ws/v1/inference`).run(request(['Hello.'])));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('REFUSED');
  });
});

describe('TaskRunner: timeouts', () => {
  it('an upgrade that never completes → TimeoutError after connectMs', async () => {
    const url = await blackHole();
    const { error, ms } = await failure(runner(url, { timeouts: { connectMs: 150 } }).run(request(['Hello.'])));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/could not connect to .* within 150 ms/);
    expect(ms).toBeLessThan(1_500);
  });

  it('no task-started within taskStartedMs → TimeoutError (and no second attempt)', async () => {
    const server = await silentServer();
    const { error, ms } = await failure(runner(server.url, { timeouts: { taskStartedMs: 150 } }).run(request(['Hello.'])));
    expect(error).toBeInstanceOf(TimeoutError);
    const err = error as TimeoutError;
    expect(err.message).toMatch(/did not start the task within 150 ms/);
    expect(err.code).toBe('TIMEOUT');
    expect(err.exitCode).toBe(ExitCode.Network);
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(1_500);
    expect(server.connections()).toBe(1);
    // Only run-task went out: text waits for task-started.
    expect(server.received.map((m) => (JSON.parse(m) as { header: { action: string } }).header.action)).toEqual(['run-task']);
    expect(err.taskId).toBe((JSON.parse(server.received[0] ?? '{}') as { header: { task_id: string } }).header.task_id);
  });

  it.each<[string, Partial<Timeouts>, RegExp]>([
    ['stall', { stallMs: 150, firstAudioMs: 20_000 }, /sent nothing for 150 ms/],
    ['first audio', { firstAudioMs: 150, stallMs: 20_000 }, /no audio arrived within 150 ms/],
  ])('%s timeout → TimeoutError while the server holds back audio', async (_name, timeouts, message) => {
    const emu = await emulator({ faults: { frameDelayMs: 5_000 } });
    const { error, ms, events } = await failure(runner(emu.websocketUrl, { timeouts }).run(request(['Hello there.'])));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(message);
    expect((error as TimeoutError).taskId).toBe(started(events).taskId);
    expect(ms).toBeLessThan(2_000);
    expect(events.some((e) => e.type === 'audio')).toBe(false);
  });

  it('steady but slow frames do not trip a stall timeout longer than the gap', async () => {
    // Client and emulator share one event loop: a stall of the process delays the next frame and fires the client's
    // timer at once, so the gap is far below the timeout (950 ms of slack), and the frames span over twice the
    // timeout, so a stall clock that frames did not restart would fire.
    const gapMs = 50;
    const stallMs = 1_000;
    const emu = await emulator({ faults: { frameDelayMs: gapMs } });
    const r = runner(emu.websocketUrl, { timeouts: { stallMs, firstAudioMs: stallMs } });
    // 24 kHz pcm: 8192-byte frames of 171 ms, so LONG takes about 42 frames.
    const events = await collect(r.run(request([LONG], { sample_rate: 24000 })));
    expect(events.filter((e) => e.type === 'audio').length * gapMs).toBeGreaterThan(2 * stallMs);
    expect(finished(events).characters).toBe(countCharacters(LONG));
  });
});

describe('TaskRunner: abort', () => {
  it('aborts mid-audio promptly with the abort reason; the connection is not reused', async () => {
    const emu = await emulator({ faults: { frameDelayMs: 800, times: 1 } });
    const r = runner(emu.websocketUrl);
    const controller = new AbortController();
    const reason = new Error('user pressed Ctrl-C');
    const events: TaskEvent[] = [];
    let abortedAt = 0;
    let error: unknown;
    try {
      for await (const e of r.run(request([LONG]), { signal: controller.signal })) {
        events.push(e);
        if (e.type === 'audio' && abortedAt === 0) {
          // Abort while the runner waits for the next frame (due 800 ms later).
          setTimeout(() => {
            abortedAt = Date.now();
            controller.abort(reason);
          }, 20);
        }
      }
    } catch (err) {
      error = err;
    }
    const took = Date.now() - abortedAt;
    expect(error).toBe(reason);
    expect(abortedAt).toBeGreaterThan(0);
    expect(took).toBeLessThan(400);
    expect(events.filter((e) => e.type === 'audio')).toHaveLength(1);

    // The runner is usable again and does not reuse the aborted task's connection.
    const next = await collect(r.run(request(['Next.'])));
    expect(started(next).reused).toBe(false);
    expect(emu.connections()).toBe(2);
  });

  it('an abort between sentence-begin and the first audio also drops the connection', async () => {
    const emu = await emulator({ faults: { frameDelayMs: 300, times: 1 } });
    const r = runner(emu.websocketUrl);
    const controller = new AbortController();
    const events: TaskEvent[] = [];
    await expect(
      (async () => {
        for await (const e of r.run(request([LONG]), { signal: controller.signal })) {
          events.push(e);
          if (e.type === 'sentence-begin') controller.abort(new Error('stop'));
        }
      })(),
    ).rejects.toThrow('stop');
    const next = await collect(r.run(request(['Fresh start.'])));
    expect(started(next).reused).toBe(false);
    expect(started(next).connectionId).not.toBe(started(events).connectionId);
  });

  it('an already aborted signal rejects with its reason before connecting', async () => {
    const emu = await emulator();
    const reason = new Error('already gone');
    const { error } = await failure(runner(emu.websocketUrl).run(request(['Hello.']), { signal: AbortSignal.abort(reason) }));
    expect(error).toBe(reason);
    expect(emu.connections()).toBe(0);
  });

  it('aborts promptly while connecting', async () => {
    const url = await blackHole();
    const reason = new Error('stop connecting');
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 50);
    const { error, ms } = await failure(runner(url, { timeouts: { connectMs: 5_000 } }).run(request(['Hello.']), { signal: controller.signal }));
    expect(error).toBe(reason);
    expect(ms).toBeLessThan(1_000);
  });

  it('aborts promptly while waiting for task-started', async () => {
    const server = await silentServer();
    const reason = new Error('stop waiting');
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 50);
    const { error, ms } = await failure(runner(server.url, { timeouts: { taskStartedMs: 5_000 } }).run(request(['Hello.']), { signal: controller.signal }));
    expect(error).toBe(reason);
    expect(ms).toBeLessThan(1_000);
  });
});

describe('synthesize', () => {
  const text = LONG;

  function job(format: AudioFormat, tasks: string[][]): SynthesisJob {
    return { model: MODEL, parameters: params({ format }), format, tasks };
  }

  /** The bytes of a clean run (no faults) of `tasks`, written through a committed FileSink. */
  async function cleanFile(format: AudioFormat, tasks: string[][], name: string): Promise<Buffer> {
    const emu = await emulator();
    const path = join(dir, name);
    const sink = await FileSink.create(path, { wav: format === 'wav' });
    await synthesize(runner(emu.websocketUrl), job(format, tasks), sink);
    await sink.commit();
    return readFileSync(path);
  }

  it('retries a retryable failure on a file sink, rewinding it: the file equals a clean run', async () => {
    const clean = await cleanFile('wav', [[text]], 'clean.wav');
    const emu = await emulator({ faults: { failAfterFrames: 2, times: 1 } });
    const path = join(dir, 'retried.wav');
    const sink = await FileSink.create(path, { wav: true });
    const retries: Array<[string, number, number]> = [];
    const audioPerAttempt: number[] = [];
    const summary = await synthesize(runner(emu.websocketUrl), job('wav', [[text]]), sink, {
      onRetry: (err, attempt, delay, taskIndex) => {
        retries.push([(err as ServiceError).serviceCode, attempt, taskIndex]);
        expect(delay).toBeGreaterThanOrEqual(750);
        expect(delay).toBeLessThanOrEqual(1_000);
      },
      onEvent: (event) => {
        if (event.type === 'started') audioPerAttempt.push(0);
        if (event.type === 'audio') audioPerAttempt[audioPerAttempt.length - 1]! += 1;
      },
    });
    await sink.commit();
    expect(retries).toEqual([['InternalError', 1, 0]]);
    expect(audioPerAttempt[0]).toBe(2);
    expect(summary.attempts).toBe(2);
    expect(summary.taskIds).toEqual([emu.tasks[1]?.taskId]);
    expect(summary.characters).toBe(countCharacters(text));
    const bytes = readFileSync(path);
    expect(summary.bytes).toBe(bytes.length);
    expect(bytes.equals(clean)).toBe(true);
    expect(bytes.readUInt32LE(40)).toBe(bytes.length - 44);
    expect(readdirSync(dir).sort()).toEqual(['clean.wav', 'retried.wav']);
  });

  it('on a stream with audio already written, a failure is PartialOutputError and is not retried', async () => {
    const emu = await emulator({ faults: { failAfterFrames: 2 } });
    const stream = new PassThrough();
    const received: Buffer[] = [];
    stream.on('data', (c: Buffer) => received.push(c));
    const sink: AudioSink = new StreamSink(stream);
    let retried = false;
    let error: unknown;
    try {
      await synthesize(runner(emu.websocketUrl), job('pcm', [[text]]), sink, { onRetry: () => (retried = true) });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PartialOutputError);
    const err = error as PartialOutputError;
    expect(err.exitCode).toBe(ExitCode.Partial);
    expect(err.cause).toBeInstanceOf(ServiceError);
    expect((err.cause as ServiceError).serviceCode).toBe('InternalError');
    expect(err.taskId).toBe(emu.tasks[0]?.taskId);
    expect(err.bytesWritten).toBe(sink.bytesWritten);
    expect(err.bytesWritten).toBe(emu.tasks[0]?.audioBytes);
    expect(Buffer.concat(received).length).toBe(err.bytesWritten);
    expect(retried).toBe(false);
    expect(emu.tasks).toHaveLength(1);
  });

  it('on a stream, a failure before any audio of the task is retried and the output is complete', async () => {
    const clean = await cleanFile('pcm', [[text]], 'clean.pcm');
    const emu = await emulator({ faults: { failAfterFrames: 0, times: 1 } });
    const stream = new PassThrough();
    const received: Buffer[] = [];
    stream.on('data', (c: Buffer) => received.push(c));
    const summary = await synthesize(runner(emu.websocketUrl), job('pcm', [[text]]), new StreamSink(stream));
    expect(summary.attempts).toBe(2);
    expect(Buffer.concat(received).equals(clean)).toBe(true);
  });

  it('a multi-task WAV job with a retried first task equals a clean run of the same job', async () => {
    const tasks = planTasks(splitText(LONG, 30), 50);
    expect(tasks.length).toBeGreaterThanOrEqual(2);
    const clean = await cleanFile('wav', tasks, 'clean-multi.wav');
    const emu = await emulator({ faults: { failAfterFrames: 2, times: 1 } });
    const path = join(dir, 'retried-multi.wav');
    const sink = await FileSink.create(path, { wav: true });
    const summary = await synthesize(runner(emu.websocketUrl), job('wav', tasks), sink);
    await sink.commit();
    expect(summary.attempts).toBe(tasks.length + 1);
    expect(emu.tasks[0]?.status).toBe('failed');
    expect(readFileSync(path).equals(clean)).toBe(true);
  });

  it('a non-retryable failure is not retried', async () => {
    const emu = await emulator();
    const path = join(dir, 'bad.wav');
    const sink = await FileSink.create(path, { wav: true });
    const bad: SynthesisJob = { ...job('wav', [[text]]), parameters: params({ format: 'wav', voice: 'longxiaochun_v2' }) };
    await expect(synthesize(runner(emu.websocketUrl), bad, sink)).rejects.toBeInstanceOf(ServiceError);
    await sink.abort();
    expect(emu.tasks).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('joins a multi-task job into one WAV with exactly one header', async () => {
    const long = `${LONG} Five is here. Six is next. Seven follows. Eight ends it.`;
    const tasks = planTasks(splitText(long, 40), 60);
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    const emu = await emulator();
    const path = join(dir, 'joined.wav');
    const sink = await FileSink.create(path, { wav: true });
    const summary = await synthesize(runner(emu.websocketUrl), job('wav', tasks), sink);
    await sink.commit();
    const bytes = readFileSync(path);

    expect(emu.tasks).toHaveLength(tasks.length);
    expect(emu.tasks.every((t) => t.status === 'finished' && t.connectionId === 1)).toBe(true);
    expect(emu.connections()).toBe(1);
    expect(emu.tasks.flatMap((t) => t.texts).join('')).toBe(long);
    expect(summary.taskIds).toEqual(emu.tasks.map((t) => t.taskId));
    expect(summary.characters).toBe(countCharacters(long));
    expect(summary.attempts).toBe(tasks.length);

    // One header: the later tasks' 44-byte headers are dropped; sizes are fixed.
    const count = (needle: string): number => {
      let n = 0;
      for (let i = bytes.indexOf(needle); i >= 0; i = bytes.indexOf(needle, i + 1)) n++;
      return n;
    };
    expect(count('RIFF')).toBe(1);
    expect(count('WAVEfmt ')).toBe(1);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    const total = emu.tasks.reduce((sum, t) => sum + t.audioBytes, 0);
    expect(bytes.length).toBe(total - 44 * (tasks.length - 1));
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    expect(bytes.readUInt32LE(40)).toBe(bytes.length - 44);
  });
});
