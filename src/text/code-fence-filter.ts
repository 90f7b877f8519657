/**
 * Drops fenced code blocks (``` or ~~~, CommonMark style) from streaming text, so an LLM's code is not read
 * aloud. Works on arbitrary chunk boundaries: only the first few characters of a line are held back, until it is
 * clear whether the line opens or closes a fence; all other text passes through at once.
 */

/** A line that opens or closes a fence: up to 3 spaces, then 3+ backticks or tildes. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** A line prefix that could still become a fence line. */
const MAYBE_FENCE = /^ {0,3}(`*|~*)$/;

/** Stateful filter: `push` returns the text to keep, `flush` what is held at the end. */
export class CodeFenceFilter {
  /** The fence being skipped (its character and length), or undefined outside a block. */
  #fence: { char: string; length: number } | undefined;
  /** The current line's start, held while it might be a fence line. */
  #lineStart = '';
  /** Whether the current line has been decided (passed through or dropped). */
  #decided = false;
  /** Whether the current (decided) line is being dropped. */
  #dropping = false;

  /** Whether the filter is inside a code block now. */
  get inCode(): boolean {
    return this.#fence !== undefined;
  }

  /** Filters a chunk of text. */
  push(text: string): string {
    let out = '';
    for (const ch of text) {
      if (this.#decided) {
        if (!this.#dropping) out += ch;
        if (ch === '\n') this.#newLine();
        continue;
      }
      this.#lineStart += ch;
      if (ch === '\n') {
        out += this.#decideLine(true);
        this.#newLine();
        continue;
      }
      if (!MAYBE_FENCE.test(this.#lineStart)) out += this.#decideLine(false);
    }
    return out;
  }

  /** Ends the input: returns held text that turned out not to be a fence. */
  flush(): string {
    const out = this.#decided ? '' : this.#decideLine(true);
    this.#newLine();
    return out;
  }

  /** Decides the held line start; `complete` when the whole line is known. */
  #decideLine(complete: boolean): string {
    const line = this.#lineStart;
    const m = FENCE.exec(line);
    if (m) {
      const marker = m[1] ?? '';
      const char = marker[0] ?? '`';
      if (this.#fence === undefined) {
        // An opening fence; the rest of the line (info string) is dropped with it.
        this.#fence = { char, length: marker.length };
        this.#decided = true;
        this.#dropping = true;
        return '';
      }
      if (char === this.#fence.char && marker.length >= this.#fence.length) {
        const rest = line.slice(m[0].length);
        // A closing fence may carry only whitespace after it; wait for the line to end to be sure.
        if (rest.trim() === '' && !complete) return '';
        if (rest.trim() === '') {
          this.#fence = undefined;
          this.#decided = true;
          this.#dropping = true;
          return '';
        }
      }
    }
    this.#decided = true;
    this.#dropping = this.#fence !== undefined;
    return this.#dropping ? '' : line;
  }

  #newLine(): void {
    this.#lineStart = '';
    this.#decided = false;
    this.#dropping = false;
  }
}
