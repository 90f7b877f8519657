/**
 * Character classes the subtitle module reasons with (pure): CJK characters that are words on their own, word
 * characters, spaces, opening punctuation, and the display length of a cue.
 */

/** A code point that is a word on its own and is measured and broken by characters (Han, kana, hangul). */
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30fc]$/u;
/** A code point that carries speech: a letter, a combining mark or a digit. */
const WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;
/** Any word character in a string. */
const HAS_WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
/** Punctuation that opens something and belongs with the word after it. */
const OPENING = /^[\p{Ps}\p{Pi}¿¡]$/u;
/** Splits text into user-perceived characters. */
const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Whether a code point is a CJK character (a word on its own). */
export function isCjk(cp: string): boolean {
  return CJK.test(cp);
}

/** Whether a code point is a letter, combining mark or digit. */
export function isWordChar(cp: string): boolean {
  return WORD_CHAR.test(cp);
}

/** Whether a string holds at least one letter, combining mark or digit (is not punctuation-only). */
export function hasWordChar(text: string): boolean {
  return HAS_WORD_CHAR.test(text);
}

/** Whether a string is one whitespace character. */
export function isSpace(ch: string): boolean {
  return /^\s$/u.test(ch);
}

/** Whether a code point is opening punctuation (brackets, opening quotes, ¿ ¡). */
export function isOpening(cp: string): boolean {
  return OPENING.test(cp);
}

/** Length of text as a reader sees it: grapheme clusters. */
export function displayLength(text: string): number {
  let n = 0;
  for (const _ of GRAPHEMES.segment(text)) n += 1;
  return n;
}

/** Text with every run of whitespace (newlines included) turned into one space, for a one-line cue. */
export function collapseSpaces(text: string): string {
  return text.replace(/\s+/gu, ' ');
}
