/**
 * A sentence cut into timed pieces (pure): one piece per spoken word, carrying the punctuation and spacing around
 * it, so that the pieces joined give the sentence's text exactly. Cues are built from whole pieces, so a cue never
 * breaks inside a word and keeps the text's own punctuation.
 */
import { hasWordChar, isCjk, isOpening, isSpace, isWordChar } from './text-classes.js';
import type { Sentence, TimedText } from './types.js';

/** A word located in the sentence's text: code-unit range `[start, stop)` and times. */
interface Located {
  start: number;
  stop: number;
  begin: number;
  end: number;
}

/**
 * The timed pieces of a sentence. Its words are found in its text in order; a word not found is left out (its
 * neighbours' times cover it). Without any word found, words are taken from the text (CJK characters one by one,
 * other runs between spaces) and timed in proportion to their non-space characters across the sentence.
 * Punctuation-only words join the piece before them (or after, at the start); words written together without a
 * space outside CJK ("forty-two") are one piece.
 */
export function sentencePieces(sentence: Sentence): TimedText[] {
  const text = sentence.text;
  let located = locateWords(text, sentence.words);
  if (!located.some((w) => hasWordChar(text.slice(w.start, w.stop)))) located = estimateWords(sentence);
  if (located.length === 0) return text.length === 0 ? [] : [{ text, begin: sentence.begin, end: sentence.end }];
  const cuts = located.map((w, i) => (i === 0 ? 0 : cutBetween(text, located[i - 1]?.stop ?? 0, w.start)));
  cuts.push(text.length);
  const pieces = located.map((w, i) => ({
    text: text.slice(cuts[i] ?? 0, cuts[i + 1] ?? text.length),
    begin: w.begin,
    end: w.end,
  }));
  return joinUnspaced(mergePunctuationOnly(pieces));
}

/** The words of `words` found in `text`, each searched after the previous one. */
function locateWords(text: string, words: readonly TimedText[]): Located[] {
  const located: Located[] = [];
  let cursor = 0;
  for (const w of words) {
    if (w.text.trim().length === 0) continue;
    const start = text.indexOf(w.text, cursor);
    if (start < 0) continue;
    cursor = start + w.text.length;
    located.push({ start, stop: cursor, begin: w.begin, end: w.end });
  }
  return located;
}

/** Words taken from the sentence's text, timed in proportion to their non-space characters. */
function estimateWords(sentence: Sentence): Located[] {
  const spans = textWords(sentence.text);
  const weights = spans.map((s) => Array.from(sentence.text.slice(s.start, s.stop)).length);
  const total = weights.reduce((a, b) => a + b, 0);
  const span = sentence.end - sentence.begin;
  let done = 0;
  return spans.map((s, i) => {
    const begin = sentence.begin + (total === 0 ? 0 : (span * done) / total);
    done += weights[i] ?? 0;
    const end = sentence.begin + (total === 0 ? span : (span * done) / total);
    return { ...s, begin, end };
  });
}

/** Code-unit ranges of the words of a text: each CJK character alone, other runs of non-space characters. */
export function textWords(text: string): Array<{ start: number; stop: number }> {
  const spans: Array<{ start: number; stop: number }> = [];
  let runStart = -1;
  let offset = 0;
  const closeRun = (at: number): void => {
    if (runStart >= 0) spans.push({ start: runStart, stop: at });
    runStart = -1;
  };
  for (const cp of text) {
    if (isSpace(cp)) closeRun(offset);
    else if (isCjk(cp)) {
      closeRun(offset);
      spans.push({ start: offset, stop: offset + cp.length });
    } else if (runStart < 0) runStart = offset;
    offset += cp.length;
  }
  closeRun(offset);
  return spans;
}

/**
 * Where the text between two words is cut (a code-unit offset in `text`): after its last space, so an opening
 * quote after a space goes with the next word; without a space, before its first opening mark; else at the next
 * word, so closing punctuation stays with the word before.
 */
function cutBetween(text: string, from: number, to: number): number {
  const gap = text.slice(from, to);
  const lastSpace = gap.search(/\s\S*$/u);
  if (lastSpace >= 0) return from + lastSpace + 1;
  let offset = from;
  for (const cp of gap) {
    if (isOpening(cp)) return offset;
    offset += cp.length;
  }
  return to;
}

/**
 * Pieces where words written together without a space are one piece ("forty-two", "3.14", "e-mail"), unless a
 * CJK character is on either side of the join (CJK is broken by characters).
 */
function joinUnspaced(pieces: readonly TimedText[]): TimedText[] {
  const joined: TimedText[] = [];
  for (const piece of pieces) {
    const previous = joined[joined.length - 1];
    if (previous !== undefined && !/\s$/u.test(previous.text) && !isCjk(lastWordChar(previous.text)) && !isCjk(firstWordChar(piece.text))) {
      joined[joined.length - 1] = { text: previous.text + piece.text, begin: previous.begin, end: Math.max(previous.end, piece.end) };
    } else {
      joined.push(piece);
    }
  }
  return joined;
}

/** The first letter, mark or digit of a text ('' without one). */
function firstWordChar(text: string): string {
  return Array.from(text).find(isWordChar) ?? '';
}

/** The last letter, mark or digit of a text ('' without one). */
function lastWordChar(text: string): string {
  return Array.from(text).reverse().find(isWordChar) ?? '';
}

/** Pieces where each punctuation-only piece is joined to the piece before it (the first one to the next). */
function mergePunctuationOnly(pieces: readonly TimedText[]): TimedText[] {
  const merged: TimedText[] = [];
  let pending: TimedText | undefined;
  for (const piece of pieces) {
    const previous = merged[merged.length - 1];
    if (!hasWordChar(piece.text) && previous !== undefined) {
      merged[merged.length - 1] = { text: previous.text + piece.text, begin: previous.begin, end: Math.max(previous.end, piece.end) };
    } else if (!hasWordChar(piece.text)) {
      pending = pending === undefined ? piece : { text: pending.text + piece.text, begin: pending.begin, end: piece.end };
    } else if (pending !== undefined) {
      merged.push({ text: pending.text + piece.text, begin: Math.min(pending.begin, piece.begin), end: piece.end });
      pending = undefined;
    } else {
      merged.push(piece);
    }
  }
  if (pending !== undefined) merged.push(pending);
  return merged;
}
