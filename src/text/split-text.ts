/**
 * Splitting long text into continue-task messages and tasks. Guarantees, each tested:
 * 1. no message exceeds the limit in counted characters (protocol.md §2.9);
 * 2. no split falls inside a code point (surrogate pair) or a grapheme cluster (base + combining marks, emoji);
 * 3. concatenating the pieces gives back the input exactly: nothing is lost, added or reordered;
 * 4. splits prefer sentence ends, then clause punctuation, then whitespace, and only then a grapheme boundary.
 */
import { countCharacters } from '../protocol/counting.js';
import { CLIENT_MAX_MESSAGE_CHARS, MAX_TASK_CHARS } from '../protocol/limits.js';

/** Clause punctuation: a weaker place to split. */
const CLAUSE_END = /[，、,：:]/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Segmenting more than this many UTF-16 units at once is slow: Intl.Segmenter is quadratic on long strings in Node 20. */
const SEGMENT_BLOCK = 2048;
/** A code point before which a grapheme boundary always falls: ASCII (except LF after CR) or a Han ideograph. */
const SAFE_START = /[\u0000-\u007f\p{Script=Han}]/u;

/** A single BMP code unit before which a grapheme boundary always falls (see SAFE_START), for the fast path. */
function safeUnit(code: number): boolean {
  return code < 0x80 || (code >= 0x3400 && code < 0xd800 && SAFE_START.test(String.fromCharCode(code)));
}

/**
 * Grapheme clusters of a string. A character with a certain boundary on both sides (ASCII, a BMP Han ideograph,
 * followed by another such) is its own cluster, taken without Intl.Segmenter, which costs about a microsecond per
 * cluster; the rest is segmented in blocks cut where a cluster boundary is certain.
 */
export function splitGraphemes(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    const code = text.charCodeAt(start);
    const next = start + 1 < text.length ? text.charCodeAt(start + 1) : -1;
    if (safeUnit(code) && (next === -1 || (safeUnit(next) && !(code === 0x0d && next === 0x0a)))) {
      out.push(text[start] ?? '');
      start++;
      continue;
    }
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

/** A run of sentence-ending marks with the closing quotes, brackets and combining marks that stay with it. */
const TERMINATOR_RUN = /[。！？；…\n.!?;][。！？；….!?;"'”’」』）)\]】》\p{M}\u200d\ufe0f]*/gu;
/** Marks that end a sentence by themselves (no whitespace needed after them). */
const CJK_END = /[。！？；…\n]/u;
const WHITESPACE_RUN = /\s*/uy;

/**
 * Sentences of a text, each keeping its terminator, closing marks and trailing whitespace, so that
 * `sentences(t).join('') === t`. A Latin `.` `!` `?` `;` ends a sentence only when whitespace or the end follows.
 * Linear in the text and allocation-light: it scans code units with a regular expression (every terminator is one
 * BMP code unit, and the marks that may attach to it are absorbed into the run).
 */
export function sentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  TERMINATOR_RUN.lastIndex = 0;
  for (let m = TERMINATOR_RUN.exec(text); m !== null; m = TERMINATOR_RUN.exec(text)) {
    let end = m.index + m[0].length;
    if (!CJK_END.test(m[0]) && end < text.length && !/\s/u.test(text[end] ?? '')) continue;
    WHITESPACE_RUN.lastIndex = end;
    WHITESPACE_RUN.exec(text);
    end = Math.max(end, WHITESPACE_RUN.lastIndex);
    out.push(text.slice(start, end));
    start = end;
    TERMINATOR_RUN.lastIndex = end;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** Cuts one piece that is over the limit at the best boundary available, looking at one window at a time. */
function cutOversized(piece: string, max: number): string[] {
  const out: string[] = [];
  let offset = 0;
  while (offset < piece.length) {
    // max counted characters are at most max code points, i.e. at most 2·max code units (plus a cluster's tail).
    const window = piece.slice(offset, offset + 2 * max + 64);
    const g = splitGraphemes(window);
    let used = 0;
    let end = 0;
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
    const rest = offset + window.length < piece.length || end < g.length;
    if (end === 0) end = 1; // a single grapheme over the limit cannot be split further
    else if (rest) {
      // A clause mark is the better place to cut unless it would leave a piece under half the window.
      if (lastClause >= end / 2) end = lastClause;
      else if (lastSpace > 0) end = lastSpace;
      else if (lastClause > 0) end = lastClause;
    }
    const taken = g.slice(0, end).join('');
    out.push(taken);
    offset += taken.length;
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
