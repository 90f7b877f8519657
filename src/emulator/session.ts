/**
 * One WebSocket connection of the emulator: decodes instructions, queues them and handles them strictly in order
 * (instructions may arrive before task-started: the Java SDK streams continue-task right after run-task), runs at
 * most one task at a time, and allows further tasks on the same socket after task-finished or task-failed.
 */
import type { RawData, WebSocket } from 'ws';
import {
  decodeClientInstruction,
  encodeTaskFailed,
  type DecodedInstruction,
  type InstructionError,
} from '../protocol/codec.js';
import { FAULT_CLOSE_CODE, FAULT_CLOSE_REASON, taskFaults, type TaskFaults } from './faults.js';
import type { HandshakeHeaders } from './handshake.js';
import { Outbox } from './outbox.js';
import { INTERNAL_ERROR, protocolViolation, THROTTLED, type TaskFailure } from './service-errors.js';
import { Task } from './task.js';
import type { EmulatorContext, EmulatorTaskRecord } from './types.js';
import { validateRunTask, type TaskConfig } from './validate-task.js';

/** Who is on the other end of a session. */
export interface ConnectionInfo {
  /** 1-based number of the connection. */
  id: number;
  /** The account the handshake's key or token acts for (custom voices are per account). */
  account: string;
  headers: HandshakeHeaders;
}

/** An instruction waiting for its turn: the decoded frame and its raw text. */
type Queued = { raw: string; decoded: ReturnType<typeof decodeClientInstruction> };

/** Failure for a run-task while another task runs on the connection (our wording). */
const TASK_ALREADY_RUNNING = protocolViolation('A task is already running on this connection!');
/** Failure for an instruction naming no known task (our wording). */
const UNKNOWN_TASK = protocolViolation('Task not found: send run-task first!');

/** Handles one accepted WebSocket connection. */
export class Session {
  private readonly outbox: Outbox;
  private readonly queue: Queued[] = [];
  private readonly closed = new AbortController();
  /** Ids of tasks that ended (failed or finished) on this connection; later instructions for them are ignored. */
  private readonly endedIds = new Set<string>();
  private current: Task | undefined;
  private pumping = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly context: EmulatorContext,
    private readonly connection: ConnectionInfo,
  ) {
    this.outbox = new Outbox(ws);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code) => this.onClose(code));
    ws.on('error', (err) => this.context.log(`connection ${connection.id}: error ${err.message}`));
    const { userAgent, workspace } = connection.headers;
    context.log(`connection ${connection.id}: open (user-agent ${userAgent ?? '-'}, workspace ${workspace ?? '-'})`);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.context.log(`connection ${this.connection.id}: ignored a binary frame`);
      return;
    }
    const receivedAt = performance.now();
    const raw = rawText(data);
    const decoded = decodeClientInstruction(raw);
    if (decoded.ok) {
      this.reportInstruction(decoded.value, receivedAt);
      this.noteArrival(decoded.value);
    }
    this.queue.push({ raw, decoded });
    void this.pump();
  }

  private onClose(code: number): void {
    this.closed.abort();
    this.queue.length = 0;
    this.current?.abort('connection closed');
    this.context.log(`connection ${this.connection.id}: closed (${code})`);
  }

  /** Tells EmulatorOptions.onInstruction, if set, about an instruction that just arrived. */
  private reportInstruction(instruction: DecodedInstruction, receivedAt: number): void {
    const onInstruction = this.context.onInstruction;
    if (onInstruction === undefined) return;
    const { taskId, action } = instruction;
    if (instruction.action === 'continue-task' && instruction.text !== undefined) {
      onInstruction({ taskId, action, text: instruction.text, receivedAt });
    } else {
      onInstruction({ taskId, action, receivedAt });
    }
  }

  /** Lets the running task see continue-task and finish-task at once (idle clock, cancel). */
  private noteArrival(instruction: DecodedInstruction): void {
    const task = this.current;
    if (task === undefined || task.id !== instruction.taskId || instruction.action === 'run-task') return;
    task.noteArrival(instruction.action, instruction.action === 'finish-task' ? instruction.directive : undefined);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.queue.shift(); next !== undefined && !this.closed.signal.aborted; next = this.queue.shift()) {
        await this.handle(next).catch((err: unknown) => this.onHandlerError(err));
      }
    } finally {
      this.pumping = false;
    }
  }

  private onHandlerError(err: unknown): void {
    this.context.log(`connection ${this.connection.id}: internal error ${err instanceof Error ? err.stack : String(err)}`);
    this.current?.fail(INTERNAL_ERROR);
  }

  private async handle({ raw, decoded }: Queued): Promise<void> {
    if (!decoded.ok) {
      this.rejectUndecodable(decoded.error);
      return;
    }
    const instruction = decoded.value;
    if (instruction.action === 'run-task') {
      this.runTask(instruction);
      return;
    }
    const task = this.current;
    if (task === undefined || task.id !== instruction.taskId) {
      if (!this.endedIds.has(instruction.taskId)) this.sendFailure(instruction.taskId, UNKNOWN_TASK);
      return;
    }
    if (instruction.action === 'continue-task') await task.continueTask(instruction.text, instruction.flush);
    else await task.finishTask(instruction.directive);
  }

  /** A frame that is not a valid instruction fails the task it names (or the running task). */
  private rejectUndecodable(error: InstructionError): void {
    const failure: TaskFailure = { errorCode: error.errorCode, errorMessage: error.errorMessage };
    const taskId = error.taskId ?? this.current?.id;
    if (taskId !== undefined && this.endedIds.has(taskId)) return;
    if (this.current !== undefined && this.current.id === taskId) {
      this.current.fail(failure);
      return;
    }
    this.sendFailure(taskId ?? '', failure);
  }

  private runTask(instruction: Extract<DecodedInstruction, { action: 'run-task' }>): void {
    const { context } = this;
    const { taskId, model, parameters, input } = instruction;
    const ordinal = context.nextTaskOrdinal();
    const faults = taskFaults(context.faults, ordinal);
    const record = this.newRecord(taskId, model, parameters);
    this.endedIds.delete(taskId);

    if (faults.closeBeforeTaskStarted) {
      this.endRecord(record, undefined, 'connection closed before task-started (fault)');
      this.endedIds.add(taskId);
      this.ws.close(FAULT_CLOSE_CODE, FAULT_CLOSE_REASON);
      return;
    }
    const running = this.current;
    if (running !== undefined && running.id === taskId) {
      // The same id again: the running task fails, with one task-failed for both.
      this.endRecord(record, TASK_ALREADY_RUNNING.errorCode, TASK_ALREADY_RUNNING.errorMessage);
      running.fail(TASK_ALREADY_RUNNING);
      return;
    }
    if (running !== undefined) {
      this.rejectTask(record, TASK_ALREADY_RUNNING);
      return;
    }
    if (!context.taskLimiter.tryAdmit()) {
      this.rejectTask(record, THROTTLED);
      return;
    }
    const validation = validateRunTask({ taskGroup: instruction.taskGroup, task: instruction.task, function: instruction.function, model, input, parameters }, context.voices, this.connection.account);
    if (!validation.ok) {
      this.rejectTask(record, validation.failure);
      return;
    }
    const task = this.createTask(taskId, record, validation.config, faults);
    if (task === undefined) return;
    this.current = task;
    task.start();
  }

  /** A task ready to start, or undefined (after a task-failed) when its audio cannot be set up. */
  private createTask(taskId: string, record: EmulatorTaskRecord, config: TaskConfig, faults: TaskFaults): Task | undefined {
    const { context } = this;
    try {
      return new Task(taskId, {
        outbox: this.outbox,
        record,
        config,
        faults,
        msPerCharacter: context.msPerCharacter,
        idleTimeoutMs: context.idleTimeoutMs,
        signal: this.closed.signal,
        log: context.log,
        onAudioFrame: context.onAudioFrame,
        dropConnection: () => this.ws.terminate(),
        onEnd: (ended) => this.onTaskEnd(ended, record),
      });
    } catch (err) {
      context.log(`task ${taskId}: cannot set up audio: ${err instanceof Error ? err.message : String(err)}`);
      this.rejectTask(record, INTERNAL_ERROR);
      return undefined;
    }
  }

  private onTaskEnd(task: Task, record: EmulatorTaskRecord): void {
    if (this.current === task) this.current = undefined;
    this.endedIds.add(record.taskId);
  }

  private newRecord(taskId: string, model: string | undefined, parameters: Record<string, unknown>): EmulatorTaskRecord {
    const record: EmulatorTaskRecord = {
      taskId,
      connectionId: this.connection.id,
      model,
      parameters,
      texts: [],
      flushes: 0,
      headers: this.connection.headers,
      status: 'running',
      billedCharacters: 0,
      audioBytes: 0,
      audioFrames: 0,
    };
    this.context.tasks.push(record);
    return record;
  }

  private endRecord(record: EmulatorTaskRecord, errorCode: string | undefined, errorMessage: string): void {
    record.status = 'failed';
    if (errorCode !== undefined) record.errorCode = errorCode;
    record.errorMessage = errorMessage;
    this.context.log(`task ${record.taskId}: failed ${errorCode ?? '(no event)'}: ${errorMessage}`);
  }

  /** Fails a run-task that never started. */
  private rejectTask(record: EmulatorTaskRecord, failure: TaskFailure): void {
    this.endRecord(record, failure.errorCode, failure.errorMessage);
    this.endedIds.add(record.taskId);
    this.outbox.text(encodeTaskFailed(record.taskId, failure.errorCode, failure.errorMessage));
  }

  private sendFailure(taskId: string, failure: TaskFailure): void {
    this.context.log(`task ${taskId || '(none)'}: rejected ${failure.errorCode}: ${failure.errorMessage}`);
    this.outbox.text(encodeTaskFailed(taskId, failure.errorCode, failure.errorMessage));
  }
}

/** The text of a text frame, whatever form `ws` delivered it in. */
function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
