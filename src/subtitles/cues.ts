/**
 * Cue building (pure). One sentence per cue unless it is longer than the cue limit; a longer sentence is broken
 * between whole pieces (pieces.ts), with the fewest cues, preferring breaks after punctuation and cues of even
 * length. The limit is decided per cue by script: a cue whose word characters are mostly CJK is measured against
 * the CJK limit, others against the Latin one; length is counted in characters (grapheme clusters), spaces
 * included, for both. With `wordsPerCue` every cue holds that many words instead (karaoke style).
 *
 * Times: whole milliseconds; a cue lasts until the next cue of its sentence begins, the last one until its last
 * word ends; cues never overlap, never go backwards and never end after `durationMs`. A cue left without duration
 * by that clamping joins its neighbour in the same sentence, or is dropped; punctuation-only cues are dropped.
 */
import { sentencePieces } from './pieces.js';
import { collapseSpaces, displayLength, hasWordChar, isCjk, isWordChar } from './text-classes.js';
import type { Cue, Sentence, TimedText } from './types.js';

/** Default cue limit for Latin and other space-separated scripts, in characters. */
export const DEFAULT_MAX_CUE_CHARS = 42;
/** Default cue limit for CJK text, in characters. */
export const DEFAULT_MAX_CUE_CHARS_CJK = 20;

/** How cues are cut. */
export interface CueOptions {
  /** Longest cue in characters, for every script; by default 42 (Latin) or 20 (CJK), decided per cue. */
  maxCueChars?: number;
  /** Words per cue (karaoke style); overrides the length limit. */
  wordsPerCue?: number;
  /** Length of the audio in milliseconds; no cue ends after it. */
  durationMs?: number;
}

/** Cost of one more cue: dominates, so a sentence gets the fewest cues that fit. */
const CUE_COST = 10_000;
/** Cost of a break that follows no punctuation (clause punctuation costs a quarter, sentence ends nothing). */
const PLAIN_BREAK_COST = 400;
/** Cost of an empty cue; a cue's cost grows with the square of its unused share of the limit. */
const SLACK_COST = 1_000;

/** A cue under construction: pieces of one sentence. */
interface Draft {
  sentence: number;
  pieces: TimedText[];
  begin: number;
  end: number;
}

/** The cues of the sentences, in order. */
export function buildCues(sentences: readonly Sentence[], options: CueOptions = {}): Cue[] {
  const drafts: Draft[] = [];
  sentences.forEach((sentence, s) => {
    const pieces = sentencePieces(sentence).map((p) => ({ ...p, text: collapseSpaces(p.text) }));
    const groups =
      options.wordsPerCue !== undefined && options.wordsPerCue > 0
        ? chunk(pieces, Math.floor(options.wordsPerCue))
        : breakPieces(pieces, options.maxCueChars);
    groups.forEach((group, g) => {
      const next = groups[g + 1]?.[0];
      const last = group[group.length - 1];
      const first = group[0];
      if (first === undefined || last === undefined) return;
      drafts.push({ sentence: s, pieces: group, begin: first.begin, end: Math.max(last.end, next?.begin ?? last.end) });
    });
  });
  const limit = options.durationMs === undefined ? Infinity : Math.max(0, Math.floor(options.durationMs));
  return joinEmpty(clampDrafts(drafts, limit))
    .filter((d) => d.pieces.some((p) => hasWordChar(p.text)))
    .map(toCue);
}

/** Consecutive groups of `size` pieces. */
function chunk(pieces: readonly TimedText[], size: number): TimedText[][] {
  const groups: TimedText[][] = [];
  for (let i = 0; i < pieces.length; i += size) groups.push(pieces.slice(i, i + size));
  return groups;
}

/** What breaking needs to know of a piece, measured once. */
interface Measure {
  /** Characters (grapheme clusters), and those of its leading and trailing whitespace. */
  length: number;
  leading: number;
  trailing: number;
  /** CJK characters and other word characters. */
  cjk: number;
  other: number;
  /** Cost of a break after it (see breakCost). */
  breakCost: number;
}

/** The measure of one piece. */
function measure(text: string): Measure {
  let cjk = 0;
  let other = 0;
  for (const cp of text) {
    if (isCjk(cp)) cjk += 1;
    else if (isWordChar(cp)) other += 1;
  }
  const leading = text.length - text.trimStart().length;
  const trailing = text.trimStart().length - text.trim().length;
  return { length: displayLength(text), leading, trailing, cjk, other, breakCost: breakCost(text.trimEnd()) };
}

/** The pieces of one sentence broken into cues at the cheapest breaks (see the file comment). */
export function breakPieces(pieces: readonly TimedText[], maxCueChars?: number): TimedText[][] {
  const n = pieces.length;
  const measures = pieces.map((p) => measure(p.text));
  const longest = maxCueChars ?? DEFAULT_MAX_CUE_CHARS;
  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(0);
  best[0] = 0;
  for (let i = 0; i < n; i += 1) {
    const start = best[i] ?? Infinity;
    if (start === Infinity) continue;
    let length = -(measures[i]?.leading ?? 0);
    let cjk = 0;
    let other = 0;
    for (let j = i + 1; j <= n; j += 1) {
      const m = measures[j - 1];
      if (m === undefined) break;
      length += m.length;
      cjk += m.cjk;
      other += m.other;
      const shown = length - m.trailing;
      const max = maxCueChars ?? (cjk > 0 && cjk >= other ? DEFAULT_MAX_CUE_CHARS_CJK : DEFAULT_MAX_CUE_CHARS);
      if (shown > max && j > i + 1) {
        if (shown > longest) break;
        continue;
      }
      const slack = Math.max(0, max - shown) / max;
      const cost = start + CUE_COST + (j === n ? 0 : m.breakCost) + SLACK_COST * slack * slack;
      if (cost < (best[j] ?? Infinity)) {
        best[j] = cost;
        from[j] = i;
      }
    }
  }
  const groups: TimedText[][] = [];
  for (let j = n; j > 0; j = from[j] ?? 0) groups.unshift(pieces.slice(from[j] ?? 0, j));
  return groups;
}

/** Cost of breaking a sentence after a cue ending with `shown` (see PLAIN_BREAK_COST). */
function breakCost(shown: string): number {
  const bare = shown.replace(/[\p{Pe}\p{Pf}"'»]+$/u, '');
  if (/[.!?。！？…‼⁇⁈⁉]$/u.test(bare)) return 0;
  if (/[,;:，、；：—–]$/u.test(bare)) return PLAIN_BREAK_COST / 4;
  return PLAIN_BREAK_COST;
}

/** Drafts in whole milliseconds, monotonic, non-overlapping and no later than `limit`. */
function clampDrafts(drafts: readonly Draft[], limit: number): Draft[] {
  let previous = 0;
  return drafts.map((d) => {
    const clamp = (t: number, low: number): number => Math.min(limit, Math.max(low, Math.round(t)));
    const begin = clamp(d.begin, previous);
    const end = clamp(d.end, begin);
    let cursor = begin;
    const pieces = d.pieces.map((p) => {
      const pieceBegin = Math.min(end, clamp(p.begin, cursor));
      const pieceEnd = Math.min(end, clamp(p.end, pieceBegin));
      cursor = pieceEnd;
      return { text: p.text, begin: pieceBegin, end: pieceEnd };
    });
    previous = end;
    return { sentence: d.sentence, pieces, begin, end };
  });
}

/** Drafts where each one without duration has joined the one before (or after) it in its sentence, or is gone. */
function joinEmpty(drafts: readonly Draft[]): Draft[] {
  const out: Draft[] = [];
  let carried: Draft | undefined;
  for (const d of drafts) {
    const held = carried !== undefined && carried.sentence === d.sentence ? carried : undefined;
    carried = undefined;
    const current = held === undefined ? d : { ...d, pieces: [...held.pieces, ...d.pieces], begin: held.begin };
    const previous = out[out.length - 1];
    if (current.end > current.begin) out.push(current);
    else if (previous !== undefined && previous.sentence === current.sentence) {
      out[out.length - 1] = { ...previous, pieces: [...previous.pieces, ...current.pieces] };
    } else carried = current;
  }
  return out;
}

/** The cue of a draft: pieces trimmed at the cue's edges and timed inside it, empty pieces gone. */
function toCue(d: Draft): Cue {
  const last = d.pieces.length - 1;
  const inside = (t: number): number => Math.min(d.end, Math.max(d.begin, t));
  const pieces = d.pieces
    .map((p, i) => {
      let text = i === 0 ? p.text.trimStart() : p.text;
      if (i === last) text = text.trimEnd();
      return { text, begin: inside(p.begin), end: inside(p.end) };
    })
    .filter((p) => p.text.length > 0);
  return { text: pieces.map((p) => p.text).join(''), begin: d.begin, end: d.end, pieces };
}
