/**
 * Builders of timed sentences for the subtitle tests: words found by a simple rule and timed at a fixed pace
 * from a start time, like a service reporting word timestamps.
 */
import type { WordTimestamp } from '../../../src/protocol/messages.js';
import type { Sentence } from '../../../src/subtitles/types.js';

/** Words of a text: every Han/kana character alone, other runs of letters, digits and inner apostrophes. */
const WORD = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{N}])+(?:['’][\p{L}\p{N}]+)*/gu;

/** The service's word timestamps of `text`: code-point indices, `msPerChar` per code point from `startMs`. */
export function serviceWords(text: string, startMs = 0, msPerChar = 100): WordTimestamp[] {
  return [...text.matchAll(WORD)].map((m) => {
    const begin = Array.from(text.slice(0, m.index)).length;
    const end = begin + Array.from(m[0]).length;
    return { text: m[0], begin_index: begin, end_index: end, begin_time: startMs + begin * msPerChar, end_time: startMs + end * msPerChar };
  });
}

/** A sentence with words timed at `msPerChar` per code point from `startMs` (its span is its words' span). */
export function timedSentence(index: number, text: string, startMs = 0, msPerChar = 100): Sentence {
  const words = serviceWords(text, startMs, msPerChar).map((w) => ({ text: w.text, begin: w.begin_time, end: w.end_time }));
  return {
    index,
    text,
    begin: words[0]?.begin ?? startMs,
    end: words[words.length - 1]?.end ?? startMs + Array.from(text).length * msPerChar,
    words,
  };
}

/** Sentences one after the other, each starting `gapMs` after the previous one's audio (its code points × pace). */
export function timedSentences(texts: readonly string[], msPerChar = 100, gapMs = 0): Sentence[] {
  let start = 0;
  return texts.map((text, i) => {
    const s = timedSentence(i, text, start, msPerChar);
    start += Array.from(text).length * msPerChar + gapMs;
    return s;
  });
}
