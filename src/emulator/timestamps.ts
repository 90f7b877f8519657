/**
 * Word timestamps of one sentence (pure). Every Han ideograph, kana and hangul syllable is one word; a run of
 * letters, digits and inner apostrophes of any other script is one word; punctuation and spaces are not words.
 * Indices are code-point offsets inside the sentence text (end exclusive); times are milliseconds on the task's
 * audio timeline, proportional to counted characters, with pauses (SSML breaks) inserted where they occur.
 */
import { codePointWeight } from '../protocol/counting.js';
import type { WordTimestamp } from '../protocol/messages.js';

/** Silence inserted before the code point at `offset` of a sentence (an SSML `<break>`). */
export interface Pause {
  /** Code-point offset inside the sentence text; offsets past the end mean "after the last character". */
  offset: number;
  /** Length of the silence in milliseconds. */
  ms: number;
}

/** A code point that is a word on its own. */
const SINGLE_WORD = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30fc]$/u;
/** A code point that belongs to a run word. */
const RUN_WORD = /^[\p{L}\p{M}\p{N}]$/u;
/** Apostrophes that join two parts of one word ("don't"). */
const APOSTROPHES = new Set(["'", '’']);

/** Code-point ranges `[begin, end)` of the words of a sentence. */
export function wordSpans(text: string): Array<{ begin: number; end: number }> {
  const cps = Array.from(text);
  const spans: Array<{ begin: number; end: number }> = [];
  let i = 0;
  while (i < cps.length) {
    const cp = cps[i] ?? '';
    if (SINGLE_WORD.test(cp)) {
      spans.push({ begin: i, end: i + 1 });
      i += 1;
      continue;
    }
    if (!RUN_WORD.test(cp)) {
      i += 1;
      continue;
    }
    const begin = i;
    while (i < cps.length) {
      const here = cps[i] ?? '';
      if (RUN_WORD.test(here) && !SINGLE_WORD.test(here)) {
        i += 1;
      } else if (APOSTROPHES.has(here) && RUN_WORD.test(cps[i + 1] ?? '') && !SINGLE_WORD.test(cps[i + 1] ?? '')) {
        i += 1;
      } else {
        break;
      }
    }
    spans.push({ begin, end: i });
  }
  return spans;
}

/** Total length of the sentence's audio: its counted characters at `msPerCharacter`, plus every pause. */
export function sentenceDurationMs(text: string, msPerCharacter: number, pauses: readonly Pause[] = []): number {
  let counted = 0;
  for (const cp of text) counted += codePointWeight(cp);
  return counted * msPerCharacter + pauses.reduce((sum, p) => sum + p.ms, 0);
}

/**
 * The words of `text` with their times, the sentence's audio starting at `startMs` and each counted character
 * lasting `msPerCharacter` (already divided by the speech rate). Times are rounded to whole milliseconds and never
 * decrease from one word to the next.
 */
export function sentenceWords(
  text: string,
  startMs: number,
  msPerCharacter: number,
  pauses: readonly Pause[] = [],
): WordTimestamp[] {
  const cps = Array.from(text);
  // weightBefore[k]: counted characters of cps[0..k).
  const weightBefore = [0];
  for (const cp of cps) weightBefore.push((weightBefore[weightBefore.length - 1] ?? 0) + codePointWeight(cp));
  const pausedBy = (k: number, inclusive: boolean): number =>
    pauses.reduce((sum, p) => (Math.min(p.offset, cps.length) < k || (inclusive && p.offset === k) ? sum + p.ms : sum), 0);
  const at = (k: number, inclusive: boolean): number =>
    Math.round(startMs + (weightBefore[k] ?? 0) * msPerCharacter + pausedBy(k, inclusive));
  return wordSpans(text).map(({ begin, end }) => ({
    text: cps.slice(begin, end).join(''),
    begin_index: begin,
    end_index: end,
    begin_time: at(begin, true),
    end_time: at(end, false),
  }));
}
