/**
 * SubtitleTimeline: turns the runner's events, fed in order across tasks, into sentences and words timed on the
 * output audio and written in the user's own text (pure; no I/O, no clock).
 *
 * Rules:
 * - Word times from the service are on the task's audio timeline; the timeline adds the audio duration of the
 *   tasks before (task rollover), so times continue. Word times that would place a sentence's first word before
 *   half of the task's audio preceding that sentence are taken as relative to the sentence's own audio instead
 *   (a defence: the service's reference point is not documented).
 * - A sentence without words is timed from the audio received between its sentence-begin and sentence-end (the
 *   sum of the frame durations the caller reports).
 * - Each sentence is located in the user's text (see align.ts); its text and its words become slices of the
 *   user's text, so the user's punctuation and casing survive. When that fails the service's text is used.
 * - sentences() rounds to whole milliseconds and makes everything monotonic, non-overlapping and no later than
 *   the audio's duration.
 */
import type { WordTimestamp } from '../protocol/messages.js';
import type { SentenceBeginEvent, SentenceEndEvent } from '../tts/events.js';
import { alignSentence, foldCodePoint, foldText, locateServiceWords, mapSpan, type Span } from './align.js';
import type { Sentence, TimedText } from './types.js';

/** A sentence whose sentence-begin arrived and whose sentence-end has not. */
interface OpenSentence {
  index: number;
  text: string | undefined;
  /** Received audio (ms) when it began. */
  audioBegin: number;
}

/** A finished sentence before clamping and rounding. */
interface RawSentence {
  text: string;
  words: TimedText[];
  audioBegin: number;
  audioEnd: number;
}

/** Collects the events of one run (one or more tasks) and yields its timed sentences. */
export class SubtitleTimeline {
  private readonly userCps: string[] = [];
  private readonly userKeys: string[] = [];
  /** Code point of the user's text after the last aligned sentence. */
  private userCursor = 0;
  /** Milliseconds of audio received so far, all tasks. */
  private receivedMs = 0;
  private receivedBytes = 0;
  /** Where the current task's audio starts on the output timeline. */
  private taskOffset = 0;
  private open: OpenSentence | undefined;
  private readonly finished: RawSentence[] = [];
  /** The state when the current task started, restored by discardTask(). */
  private taskStart = { finished: 0, receivedMs: 0, receivedBytes: 0, userCursor: 0 };

  /** Starts a timeline for the text the user sent (plain text; pass the text content of SSML). */
  constructor(userText = '') {
    this.addText(userText);
  }

  /** Appends text the user sent later (`stream` reads its input as it arrives). */
  addText(text: string): void {
    for (const cp of text) {
      this.userCps.push(cp);
      this.userKeys.push(foldCodePoint(cp));
    }
  }

  /** A new task (or a new attempt at one) begins: its times start after all the audio received so far. */
  startTask(): void {
    this.closeOpen();
    this.taskOffset = this.receivedMs;
    this.taskStart = {
      finished: this.finished.length,
      receivedMs: this.receivedMs,
      receivedBytes: this.receivedBytes,
      userCursor: this.userCursor,
    };
  }

  /** Forgets everything since the last startTask(): an attempt that failed and will be retried (or dropped). */
  discardTask(): void {
    this.open = undefined;
    this.finished.length = this.taskStart.finished;
    this.receivedMs = this.taskStart.receivedMs;
    this.receivedBytes = this.taskStart.receivedBytes;
    this.userCursor = this.taskStart.userCursor;
  }

  /** The service began a sentence. */
  sentenceBegin(event: Pick<SentenceBeginEvent, 'index' | 'text'>): void {
    this.closeOpen();
    this.open = { index: event.index, text: event.text, audioBegin: this.receivedMs };
  }

  /** One audio frame arrived: its size (or the bytes themselves) and its duration in milliseconds. */
  audio(bytes: Uint8Array | number, durationMs: number): void {
    this.receivedBytes += typeof bytes === 'number' ? bytes : bytes.byteLength;
    if (Number.isFinite(durationMs) && durationMs > 0) this.receivedMs += durationMs;
  }

  /** The service ended a sentence, with its words when timestamps were enabled. */
  sentenceEnd(event: Pick<SentenceEndEvent, 'index' | 'text' | 'words'>): void {
    if (this.open !== undefined && this.open.index !== event.index) this.closeOpen();
    const open = this.open;
    this.open = undefined;
    const words = event.words.filter((w) => Number.isFinite(w.begin_time) && Number.isFinite(w.end_time));
    const text = event.text ?? open?.text ?? words.map((w) => w.text).join(' ');
    this.finish(text, words, open?.audioBegin ?? this.receivedMs);
  }

  /** The task finished; a sentence left open is closed, timed by its audio. */
  endTask(): void {
    this.closeOpen();
  }

  /** Milliseconds of audio received so far (the sum of the reported frame durations). */
  get durationMs(): number {
    return this.receivedMs;
  }

  /** Bytes of audio received so far. */
  get audioBytes(): number {
    return this.receivedBytes;
  }

  /**
   * The finished sentences, indexed from 0 across tasks, in whole milliseconds, monotonic, non-overlapping and
   * clamped to `durationMs` (default: the audio received; pass a better figure when the file tells it).
   */
  sentences(durationMs: number = this.receivedMs): Sentence[] {
    const limit = Math.max(0, Math.floor(durationMs));
    const clamp = (t: number, low: number): number => Math.min(limit, Math.max(low, Math.round(t)));
    let previousEnd = 0;
    return this.finished.map((raw, index) => {
      const words: TimedText[] = [];
      let cursor = previousEnd;
      for (const w of raw.words) {
        const begin = clamp(w.begin, cursor);
        const end = clamp(w.end, begin);
        words.push({ text: w.text, begin, end });
        cursor = end;
      }
      const first = words[0];
      const last = words[words.length - 1];
      const begin = first?.begin ?? clamp(raw.audioBegin, previousEnd);
      const end = last?.end ?? clamp(raw.audioEnd, begin);
      previousEnd = end;
      return { index, text: raw.text, begin, end, words };
    });
  }

  /** Closes a sentence that got no sentence-end: no words, timed by its audio. */
  private closeOpen(): void {
    const open = this.open;
    if (open === undefined) return;
    this.open = undefined;
    this.finish(open.text ?? '', [], open.audioBegin);
  }

  /** Aligns a finished sentence to the user's text and stores it with absolute times. */
  private finish(serviceText: string, words: readonly WordTimestamp[], audioBegin: number): void {
    const serviceCps = Array.from(serviceText);
    const serviceKeys = foldText(serviceText);
    const spans = locateServiceWords(serviceKeys, words);
    const alignment = alignSentence(this.userKeys, this.userCps, this.userCursor, serviceKeys);
    if (alignment !== undefined) this.userCursor = alignment.end;
    const slice = (cps: readonly string[], span: Span): string => cps.slice(span.begin, span.end).join('');
    const offset = this.wordOffset(words, audioBegin);
    this.finished.push({
      text: alignment === undefined ? serviceText : slice(this.userCps, alignment),
      words: words.map((w, i) => {
        const span = spans[i];
        const userSpan = span === undefined || alignment === undefined ? undefined : mapSpan(alignment.map, span);
        let text = w.text;
        if (userSpan !== undefined) text = slice(this.userCps, userSpan);
        else if (span !== undefined && alignment === undefined) text = slice(serviceCps, span);
        return { text, begin: offset + w.begin_time, end: offset + w.end_time };
      }),
      audioBegin,
      audioEnd: this.receivedMs,
    });
  }

  /** What the service's word times of a sentence beginning at `audioBegin` are relative to (see the file comment). */
  private wordOffset(words: readonly WordTimestamp[], audioBegin: number): number {
    const before = audioBegin - this.taskOffset;
    const first = words[0];
    return first !== undefined && before > 0 && first.begin_time < before / 2 ? audioBegin : this.taskOffset;
  }
}
