/**
 * Typed events the task runner yields to its consumers (sinks, subtitle writers, progress).
 */
import type { WordTimestamp } from '../protocol/messages.js';

/** run-task was accepted. */
export interface StartedEvent {
  type: 'started';
  taskId: string;
  /** Connection number within the process (reuse shows as the same number). */
  connectionId: number;
  /** Whether the connection was reused from an earlier task. */
  reused: boolean;
}

/** A sentence begins. */
export interface SentenceBeginEvent {
  type: 'sentence-begin';
  index: number;
  text: string | undefined;
}

/** One binary audio frame, in order. */
export interface AudioEvent {
  type: 'audio';
  data: Buffer;
  sentenceIndex: number | undefined;
}

/** A sentence ended; words carry timestamps when they were requested. */
export interface SentenceEndEvent {
  type: 'sentence-end';
  index: number;
  text: string | undefined;
  words: WordTimestamp[];
  /** Cumulative billed characters so far, when reported. */
  characters: number | undefined;
}

/** The task finished: all audio was delivered. */
export interface FinishedEvent {
  type: 'finished';
  taskId: string;
  /** Billed characters of the task (from task-finished, else the last sentence-end). */
  characters: number | undefined;
  /** Milliseconds from sending run-task to the first audio frame (undefined without audio). */
  firstAudioMs: number | undefined;
  audioBytes: number;
}

export type TaskEvent = StartedEvent | SentenceBeginEvent | AudioEvent | SentenceEndEvent | FinishedEvent;
