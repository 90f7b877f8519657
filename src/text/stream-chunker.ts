/**
 * Turns text arriving in token-sized pieces into continue-task fragments: a fragment goes out as soon as a
 * sentence is complete, when the pending text grows past a coalescing size (cut at a clause or word boundary),
 * or when the caller says the input went quiet (`flush`). No fragment exceeds the per-message limit.
 */
import { countCharacters } from '../protocol/counting.js';
import { CLIENT_MAX_MESSAGE_CHARS } from '../protocol/limits.js';
import { sentences, splitText } from './split-text.js';

/** Pending text longer than this (counted characters) is sent even without a sentence end. */
export const DEFAULT_COALESCE_CHARS = 200;

/** A sentence piece that is certainly complete: a CJK terminator, or a Latin one followed by whitespace. */
const COMPLETE = /(?:[。！？；…\n][。！？；….!?;"'”’」』）)\]】》\p{M}]*\s*|[.!?;][.!?;"'”’」』）)\]】》\p{M}]*\s+)$/u;
/** Where pending text may be cut when it is too long: after clause punctuation or whitespace. */
const SOFT_BREAK = /[，、,：:]\s*|\s+/gu;

/** Options of a chunker. */
export interface StreamChunkerOptions {
  /** Per-message limit. @default CLIENT_MAX_MESSAGE_CHARS */
  maxChars?: number;
  /** Pending text is sent once it is this long. @default DEFAULT_COALESCE_CHARS */
  coalesceChars?: number;
}

/** Stateful text → fragments converter for streaming input. */
export class StreamChunker {
  readonly #max: number;
  readonly #coalesce: number;
  #pending = '';

  constructor(options: StreamChunkerOptions = {}) {
    this.#max = options.maxChars ?? CLIENT_MAX_MESSAGE_CHARS;
    this.#coalesce = Math.min(options.coalesceChars ?? DEFAULT_COALESCE_CHARS, this.#max);
  }

  /** Text held back, waiting for the end of its sentence. */
  get pending(): string {
    return this.#pending;
  }

  /** Adds text; returns the fragments that are ready to send now. */
  push(text: string): string[] {
    if (text === '') return [];
    this.#pending += text;
    const parts = sentences(this.#pending);
    let ready = '';
    let rest = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (i < parts.length - 1 || COMPLETE.test(part)) ready += part;
      else rest = part;
    }
    if (countCharacters(rest) > this.#coalesce) {
      const cut = lastSoftBreak(rest);
      if (cut > 0) {
        ready += rest.slice(0, cut);
        rest = rest.slice(cut);
      }
      if (countCharacters(rest) > this.#max) {
        const pieces = splitText(rest, this.#max);
        rest = pieces.pop() ?? '';
        ready += pieces.join('');
      }
    }
    this.#pending = rest;
    return ready === '' ? [] : splitText(ready, this.#max);
  }

  /** Everything pending, as fragments (the input went quiet or ended). */
  flush(): string[] {
    const out = this.#pending === '' ? [] : splitText(this.#pending, this.#max);
    this.#pending = '';
    return out;
  }
}

function lastSoftBreak(text: string): number {
  let cut = 0;
  SOFT_BREAK.lastIndex = 0;
  for (let m = SOFT_BREAK.exec(text); m !== null; m = SOFT_BREAK.exec(text)) {
    if (m.index + m[0].length < text.length) cut = m.index + m[0].length;
  }
  return cut;
}
