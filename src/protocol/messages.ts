/**
 * Typed messages of the CosyVoice duplex WebSocket protocol (protocol.md §2.3–2.4).
 * Client instructions travel as JSON text frames; server events as JSON text frames plus binary audio frames.
 */
import type { AudioFormat } from './limits.js';

/** Actions a client may send. */
export type ClientAction = 'run-task' | 'continue-task' | 'finish-task';

/** Header shared by every client instruction. */
export interface ClientHeader<A extends ClientAction = ClientAction> {
  action: A;
  task_id: string;
  streaming: 'duplex';
}

/** `hot_fix` request parameter: pronunciation overrides and text replacements (v3-flash). */
export interface HotFix {
  pronunciation?: Array<Record<string, string>>;
  replace?: Array<Record<string, string>>;
}

/** The `parameters` object of run-task as sent on the wire. Unknown keys are allowed (the SDKs merge extras). */
export interface SynthesisParameters {
  text_type: 'PlainText';
  voice: string;
  format: AudioFormat | 'Default';
  sample_rate: number;
  volume?: number;
  rate?: number;
  pitch?: number;
  bit_rate?: number;
  enable_ssml?: boolean;
  word_timestamp_enabled?: boolean;
  seed?: number;
  language_hints?: string[];
  instruction?: string;
  enable_aigc_tag?: boolean;
  aigc_propagator?: string;
  aigc_propagate_id?: string;
  hot_fix?: HotFix;
  enable_markdown_filter?: boolean;
  [extra: string]: unknown;
}

/** run-task: opens a task. Text never travels here (`input` is empty). */
export interface RunTaskInstruction {
  header: ClientHeader<'run-task'>;
  payload: {
    task_group: 'audio';
    task: 'tts';
    function: 'SpeechSynthesizer';
    model: string;
    input: Record<string, never>;
    parameters: SynthesisParameters;
  };
}

/** continue-task: one fragment of text (or the SDK-only `flush` variant). */
export interface ContinueTaskInstruction {
  header: ClientHeader<'continue-task'>;
  payload: { input: { text: string } | { flush: true } };
}

/** finish-task: no more text; the server synthesises what is buffered and ends the task. */
export interface FinishTaskInstruction {
  header: ClientHeader<'finish-task'>;
  payload: { input: Record<string, never> };
}

export type ClientInstruction = RunTaskInstruction | ContinueTaskInstruction | FinishTaskInstruction;

/** One word with its position in the sentence (character offsets, end exclusive) and time in ms. */
export interface WordTimestamp {
  text: string;
  begin_index: number;
  end_index: number;
  begin_time: number;
  end_time: number;
}

/** The sentence object carried by result-generated events. */
export interface SentenceInfo {
  index: number;
  words: WordTimestamp[];
  begin_time?: number;
  end_time?: number;
}

/** Kinds of result-generated events. */
export type ResultKind = 'sentence-begin' | 'sentence-synthesis' | 'sentence-end';

/** Server event names. */
export type ServerEventName = 'task-started' | 'result-generated' | 'task-finished' | 'task-failed';

/** Header of server events. */
export interface ServerHeader {
  task_id: string;
  event: ServerEventName;
  attributes: Record<string, unknown>;
  error_code?: string;
  error_message?: string;
}

/** task-started: run-task was accepted. */
export interface TaskStartedEvent {
  event: 'task-started';
  taskId: string;
}

/** result-generated: a sentence begins, one audio frame follows, or a sentence ends. */
export interface ResultGeneratedEvent {
  event: 'result-generated';
  taskId: string;
  kind: ResultKind;
  sentence: SentenceInfo;
  /** The sentence text (sentence-begin; possibly sentence-end). */
  originalText?: string;
  /** Cumulative billed characters so far, when the event carries usage. */
  characters?: number;
}

/** task-finished: all audio was delivered. */
export interface TaskFinishedEvent {
  event: 'task-finished';
  taskId: string;
  /** Total billed characters, when present. */
  characters?: number;
}

/** task-failed: the task ended with an error, possibly after audio was delivered. */
export interface TaskFailedEvent {
  event: 'task-failed';
  taskId: string;
  errorCode: string;
  errorMessage: string;
}

/** An event whose name cosy does not know; kept so newer servers do not break older clients. */
export interface UnknownServerEvent {
  event: 'unknown';
  taskId: string;
  name: string;
}

export type ServerEvent =
  | TaskStartedEvent
  | ResultGeneratedEvent
  | TaskFinishedEvent
  | TaskFailedEvent
  | UnknownServerEvent;
