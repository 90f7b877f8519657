/**
 * Splitting long text into continue-task messages and tasks. Guarantees, each tested:
 * 1. no message exceeds the limit in counted characters (protocol.md §2.9);
 * 2. no split falls inside a code point (surrogate pair) or a grapheme cluster (base + combining marks, emoji);
 * 3. concatenating the pieces gives back the input exactly: nothing is lost, added or reordered;
 * 4. splits prefer sentence ends, then clause punctuation, then whitespace, and only then a grapheme boundary.
 */
import { countCharacters } from '../protocol/counting.js';
import { CLIENT_MAX_MESSAGE_CHARS, MAX_TASK_CHARS } from '../protocol/limits.js';

/** Sentence-ending punctuation (CJK terminators end a sentence by themselves). */
const SENTENCE_END = /[。！？；…!?;.\n]/u;
/** Clause punctuation: a weaker place to split. */
const CLAUSE_END = /[，、,：:]/u;
/** Closing marks that stay with the sentence they close. */
const CLOSERS = /["'”’」』）)\]】》]/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Segmenting more than this many UTF-16 units at once is slow: Intl.Segmenter is quadratic on long strings in Node 20. */
const SEGMENT_BLOCK = 2048;
/** A code point before which a grapheme boundary always falls: ASCII (except LF after CR) or a Han ideograph. */
const SAFE_START = /[\u0000-\u007f\p{Script=Han}]/u;

/** Grapheme clusters of a string, segmented in blocks cut where a cluster boundary is certain. */
export function splitGraphemes(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + SEGMENT_BLOCK);
    while (end < text.length) {
      const cp = text.codePointAt(end) ?? 0;
      const ch = String.fromCodePoint(cp);
      const isLowSurrogate = (text.charCodeAt(end) & 0xfc00) === 0xdc00;
      if (!isLowSurrogate && SAFE_START.test(ch) && !(ch === '\n' && text[end - 1] === '\r')) break;
      end++;
    }
    for (const s of graphemes.segment(text.slice(start, end))) out.push(s.segment);
    start = end;
  }
  return out;
}

/**
 * Sentences of a text, each keeping its terminator, closing marks and trailing whitespace, so that
 * `sentences(t).join('') === t`. A Latin `.` ends a sentence only when whitespace or the end follows.
 */
export function sentences(text: string): string[] {
  const out: string[] = [];
  const g = splitGraphemes(text);
  let current = '';
  for (let i = 0; i < g.length; i++) {
    const ch = g[i] ?? '';
    current += ch;
    if (!SENTENCE_END.test(ch)) continue;
    const isAsciiEnd = ch === '.' || ch === '!' || ch === '?' || ch === ';';
    let j = i + 1;
    while (j < g.length && (SENTENCE_END.test(g[j] ?? '') || CLOSERS.test(g[j] ?? ''))) j++;
    const next = g[j];
    if (isAsciiEnd && next !== undefined && !/^\s/u.test(next)) continue;
    while (j < g.length && /^\s/u.test(g[j] ?? '')) j++;
    current += g.slice(i + 1, j).join('');
    i = j - 1;
    out.push(current);
    current = '';
  }
  if (current !== '') out.push(current);
  return out;
}

/** Cuts one piece that is over the limit at the best boundary available. */
function cutOversized(piece: string, max: number): string[] {
  const g = splitGraphemes(piece);
  const out: string[] = [];
  let start = 0;
  while (start < g.length) {
    let used = 0;
    let end = start;
    let lastClause = -1;
    let lastSpace = -1;
    while (end < g.length) {
      const w = countCharacters(g[end] ?? '');
      if (used + w > max) break;
      used += w;
      const ch = g[end] ?? '';
      if (CLAUSE_END.test(ch)) lastClause = end + 1;
      else if (/^\s/u.test(ch)) lastSpace = end + 1;
      end++;
    }
    if (end === start) end = start + 1; // a single grapheme over the limit cannot be split further
    else if (end < g.length) {
      // A clause mark is the better place to cut unless it would leave a piece under half the window.
      const half = start + (end - start) / 2;
      if (lastClause >= half) end = lastClause;
      else if (lastSpace > start) end = lastSpace;
      else if (lastClause > start) end = lastClause;
    }
    out.push(g.slice(start, end).join(''));
    start = end;
  }
  return out;
}

/**
 * Splits text into messages of at most `max` counted characters, packing whole sentences greedily.
 * @default max CLIENT_MAX_MESSAGE_CHARS (2,000)
 */
export function splitText(text: string, max: number = CLIENT_MAX_MESSAGE_CHARS): string[] {
  if (text === '') return [];
  const out: string[] = [];
  let current = '';
  let currentCount = 0;
  for (const sentence of sentences(text)) {
    const count = countCharacters(sentence);
    if (count > max) {
      if (current !== '') out.push(current);
      current = '';
      currentCount = 0;
      const parts = cutOversized(sentence, max);
      const last = parts.pop() ?? '';
      out.push(...parts);
      current = last;
      currentCount = countCharacters(last);
      continue;
    }
    if (currentCount + count > max) {
      out.push(current);
      current = '';
      currentCount = 0;
    }
    current += sentence;
    currentCount += count;
  }
  if (current !== '') out.push(current);
  return out;
}

/**
 * Groups messages into tasks of at most `maxTask` counted characters each (the per-task limit), in order.
 * @default maxTask MAX_TASK_CHARS (200,000)
 */
export function planTasks(messages: readonly string[], maxTask: number = MAX_TASK_CHARS): string[][] {
  const tasks: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const m of messages) {
    const c = countCharacters(m);
    if (current.length > 0 && used + c > maxTask) {
      tasks.push(current);
      current = [];
      used = 0;
    }
    current.push(m);
    used += c;
  }
  if (current.length > 0) tasks.push(current);
  return tasks;
}
