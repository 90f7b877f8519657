/**
 * One running synthesis task: buffers its text, speaks each sentence as soon as it is complete (sentence-begin,
 * sentence-synthesis + binary frame pairs, sentence-end), keeps the idle clock, injects frame faults, and ends with
 * task-finished or task-failed. The session feeds it instructions strictly in order and awaits each one.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { countCharacters } from '../protocol/counting.js';
import { encodeResultGenerated, encodeTaskFailed, encodeTaskFinished, encodeTaskStarted } from '../protocol/codec.js';
import type { SentenceInfo } from '../protocol/messages.js';
import { createAudioSynth, type AudioSynth } from './audio-synth.js';
import { delayBeforeFrame, faultAfterFrames, MALFORMED_FRAME, type TaskFaults } from './faults.js';
import type { Outbox } from './outbox.js';
import { segment, type Sentence } from './segmenter.js';
import { idleTimeoutFailure, INTERNAL_ERROR, invalidParameter, MESSAGES, type TaskFailure } from './service-errors.js';
import type { SsmlBreak } from './ssml.js';
import { sentenceDurationMs, sentenceWords, type Pause } from './timestamps.js';
import type { AudioFrameInfo, EmulatorTaskRecord } from './types.js';
import type { TaskConfig } from './validate-task.js';
import { checkContinueText } from './validate-text.js';

/** The finish-task directive the Java SDK sends to cancel (UNCONFIRMED semantics: drop unsent audio, finish). */
export const CANCEL_DIRECTIVE = 'cancel';
/** Seed text of the audio rendered for SSML breaks. */
const BREAK_SEED = '';

/** What a task needs from its connection and emulator. */
export interface TaskDeps {
  outbox: Outbox;
  record: EmulatorTaskRecord;
  config: TaskConfig;
  faults: TaskFaults;
  msPerCharacter: number;
  idleTimeoutMs: number;
  /** Aborts when the connection closes. */
  signal: AbortSignal;
  log: (line: string) => void;
  /** Told about every audio frame right after it was handed to the socket (EmulatorOptions.onAudioFrame). */
  onAudioFrame?: ((info: AudioFrameInfo) => void) | undefined;
  /** Destroys the TCP connection without a close frame (dropAfterFrames fault). */
  dropConnection: () => void;
  /** Called once when the task ends, however it ends. */
  onEnd: (task: Task) => void;
}

/** Lifecycle of a task. */
type TaskState = 'running' | 'finishing' | 'ended';

/** A task between task-started and its last event. */
export class Task {
  readonly id: string;
  private state: TaskState = 'running';
  private readonly synth: AudioSynth;
  /** Text received but not yet spoken (text content for SSML). */
  private buffer = '';
  /** Code units of the task's text stream already taken by sentences. */
  private consumed = 0;
  /** SSML breaks not yet spoken, at code-unit offsets of the task's text stream. */
  private breaks: SsmlBreak[] = [];
  private messages = 0;
  private receivedBilled = 0;
  /** Whether the audio stream's closing frames went out (with the last sentence). */
  private streamClosed = false;
  private spokenBilled = 0;
  private nextIndex = 0;
  private timelineMs = 0;
  private framesSent = 0;
  private finishRequested = false;
  private cancelled = false;
  /** When sendFrames last let the event loop turn (performance.now()). */
  private lastTurn = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    taskId: string,
    private readonly deps: TaskDeps,
  ) {
    this.id = taskId;
    const { format, sampleRate, bitRate, volume, pitch } = deps.config;
    this.synth = createAudioSynth({ format, sampleRate, bitRate, volume, pitch });
  }

  /** Whether the task has ended (finished, failed or cut off). */
  get ended(): boolean {
    return this.state === 'ended';
  }

  /** Sends task-started and starts the idle clock. */
  start(): void {
    this.deps.outbox.text(encodeTaskStarted(this.id));
    this.armIdle();
    const { model, voice, format, sampleRate } = this.deps.config;
    this.deps.log(`task ${this.id}: started (model ${model}, voice ${voice}, ${format} ${sampleRate} Hz)`);
  }

  /** Reacts to an instruction for this task as soon as it arrives, before its turn in the queue. */
  noteArrival(action: 'continue-task' | 'finish-task', directive?: string): void {
    if (this.state === 'ended') return;
    if (action === 'continue-task') {
      this.armIdle();
      return;
    }
    this.finishRequested = true;
    this.disarmIdle();
    if (directive === CANCEL_DIRECTIVE) this.cancelled = true;
  }

  /** A continue-task: text to buffer and speak sentence by sentence, and/or a flush of the buffered tail. */
  async continueTask(text: string | undefined, flush: boolean): Promise<void> {
    if (this.state !== 'running') return;
    const { record, config } = this.deps;
    if (text !== undefined) record.texts.push(text);
    if (flush) record.flushes += 1;
    if (!(flush && (text === undefined || text === ''))) {
      const check = checkContinueText(text, {
        enableSsml: config.enableSsml,
        ssmlSupported: config.ssmlSupported,
        messagesSoFar: this.messages,
        billedSoFar: this.receivedBilled,
      });
      if (!check.ok) {
        this.fail(check.failure);
        return;
      }
      this.messages += 1;
      this.receivedBilled += check.billed;
      record.billedCharacters = this.receivedBilled;
      const base = this.consumed + this.buffer.length;
      for (const b of check.breaks) this.breaks.push({ offset: base + b.offset, ms: b.ms });
      this.buffer += check.content;
    }
    this.armIdle();
    await this.speakBuffered(flush, false);
  }

  /** A finish-task: speak everything buffered, close the stream, send task-finished (or cancel). */
  async finishTask(directive: string | undefined): Promise<void> {
    if (this.state !== 'running') return;
    this.finishRequested = true;
    this.disarmIdle();
    if (directive === CANCEL_DIRECTIVE || this.cancelled) {
      this.cancelled = true;
      this.buffer = '';
      this.finish('cancelled');
      return;
    }
    if (this.messages === 0) {
      this.fail(invalidParameter(MESSAGES.noText));
      return;
    }
    this.state = 'finishing';
    await this.speakBuffered(true, true);
    // Normally the last sentence spoken above closed the stream before its sentence-end. When every sentence had
    // been spoken before finish-task, the closing frames (and SSML breaks after the last sentence) can only follow
    // its sentence-end, marked with its index.
    const lastIndex = Math.max(0, this.nextIndex - 1);
    const closed =
      this.speaking() &&
      (this.streamClosed ||
        ((await this.sendFrames(this.trailingSilence(), lastIndex)) && (await this.sendFrames(this.synth.finish(), lastIndex))));
    if (closed) {
      this.finish('finished');
      return;
    }
    // A cancel that arrived while the rest was being spoken ends the task here; its own finish-task is moot.
    if (this.cancelled && !this.ended && this.deps.outbox.open) this.finish('cancelled');
  }

  /** Audio of SSML breaks after the last sentence (they go out with the closing frames of the stream). */
  private trailingSilence(): Buffer[] {
    const ms = this.breaks.reduce((sum, b) => sum + b.ms, 0);
    this.breaks = [];
    if (ms <= 0 || this.nextIndex === 0) return [];
    this.timelineMs += ms;
    return this.synth.render(ms, BREAK_SEED);
  }

  /** Sends task-failed and ends the task. */
  fail(failure: TaskFailure): void {
    if (this.state === 'ended') return;
    this.deps.outbox.text(encodeTaskFailed(this.id, failure.errorCode, failure.errorMessage));
    this.end('failed', failure);
    this.deps.log(`task ${this.id}: failed ${failure.errorCode}: ${failure.errorMessage}`);
  }

  /** Ends the task without any event (the connection is gone). */
  abort(reason: string): void {
    if (this.state === 'ended') return;
    this.end('failed', { errorCode: undefined, errorMessage: reason });
    this.deps.log(`task ${this.id}: ${reason}`);
  }

  /** Whether audio may still go out for this task. */
  private speaking(): boolean {
    return this.state !== 'ended' && !this.cancelled && !this.deps.signal.aborted && this.deps.outbox.open;
  }

  private finish(how: 'finished' | 'cancelled'): void {
    this.deps.outbox.text(encodeTaskFinished(this.id, this.receivedBilled));
    this.end('finished');
    const { record } = this.deps;
    this.deps.log(
      `task ${this.id}: ${how} (${this.receivedBilled} characters, ${record.audioFrames} frames, ${record.audioBytes} bytes)`,
    );
  }

  private end(status: 'finished' | 'failed', failure?: { errorCode: string | undefined; errorMessage: string }): void {
    this.state = 'ended';
    this.disarmIdle();
    const { record } = this.deps;
    record.status = status;
    if (failure !== undefined) {
      if (failure.errorCode !== undefined) record.errorCode = failure.errorCode;
      record.errorMessage = failure.errorMessage;
    }
    this.deps.onEnd(this);
  }

  private armIdle(): void {
    if (this.state === 'ended' || this.finishRequested) return;
    if (this.idleTimer !== undefined) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => this.onIdle(), this.deps.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private disarmIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private onIdle(): void {
    this.idleTimer = undefined;
    if (this.state === 'running' && !this.finishRequested) this.fail(idleTimeoutFailure(this.deps.idleTimeoutMs));
  }

  /**
   * Speaks the complete sentences of the buffer; with `final`, the unfinished tail too. `closing` (finish-task): the
   * last of them takes the breaks after it and closes the audio stream before its sentence-end.
   */
  private async speakBuffered(final: boolean, closing: boolean): Promise<void> {
    if (!this.speaking()) return;
    const { sentences, rest } = segment(this.buffer, final);
    this.buffer = rest;
    for (const [i, sentence] of sentences.entries()) {
      if (!this.speaking()) return;
      const isLast = i === sentences.length - 1;
      await this.speakSentence(sentence, closing && isLast);
    }
  }

  /** The breaks falling inside a sentence, as pauses at code-point offsets of its trimmed text. */
  private takePauses(sentence: Sentence, start: number, trailing: boolean): Pause[] {
    const end = start + sentence.raw.length;
    const textStart = start + sentence.leading;
    const mine = this.breaks.filter((b) => b.offset < end || trailing);
    this.breaks = this.breaks.filter((b) => !(b.offset < end || trailing));
    return mine.map((b) => {
      const units = Math.min(Math.max(b.offset - textStart, 0), sentence.text.length);
      return { offset: Array.from(sentence.text.slice(0, units)).length, ms: b.ms };
    });
  }

  private async speakSentence(sentence: Sentence, closing: boolean): Promise<void> {
    const { outbox, config, msPerCharacter } = this.deps;
    const index = this.nextIndex++;
    const start = this.consumed;
    this.consumed += sentence.raw.length;
    const pauses = this.takePauses(sentence, start, closing);
    const msPerChar = msPerCharacter / config.rate;
    const begin: SentenceInfo = { index, words: [] };
    outbox.text(encodeResultGenerated(this.id, 'sentence-begin', begin, { originalText: sentence.text }));

    const startMs = this.timelineMs;
    this.timelineMs += sentenceDurationMs(sentence.text, msPerChar, pauses);
    for (const piece of this.pieces(sentence.text, pauses)) {
      const frames = this.synth.render(piece.ms, piece.seed);
      if (!(await this.sendFrames(frames, index))) return;
    }
    // The stream's closing frames (the Ogg end-of-stream page) belong to the last sentence, before its end.
    if (closing) {
      if (!(await this.sendFrames(this.synth.finish(), index))) return;
      this.streamClosed = true;
    }
    this.spokenBilled += countCharacters(sentence.raw);
    const words = config.wordTimestamps ? sentenceWords(sentence.text, startMs, msPerChar, pauses) : [];
    const end: SentenceInfo = { index, words };
    outbox.text(
      encodeResultGenerated(this.id, 'sentence-end', end, { originalText: sentence.text, characters: this.spokenBilled }),
    );
  }

  /** The sentence's audio as speech and silence pieces, in order. */
  private pieces(text: string, pauses: readonly Pause[]): Array<{ ms: number; seed: string }> {
    const msPerChar = this.deps.msPerCharacter / this.deps.config.rate;
    const cps = Array.from(text);
    const pieces: Array<{ ms: number; seed: string }> = [];
    let from = 0;
    for (const pause of [...pauses].sort((a, b) => a.offset - b.offset)) {
      const to = Math.min(pause.offset, cps.length);
      if (to > from) pieces.push({ ms: countCharacters(cps.slice(from, to).join('')) * msPerChar, seed: text });
      pieces.push({ ms: pause.ms, seed: BREAK_SEED });
      from = Math.max(from, to);
    }
    if (from < cps.length) pieces.push({ ms: countCharacters(cps.slice(from).join('')) * msPerChar, seed: text });
    return pieces;
  }

  /**
   * Sends audio frames, each right after its sentence-synthesis event, with fault delays and flow control.
   * It lets the event loop turn at least every millisecond, so instructions that arrive meanwhile are read (a cancel
   * stops the audio at once, as on the service, which produces audio at a finite speed); without that, a sentence's
   * frames would all be written before the socket was read again.
   * Returns false when the task stopped speaking (ended, cancelled, or the connection closed).
   */
  private async sendFrames(frames: readonly Buffer[], index: number): Promise<boolean> {
    const { outbox, record, faults, signal } = this.deps;
    for (const frame of frames) {
      if (this.framesSent === 0 && !this.applyFrameFault(0)) return false;
      const delay = delayBeforeFrame(faults, this.framesSent);
      if (delay > 0 || performance.now() - this.lastTurn >= 1) {
        if (delay > 0) await sleep(delay, undefined, { signal, ref: false }).catch(() => undefined);
        else await nextTurn();
        this.lastTurn = performance.now();
      }
      await outbox.drained();
      if (!this.speaking()) return false;
      const event = encodeResultGenerated(this.id, 'sentence-synthesis', { index, words: [] });
      outbox.audio(event, frame);
      const onAudioFrame = this.deps.onAudioFrame;
      if (onAudioFrame !== undefined) {
        onAudioFrame({ taskId: this.id, index: this.framesSent, bytes: frame.length, sentAt: performance.now() });
      }
      this.framesSent += 1;
      record.audioFrames += 1;
      record.audioBytes += frame.length;
      this.armIdle();
      if (!this.applyFrameFault(this.framesSent)) return false;
    }
    return this.speaking();
  }

  /** Applies the fault due after `framesSent` frames; returns whether the task may go on. */
  private applyFrameFault(framesSent: number): boolean {
    switch (faultAfterFrames(this.deps.faults, framesSent)) {
      case 'drop':
        this.abort(`connection dropped after ${framesSent} frames (fault)`);
        this.deps.dropConnection();
        return false;
      case 'fail':
        this.fail(INTERNAL_ERROR);
        return false;
      case 'malformed':
        this.deps.outbox.text(MALFORMED_FRAME);
        return this.speaking();
      default:
        return this.speaking();
    }
  }
}
