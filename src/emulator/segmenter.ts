/**
 * Server-side sentence segmentation (pure). The service buffers the text of a task, synthesises each sentence as
 * soon as it is complete and keeps the unfinished tail until more text, a flush or finish-task arrives.
 *
 * Rules: a sentence ends at once after a CJK terminator (。！？；…) or a newline; after an ASCII terminator
 * (`.` `!` `?` `;`) only when whitespace follows (possibly after closing quotes or brackets) already in the buffer,
 * so "3.14" and a trailing "Hello." stay open. A run of terminators and closers stays with its sentence. A sentence
 * that grows past MAX_SENTENCE_CHARS counted characters without a terminator is cut after its last comma or space.
 */
import { codePointWeight } from '../protocol/counting.js';

/** Counted characters after which an unterminated sentence is cut. */
export const MAX_SENTENCE_CHARS = 300;

/** Terminators that end a sentence immediately. */
const CJK_TERMINATORS = new Set(['。', '！', '？', '；', '…', '\n', '．']);
/** Terminators that end a sentence only when whitespace follows. */
const ASCII_TERMINATORS = new Set(['.', '!', '?', ';']);
/** Closing quotes and brackets that stay with the terminator they follow. */
const CLOSERS = new Set(['"', "'", '”', '’', '»', ')', ']', '}', '）', '】', '」', '』', '》', '〉', '〕']);
/** Characters after which an over-long sentence may be cut (the character stays with the first part). */
const CUT_AFTER = new Set([',', '，', '、', '：', ':']);

/** One sentence taken from the buffer. */
export interface Sentence {
  /** Exactly what was consumed from the buffer for this sentence, leading whitespace included (it is billed). */
  raw: string;
  /** The sentence as the service reports it in `original_text`: `raw` trimmed. */
  text: string;
  /** Offset of `text` inside `raw`, in UTF-16 code units. */
  leading: number;
}

/** Sentences completed by the buffer and the text that stays buffered. */
export interface SegmentResult {
  sentences: Sentence[];
  /** The unfinished tail (possibly only whitespace), to be prefixed to the next text. */
  rest: string;
}

function isSpace(ch: string): boolean {
  return /^\s$/u.test(ch);
}

/** The code point starting at `i` (a whole surrogate pair when there is one). */
function codePointAt(text: string, i: number): string {
  const cp = text.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** The run of terminators and closers that starts at `i`: where it ends, and whether it holds a CJK terminator. */
function terminatorRun(text: string, i: number): { end: number; immediate: boolean } {
  let j = i;
  let immediate = false;
  while (j < text.length) {
    const ch = codePointAt(text, j);
    if (!CJK_TERMINATORS.has(ch) && !ASCII_TERMINATORS.has(ch) && !CLOSERS.has(ch)) break;
    if (ch === '\n') return { end: j + 1, immediate: true };
    immediate ||= CJK_TERMINATORS.has(ch);
    j += ch.length;
  }
  return { end: j, immediate };
}

/**
 * Where the sentence starting at `start` ends (exclusive), or -1 when it is not complete yet. `scan.plainUntil` is
 * kept across the sentences of one buffer: a run of terminators that ends nothing ("3.14", or thousands of dots) is
 * scanned once, even when an over-long sentence is cut inside it and the next sentence starts in the same run.
 */
function findSentenceEnd(text: string, start: number, scan: { plainUntil: number }): number {
  let counted = 0;
  let hasContent = false;
  let lastCut = -1;
  let i = start;
  while (i < text.length) {
    const ch = codePointAt(text, i);
    const space = isSpace(ch);
    counted += codePointWeight(ch);
    if (hasContent && counted > MAX_SENTENCE_CHARS) return lastCut > start ? lastCut : i;
    if (!hasContent && space) {
      i += ch.length;
      continue;
    }
    hasContent = true;
    if (i >= scan.plainUntil && (CJK_TERMINATORS.has(ch) || ASCII_TERMINATORS.has(ch))) {
      const run = terminatorRun(text, i);
      if (run.immediate) return run.end;
      if (run.end >= text.length) return -1;
      if (isSpace(codePointAt(text, run.end))) return run.end;
      // "3.14", "a.b": the run ends nothing; its characters are ordinary text (scanned once, not once per dot).
      scan.plainUntil = run.end;
    }
    if (space) lastCut = i;
    else if (CUT_AFTER.has(ch)) lastCut = i + ch.length;
    i += ch.length;
  }
  return -1;
}

function toSentence(raw: string): Sentence | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  return { raw, text, leading: raw.indexOf(text) };
}

/**
 * Takes the complete sentences off the front of `buffer`. With `final` (flush or finish-task) the unfinished tail
 * becomes a sentence too, unless it is only whitespace.
 */
export function segment(buffer: string, final: boolean): SegmentResult {
  const sentences: Sentence[] = [];
  let start = 0;
  const scan = { plainUntil: 0 };
  for (;;) {
    const end = findSentenceEnd(buffer, start, scan);
    if (end < 0) break;
    const sentence = toSentence(buffer.slice(start, end));
    if (sentence !== undefined) sentences.push(sentence);
    start = end;
  }
  const tail = buffer.slice(start);
  if (final) {
    const last = toSentence(tail);
    if (last !== undefined) return { sentences: [...sentences, last], rest: '' };
  }
  return { sentences, rest: tail };
}
