/**
 * Offsets into a text → line, column and a caret excerpt. Columns count code points (an emoji is one column);
 * the caret line accounts for tabs and for wide (CJK) characters, so it lines up in a terminal.
 */

/** Longest excerpt shown, in code units; longer lines are cut to a window around the column. */
const EXCERPT_WIDTH = 100;
/** C0 controls (except tab) and DEL, shown as U+FFFD in excerpts so they cannot drive the terminal. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/gu;
/** Any UTF-16 surrogate (no `u` flag: with it, a pair would count as one astral code point and not match). */
const SURROGATE = /[\ud800-\udfff]/;

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** Whether a code point takes two columns in a terminal (East Asian wide and fullwidth, most emoji). */
export function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Locates offsets of one text; builds its line index once. */
export class SourceLocator {
  readonly #text: string;
  readonly #lineStarts: number[] = [0];
  readonly #surrogates = new Map<number, number[]>();

  constructor(text: string) {
    this.#text = text;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.#lineStarts.push(i + 1);
  }

  /** Index (0-based) of the line holding `offset`. */
  #lineIndex(offset: number): number {
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The UTF-16 offset of a 1-based line and a 1-based column counted in code units (fast-xml-parser's columns). */
  offsetOf(line: number, unitColumn: number): number {
    const start = this.#lineStarts[Math.max(0, Math.min(line, this.#lineStarts.length) - 1)] ?? 0;
    return Math.max(0, Math.min(this.#text.length, start + Math.max(0, unitColumn - 1)));
  }

  /** Offsets of the low surrogates of a line, computed once per line (most lines have none). */
  #lowSurrogates(index: number): number[] {
    const cached = this.#surrogates.get(index);
    if (cached !== undefined) return cached;
    const start = this.#lineStarts[index] ?? 0;
    const end = this.#lineStarts[index + 1] ?? this.#text.length;
    const found: number[] = [];
    if (SURROGATE.test(this.#text.slice(start, end))) {
      for (let i = start + 1; i < end; i++) {
        const unit = this.#text.charCodeAt(i);
        if (unit >= 0xdc00 && unit <= 0xdfff && (this.#text.charCodeAt(i - 1) & 0xfc00) === 0xd800) found.push(i);
      }
    }
    this.#surrogates.set(index, found);
    return found;
  }

  /** Line and column (in code points) of `offset`, clamped to the text. */
  position(offset: number): Position {
    const at = Math.max(0, Math.min(offset, this.#text.length));
    const index = this.#lineIndex(at);
    const start = this.#lineStarts[index] ?? 0;
    const lows = this.#lowSurrogates(index);
    let lo = 0;
    let hi = lows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((lows[mid] ?? 0) < at) lo = mid + 1;
      else hi = mid;
    }
    return { line: index + 1, column: at - start - lo + 1 };
  }

  /** The line holding `offset` and a caret under it, cut to a window around the offset when the line is long. */
  excerpt(offset: number): string {
    const at = Math.max(0, Math.min(offset, this.#text.length));
    const index = this.#lineIndex(at);
    const start = this.#lineStarts[index] ?? 0;
    let end = this.#lineStarts[index + 1] ?? this.#text.length + 1;
    end -= 1;
    if (end > start && this.#text[end - 1] === '\r') end -= 1;
    let from = start;
    let to = Math.max(end, start);
    let lead = '';
    let tail = '';
    if (to - from > EXCERPT_WIDTH) {
      from = Math.max(start, at - EXCERPT_WIDTH / 2);
      to = Math.min(to, from + EXCERPT_WIDTH);
      if (from > start) lead = '…';
      if (to < end) tail = '…';
    }
    from = alignToCodePoint(this.#text, from);
    const before = this.#text.slice(from, Math.min(at, to));
    const line = `${lead}${this.#text.slice(from, to)}${tail}`.replace(CONTROL, '\ufffd');
    return `${line.replace(/\s+$/u, '')}\n${caretPad(lead + before)}^`;
  }
}

/** Moves an offset off the low half of a surrogate pair. */
function alignToCodePoint(text: string, offset: number): number {
  const unit = text.charCodeAt(offset);
  return unit >= 0xdc00 && unit <= 0xdfff && offset > 0 ? offset - 1 : offset;
}

/** Blanks as wide as `prefix` in a terminal: tabs kept, wide characters doubled. */
function caretPad(prefix: string): string {
  let pad = '';
  for (const ch of prefix) {
    if (ch === '\t') pad += '\t';
    else pad += isWide(ch.codePointAt(0) ?? 0) ? '  ' : ' ';
  }
  return pad;
}
