/**
 * A raw WebSocket client for the emulator tests: opens sockets with chosen headers, builds instruction frames by hand
 * (so tests can send every shape the SDKs send, and broken ones), and records what the server sends, in order.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { afterEach, vi } from 'vitest';
import { WebSocket } from 'ws';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../src/emulator/server.js';

/** The key every test uses unless it tests keys. */
export const TEST_KEY = 'sk-test-key';

/** A default run-task `parameters` object for a v3-flash system voice. */
export function baseParameters(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { text_type: 'PlainText', voice: 'longanyang', format: 'pcm', sample_rate: 16000, ...overrides };
}

/** One thing the server sent (a JSON event, a binary frame, or a text frame that is not JSON) and when. */
export type Received = (
  | { kind: 'event'; event: ServerFrame }
  | { kind: 'binary'; data: Buffer }
  | { kind: 'text'; text: string }
) & { at: number };

/** A parsed server event frame. */
export interface ServerFrame {
  header: { task_id: string; event: string; error_code?: string; error_message?: string; attributes?: unknown };
  payload: {
    output?: {
      type?: string;
      original_text?: string;
      sentence?: {
        index: number;
        words: Array<{ text: string; begin_index: number; end_index: number; begin_time: number; end_time: number }>;
      };
    };
    usage?: { characters: number };
  };
}

/** The handshake failed: status and JSON body of the HTTP response. */
export class HandshakeRejected extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(`handshake rejected with ${status}`);
  }
}

/** Opens a socket; rejects with HandshakeRejected on an HTTP error response. */
export function openSocket(
  url: string,
  headers: Record<string, string> = { Authorization: `Bearer ${TEST_KEY}` },
): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const conversation = new Conversation(ws);
    ws.once('open', () => resolve(conversation));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = { raw: text };
        }
        reject(new HandshakeRejected(res.statusCode ?? 0, body));
        ws.terminate();
      });
    });
  });
}

/** A fresh task id in the PY-SDK style (32 hex digits). */
export function newTaskId(): string {
  return randomUUID().replaceAll('-', '');
}

/** The run-task frame of the docs and SDKs. */
export function runTaskFrame(
  taskId: string,
  parameters: Record<string, unknown> = baseParameters(),
  payload: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    header: { action: 'run-task', task_id: taskId, streaming: 'duplex' },
    payload: {
      task_group: 'audio',
      task: 'tts',
      function: 'SpeechSynthesizer',
      model: 'cosyvoice-v3-flash',
      input: {},
      parameters,
      ...payload,
    },
  });
}

/** The three continue-task shapes: docs' minimal, PY-SDK (routing repeated), JAVA-SDK (parameters repeated too). */
export type ContinueShape = 'minimal' | 'python' | 'java';

/** A continue-task frame carrying `input`. */
export function continueFrame(
  taskId: string,
  input: Record<string, unknown>,
  shape: ContinueShape = 'minimal',
  parameters: Record<string, unknown> = baseParameters(),
): string {
  const routing = { model: 'cosyvoice-v3-flash', task_group: 'audio', task: 'tts', function: 'SpeechSynthesizer' };
  const payload =
    shape === 'minimal' ? { input } : shape === 'python' ? { ...routing, input } : { ...routing, input, parameters };
  return JSON.stringify({ header: { action: 'continue-task', task_id: taskId, streaming: 'duplex' }, payload });
}

/** A continue-task frame with text. */
export function textFrame(taskId: string, text: string, shape: ContinueShape = 'minimal'): string {
  return continueFrame(taskId, { text }, shape);
}

/** The finish-task frame. */
export function finishFrame(taskId: string, input: Record<string, unknown> = {}): string {
  return JSON.stringify({ header: { action: 'finish-task', task_id: taskId, streaming: 'duplex' }, payload: { input } });
}

/** Default time a test waits for an event. */
const WAIT_MS = 5_000;

/** One connection and everything received on it. */
export class Conversation {
  readonly received: Received[] = [];
  /** Bytes of binary frames received so far. */
  audioBytes = 0;
  closeCode: number | undefined;
  private readonly waiters: Array<() => void> = [];
  readonly closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        this.received.push({ kind: 'binary', data: Buffer.from(data), at: Date.now() });
        this.audioBytes += data.length;
      } else {
        const text = data.toString('utf8');
        try {
          this.received.push({ kind: 'event', event: JSON.parse(text) as ServerFrame, at: Date.now() });
        } catch {
          this.received.push({ kind: 'text', text, at: Date.now() });
        }
      }
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        this.wake();
        resolve(code);
      }),
    );
  }

  /** Sends raw text frames in order. */
  send(...frames: string[]): void {
    for (const f of frames) this.ws.send(f);
  }

  /** Events only (binary frames left out). */
  events(taskId?: string): ServerFrame[] {
    return this.received
      .flatMap((r) => (r.kind === 'event' ? [r.event] : []))
      .filter((e) => taskId === undefined || e.header.task_id === taskId);
  }

  /** Resolves once `predicate` holds for what was received, or rejects after `timeoutMs`. */
  async until(predicate: () => boolean, timeoutMs = WAIT_MS, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${this.summary()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for task-finished or task-failed of `taskId` and returns it. */
  async end(taskId: string, timeoutMs = WAIT_MS): Promise<ServerFrame> {
    const terminal = (): ServerFrame | undefined =>
      this.events(taskId).find((e) => e.header.event === 'task-finished' || e.header.event === 'task-failed');
    await this.until(() => terminal() !== undefined, timeoutMs, `the end of task ${taskId}`);
    return terminal() as ServerFrame;
  }

  /** Waits for the socket to close. */
  async waitClosed(timeoutMs = WAIT_MS): Promise<number> {
    await this.until(() => this.closeCode !== undefined, timeoutMs, 'close');
    return this.closeCode ?? 0;
  }

  /** Concatenated binary frames received so far. */
  audio(): Buffer {
    return Buffer.concat(this.received.filter((r) => r.kind === 'binary').map((r) => (r as { data: Buffer }).data));
  }

  /** Closes the socket. */
  close(): void {
    this.ws.close();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private summary(): string {
    return JSON.stringify(
      this.received.slice(-8).map((r) => (r.kind === 'event' ? r.event.header : r.kind === 'binary' ? `<${r.data.length} bytes>` : r.text)),
    );
  }
}

/** Runs one complete task on a fresh or given connection: run-task, texts, finish-task; returns the last event. */
export async function synthesize(
  conversation: Conversation,
  texts: string[],
  parameters: Record<string, unknown> = baseParameters(),
  taskId: string = newTaskId(),
): Promise<{ taskId: string; end: ServerFrame }> {
  conversation.send(runTaskFrame(taskId, parameters), ...texts.map((t) => textFrame(taskId, t)), finishFrame(taskId));
  return { taskId, end: await conversation.end(taskId) };
}

/** Per-test emulator and sockets of an integration test file. */
export interface EmulatorFixture {
  /** The emulator of the running test, once started. */
  readonly emulator: RunningEmulator | undefined;
  /** Starts the emulator of this test on port 0. */
  start(options?: EmulatorOptions): Promise<RunningEmulator>;
  /** Opens a socket to this test's emulator, starting it with `options` first if it is not running. */
  connect(options?: EmulatorOptions): Promise<Conversation>;
  /** Opens a socket to an emulator and closes it with the test. */
  open(url: string): Promise<Conversation>;
}

/** Registers the after-each clean-up (sockets, then the emulator) and returns the fixture; call at the top level. */
export function emulatorFixture(): EmulatorFixture {
  let emulator: RunningEmulator | undefined;
  const conversations: Conversation[] = [];
  afterEach(async () => {
    vi.useRealTimers(); // a test that froze the clock (freezeClock) gets it back
    for (const c of conversations.splice(0)) c.close();
    await emulator?.close();
    emulator = undefined;
  });
  const fixture: EmulatorFixture = {
    get emulator() {
      return emulator;
    },
    async start(options = {}) {
      emulator = await startEmulator({ port: 0, ...options });
      return emulator;
    },
    async connect(options = {}) {
      const running = emulator ?? (await fixture.start(options));
      return fixture.open(running.websocketUrl);
    },
    async open(url) {
      const c = await openSocket(url);
      conversations.push(c);
      return c;
    },
  };
  return fixture;
}
