/**
 * The shared WebSocket task runner: runs synthesis tasks one after another over a reused connection and yields
 * typed events. run-task → task-started (bounded wait) → continue-task × N → finish-task → events → task-finished.
 * A task-failed at any point fails the whole task; a truncated result is never reported as success.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocketProxy } from '../proxy.js';
import { NetworkError, ProtocolError, ServiceError, TimeoutError } from '../errors.js';
import { decodeServerEvent, encodeContinueTask, encodeFinishTask, encodeRunTask } from '../protocol/codec.js';
import type { ServerEvent, SynthesisParameters } from '../protocol/messages.js';
import { Connection } from './connection.js';
import type { TaskEvent } from './events.js';
import { CONNECTION_IDLE_REUSE_MS, DEFAULT_TIMEOUTS, type Timeouts } from './timeouts.js';

/** Where and how to connect. */
export interface RunnerOptions {
  url: string;
  apiKey: string;
  userAgent: string;
  workspace?: string | undefined;
  /** The proxy to tunnel through, if any. */
  proxy?: WebSocketProxy | undefined;
  timeouts?: Partial<Timeouts> | undefined;
  /** Debug log sink; never receives the API key. */
  log?: ((line: string) => void) | undefined;
  /**
   * Awaited before every run-task is sent (retries and reopened connections included): the seam for a rate
   * limiter on task starts shared by several runners.
   */
  beforeRunTask?: ((signal: AbortSignal | undefined) => Promise<void>) | undefined;
}

/** One synthesis task. */
export interface TaskRequest {
  model: string;
  parameters: SynthesisParameters;
  /** Text fragments, one continue-task each, in order; may arrive over time (streaming input). */
  text: Iterable<string> | AsyncIterable<string>;
}

/** Options of one run. */
export interface RunOptions {
  signal?: AbortSignal | undefined;
  /** Task id to use (a fresh UUID without dashes by default). */
  taskId?: string | undefined;
}

/** A new task id: 32 hex characters, as the Python SDK makes them. */
export function newTaskId(): string {
  return randomUUID().replaceAll('-', '');
}

/** Runs tasks sequentially on one kept-alive connection. Not safe for concurrent tasks: use one runner each. */
export class TaskRunner {
  readonly #options: RunnerOptions;
  readonly #timeouts: Timeouts;
  #connection: Connection | undefined;
  #busy = false;

  constructor(options: RunnerOptions) {
    this.#options = options;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...stripUndefined(options.timeouts ?? {}) };
  }

  /**
   * Opens the connection ahead of the first task (no task is started, nothing is billed), so the first task only
   * pays for run-task. A kept-alive connection idle too long is replaced when the task starts, as usual.
   */
  async warmUp(signal?: AbortSignal): Promise<void> {
    await this.#connect(signal);
  }

  /** Closes the kept-alive connection, if any. */
  close(): void {
    this.#connection?.close();
    this.#connection = undefined;
  }

  #log(line: string): void {
    this.#options.log?.(line);
  }

  /** A connection being opened (by warmUp or a task); a second caller waits for it instead of opening another. */
  #opening: Promise<Connection> | undefined;

  async #connect(signal: AbortSignal | undefined): Promise<{ connection: Connection; reused: boolean }> {
    if (this.#opening) {
      try {
        await this.#opening;
      } catch {
        // the earlier attempt failed: try again below
      }
    }
    const current = this.#connection;
    if (current && current.isOpen && Date.now() - current.lastActivity < CONNECTION_IDLE_REUSE_MS) {
      return { connection: current, reused: true };
    }
    if (current) {
      this.#log(`connection #${current.id} is ${current.isOpen ? 'idle too long' : 'closed'}; opening a new one`);
      current.close();
    }
    const started = Date.now();
    const opening = Connection.open({
      url: this.#options.url,
      apiKey: this.#options.apiKey,
      userAgent: this.#options.userAgent,
      workspace: this.#options.workspace,
      connectTimeoutMs: this.#timeouts.connectMs,
      signal,
      proxy: this.#options.proxy,
    });
    this.#opening = opening;
    let connection: Connection;
    try {
      connection = await opening;
    } finally {
      if (this.#opening === opening) this.#opening = undefined;
    }
    this.#log(`connection #${connection.id} open in ${Date.now() - started} ms`);
    this.#connection = connection;
    return { connection, reused: false };
  }

  /**
   * Runs one task and yields its events; the last event is `finished`.
   * @throws ServiceError (task-failed), ProtocolError (malformed frame), NetworkError/TimeoutError, or the abort reason.
   */
  async *run(request: TaskRequest, options: RunOptions = {}): AsyncGenerator<TaskEvent, void, undefined> {
    if (this.#busy) throw new Error('TaskRunner.run called while another task is running');
    this.#busy = true;
    const signal = options.signal;
    let taskId = options.taskId ?? newTaskId();
    let connection: Connection | undefined;
    let finished = false;
    try {
      signal?.throwIfAborted();
      // Open (or reuse) a connection and start the task; a socket found closed before task-started is reopened once.
      let reused = false;
      for (let attempt = 0; ; attempt++) {
        const opened = await this.#connect(signal);
        connection = opened.connection;
        reused = opened.reused;
        await this.#options.beforeRunTask?.(signal);
        signal?.throwIfAborted();
        const runStarted = Date.now();
        try {
          await connection.send(encodeRunTask(taskId, request.model, request.parameters));
          await this.#awaitStarted(connection, taskId, signal);
          this.#log(`task ${taskId} started in ${Date.now() - runStarted} ms on connection #${connection.id}${reused ? ' (reused)' : ''}`);
          break;
        } catch (err) {
          if (err instanceof ClosedBeforeStart && attempt === 0) {
            this.#log(`connection #${connection.id} closed before task-started (${err.message}); reopening once`);
            connection.terminate();
            this.#connection = undefined;
            taskId = options.taskId ? `${options.taskId}` : newTaskId();
            continue;
          }
          if (err instanceof ClosedBeforeStart) {
            throw new NetworkError(`the service closed the connection before the task started (${err.message})`, {
              taskId,
              hint: 'retry later; if it persists, check --endpoint and the network',
            });
          }
          throw err;
        }
      }
      const runSentAt = Date.now();
      yield { type: 'started', taskId, connectionId: connection.id, reused };

      // Feed text concurrently with receiving events; failures and timers interrupt the reader.
      const conn = connection;
      const clocks = new TaskClocks(this.#timeouts, taskId, (error) => conn.interrupt(error, taskId));
      let sentFinish = false;
      const sender = (async () => {
        try {
          for await (const text of request.text) {
            signal?.throwIfAborted();
            if (text === '') continue;
            await conn.send(encodeContinueTask(taskId, text));
          }
          await conn.send(encodeFinishTask(taskId));
          sentFinish = true;
          clocks.allTextSent();
        } catch (err) {
          // A send that failed because the socket closed is reported by the reader from the close itself.
          if (conn.isOpen || !(err instanceof NetworkError)) conn.interrupt(err, taskId);
        }
      })();
      const onAbort = (): void => conn.interrupt(signal?.reason ?? new Error('aborted'), taskId);
      signal?.addEventListener('abort', onAbort, { once: true });

      let audioBytes = 0;
      let firstAudioMs: number | undefined;
      let characters: number | undefined;
      let sentenceIndex: number | undefined;
      try {
        for (;;) {
          const frame = await conn.next();
          if (frame.kind === 'interrupt') {
            if (frame.tag !== taskId) continue;
            throw frame.error;
          }
          clocks.frameArrived();
          if (frame.kind === 'closed') {
            throw new NetworkError(
              `the connection closed before the task finished (code ${frame.code}${frame.reason ? `, ${frame.reason}` : ''})` +
                (audioBytes > 0 ? ` after ${audioBytes} bytes of audio` : ''),
              { taskId, code: 'CONNECTION_CLOSED', hint: 'retry; the audio so far is incomplete' },
            );
          }
          if (frame.kind === 'binary') {
            if (firstAudioMs === undefined) {
              firstAudioMs = Date.now() - runSentAt;
              clocks.firstAudioArrived();
            }
            audioBytes += frame.data.length;
            yield { type: 'audio', data: frame.data, sentenceIndex };
            continue;
          }
          const event: ServerEvent = decodeServerEvent(frame.data);
          if (event.event !== 'unknown' && event.taskId !== taskId) {
            this.#log(`ignoring ${event.event} for task ${event.taskId} (current task ${taskId})`);
            continue;
          }
          switch (event.event) {
            case 'task-started':
              break;
            case 'result-generated':
              if (event.characters !== undefined) characters = event.characters;
              sentenceIndex = event.sentence.index;
              if (event.kind === 'sentence-begin') {
                yield { type: 'sentence-begin', index: event.sentence.index, text: event.originalText };
              } else if (event.kind === 'sentence-end') {
                yield {
                  type: 'sentence-end',
                  index: event.sentence.index,
                  text: event.originalText,
                  words: event.sentence.words,
                  characters: event.characters,
                };
              }
              break;
            case 'task-finished': {
              if (!sentFinish) {
                throw new ProtocolError('the service finished the task before cosy sent finish-task', { taskId });
              }
              finished = true;
              connection.lastActivity = Date.now();
              yield {
                type: 'finished',
                taskId,
                characters: event.characters ?? characters,
                firstAudioMs,
                audioBytes,
              };
              return;
            }
            case 'task-failed':
              throw new ServiceError(event.errorCode, event.errorMessage, { taskId });
            case 'unknown':
              this.#log(`ignoring unknown event ${event.name}`);
              break;
          }
        }
      } finally {
        clocks.dispose();
        signal?.removeEventListener('abort', onAbort);
        void sender;
      }
    } catch (err) {
      if (err instanceof ServiceError || err instanceof ProtocolError || err instanceof NetworkError) {
        err.taskId ??= taskId;
      }
      throw err;
    } finally {
      // A connection whose task did not finish cleanly is never reused (protocol.md §2.6).
      if (!finished && connection) {
        connection.terminate();
        if (this.#connection === connection) this.#connection = undefined;
      }
      this.#busy = false;
    }
  }

  async #awaitStarted(connection: Connection, taskId: string, signal: AbortSignal | undefined): Promise<void> {
    const timeoutMs = this.#timeouts.taskStartedMs;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(`the service did not start the task within ${timeoutMs} ms`, {
              taskId,
              hint: 'the service may be overloaded; retry later',
            }),
          ),
        timeoutMs,
      );
      onAbort = () => reject(signal?.reason ?? new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const wait = (async () => {
      for (;;) {
        const frame = await connection.next();
        if (frame.kind === 'closed') {
          throw new ClosedBeforeStart(`close code ${frame.code}${frame.reason ? `, ${frame.reason}` : ''}`);
        }
        if (frame.kind === 'interrupt') {
          if (frame.tag === taskId) throw frame.error;
          continue;
        }
        if (frame.kind === 'binary') throw new ProtocolError('audio arrived before task-started', { taskId });
        const event = decodeServerEvent(frame.data);
        if (event.event === 'unknown' || event.taskId !== taskId) continue;
        if (event.event === 'task-started') return;
        if (event.event === 'task-failed') throw new ServiceError(event.errorCode, event.errorMessage, { taskId });
        throw new ProtocolError(`${event.event} arrived before task-started`, { taskId });
      }
    })();
    try {
      await Promise.race([wait, timeout]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      wait.catch(() => undefined);
    }
  }
}

/** The socket closed between run-task and task-started. */
class ClosedBeforeStart extends Error {}

/**
 * The first-audio and stall clocks of one task. Both run only once all text is sent (before that, a quiet
 * server is normal: it may be waiting for the rest of a sentence). Expiry interrupts the reader.
 */
class TaskClocks {
  readonly #timeouts: Timeouts;
  readonly #taskId: string;
  readonly #expire: (error: TimeoutError) => void;
  #firstAudioTimer: NodeJS.Timeout | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  #sawAudio = false;
  #allSent = false;

  constructor(timeouts: Timeouts, taskId: string, expire: (error: TimeoutError) => void) {
    this.#timeouts = timeouts;
    this.#taskId = taskId;
    this.#expire = expire;
  }

  /** finish-task is sent: the service now owes the rest of the audio. */
  allTextSent(): void {
    this.#allSent = true;
    if (!this.#sawAudio) {
      const ms = this.#timeouts.firstAudioMs;
      this.#firstAudioTimer = setTimeout(() => {
        this.#expire(
          new TimeoutError(`no audio arrived within ${ms} ms after all text was sent`, {
            taskId: this.#taskId,
            hint: 'the service may be overloaded; retry later',
          }),
        );
      }, ms);
    }
    this.#restartStall();
  }

  /** The first binary frame arrived. */
  firstAudioArrived(): void {
    this.#sawAudio = true;
    clearTimeout(this.#firstAudioTimer);
  }

  /** Any frame arrived: the stall clock starts over. */
  frameArrived(): void {
    if (this.#allSent) this.#restartStall();
  }

  #restartStall(): void {
    const ms = this.#timeouts.stallMs;
    clearTimeout(this.#stallTimer);
    this.#stallTimer = setTimeout(() => {
      this.#expire(
        new TimeoutError(`the service sent nothing for ${ms} ms in the middle of the task`, {
          taskId: this.#taskId,
          hint: 'the connection may have stalled; retry',
        }),
      );
    }, ms);
  }

  /** Stops both clocks. */
  dispose(): void {
    clearTimeout(this.#firstAudioTimer);
    clearTimeout(this.#stallTimer);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
