/**
 * Alignment of the service's sentences and words to the text the user sent (pure), so cues keep the user's
 * punctuation and casing when the service normalises. Texts are compared as arrays of code points, each folded
 * (NFKD without combining marks, lower case) so full-width forms, accents and case do not matter; whitespace (and
 * a lone combining mark, which folds to nothing) is skipped on both sides. When that
 * strict comparison fails, a loose one compares only letters, marks and digits.
 */
import { isOpening, isSpace, isWordChar } from './text-classes.js';

/** Where one service sentence sits in the user's text. */
export interface SentenceAlignment {
  /** Code-point range `[begin, end)` of the sentence in the user's text, with adjacent punctuation. */
  begin: number;
  end: number;
  /** For each code point of the service's sentence, the user code point it matched, or -1. */
  map: number[];
}

/** A code-point range `[begin, end)`. */
export interface Span {
  begin: number;
  end: number;
}

/**
 * How far past the previous sentence (in code points, plus four times the sentence's length) a sentence is looked
 * for: text the service skipped is short, and the bound keeps a text that never aligns (SSML markup) linear.
 */
const SEARCH_SLACK = 1_000;

/** The comparison key of one code point: compatibility-decomposed, without combining marks, lower case. */
export function foldCodePoint(cp: string): string {
  return cp.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The comparison keys of a text, one per code point. */
export function foldText(text: string): string[] {
  return Array.from(text, foldCodePoint);
}

/** Whether a key is skipped when comparing: whitespace always, anything but word characters when loose. */
function skippable(key: string, loose: boolean): boolean {
  if (key.length === 0 || /^\s+$/u.test(key)) return true;
  return loose && !Array.from(key).some(isWordChar);
}

/** The service → user code-point map when `service` matches `user` from `start` on, else undefined. */
function matchAt(user: readonly string[], start: number, service: readonly string[], loose: boolean): number[] | undefined {
  const map = new Array<number>(service.length).fill(-1);
  let i = start;
  for (let j = 0; j < service.length; j += 1) {
    const key = service[j] ?? '';
    if (skippable(key, loose)) continue;
    while (i < user.length && skippable(user[i] ?? '', loose)) i += 1;
    if (i >= user.length || user[i] !== key) return undefined;
    map[j] = i;
    i += 1;
  }
  return map;
}

/** The first key of `keys` that is compared in the given mode. */
function firstCompared(keys: readonly string[], loose: boolean): string | undefined {
  return keys.find((k) => !skippable(k, loose));
}

/**
 * Locates a service sentence (folded keys) in the user's text (folded keys, original code points) at or after
 * code point `from` (and not far past it, see SEARCH_SLACK), trying the nearest position first, strictly then loosely. The range grows over punctuation
 * the service dropped: back over opening marks to `from`, forward over closing marks. Undefined when the
 * sentence is not found or has nothing to compare.
 */
export function alignSentence(
  userKeys: readonly string[],
  userCps: readonly string[],
  from: number,
  serviceKeys: readonly string[],
): SentenceAlignment | undefined {
  const strictFirst = firstCompared(serviceKeys, false);
  const looseFirst = firstCompared(serviceKeys, true);
  if (strictFirst === undefined) return undefined;
  const last = Math.min(userKeys.length, from + SEARCH_SLACK + 4 * serviceKeys.length);
  for (let s = Math.max(0, from); s < last; s += 1) {
    const key = userKeys[s];
    const map =
      (key === strictFirst ? matchAt(userKeys, s, serviceKeys, false) : undefined) ??
      (looseFirst !== undefined && key === looseFirst ? matchAt(userKeys, s, serviceKeys, true) : undefined);
    if (map !== undefined) return { ...extend(userCps, from, map), map };
  }
  return undefined;
}

/** The user range covered by a map, grown over adjacent punctuation (see alignSentence). */
function extend(userCps: readonly string[], from: number, map: readonly number[]): Span {
  const matched = map.filter((i) => i >= 0);
  let begin = Math.min(...matched);
  let end = Math.max(...matched) + 1;
  const isMark = (cp: string | undefined): boolean => cp !== undefined && !isSpace(cp) && !isWordChar(cp);
  while (begin > from && isMark(userCps[begin - 1])) begin -= 1;
  while (end < userCps.length && isMark(userCps[end]) && !isOpening(userCps[end] ?? '')) end += 1;
  return { begin, end };
}

/**
 * The code-point span of each service word inside its sentence: from `begin_index`/`end_index` when they hold the
 * word's text, else by searching the word's text after the previous word (the indices' meaning for Latin script
 * is not confirmed), else undefined.
 */
export function locateServiceWords(
  sentenceKeys: readonly string[],
  words: ReadonlyArray<{ text: string; begin_index: number; end_index: number }>,
): Array<Span | undefined> {
  let cursor = 0;
  return words.map((w) => {
    const keys = foldText(w.text).filter((k) => !skippable(k, false));
    if (keys.length === 0) return undefined;
    const byIndex = { begin: w.begin_index, end: w.end_index };
    const found = sameKeys(sentenceKeys, byIndex, keys) ? byIndex : search(sentenceKeys, cursor, keys);
    if (found !== undefined) cursor = found.end;
    return found;
  });
}

/** Whether the span of `sentenceKeys` holds exactly `keys` (whitespace ignored). */
function sameKeys(sentenceKeys: readonly string[], span: Span, keys: readonly string[]): boolean {
  if (!Number.isInteger(span.begin) || !Number.isInteger(span.end)) return false;
  if (span.begin < 0 || span.end > sentenceKeys.length || span.begin >= span.end) return false;
  const inside = sentenceKeys.slice(span.begin, span.end).filter((k) => !skippable(k, false));
  return inside.length === keys.length && inside.every((k, i) => k === keys[i]);
}

/** The first span at or after `from` whose keys are `keys` (no whitespace inside), else undefined. */
function search(sentenceKeys: readonly string[], from: number, keys: readonly string[]): Span | undefined {
  for (let s = from; s + keys.length <= sentenceKeys.length; s += 1) {
    if (keys.every((k, i) => sentenceKeys[s + i] === k)) return { begin: s, end: s + keys.length };
  }
  return undefined;
}

/** The user span matched by the service span `[begin, end)` through `map`, or undefined when none of it matched. */
export function mapSpan(map: readonly number[], span: Span): Span | undefined {
  const matched = map.slice(span.begin, span.end).filter((i) => i >= 0);
  if (matched.length === 0) return undefined;
  return { begin: Math.min(...matched), end: Math.max(...matched) + 1 };
}
