/**
 * XML references as the dialect allows them: the five predefined entities and numeric character references
 * (R-DOC-ESCAPE, R-DOC-ENTITY). Reading one reference, and decoding a whole string of them.
 */
import { own } from '../../own.js';

/** The five entities XML predefines, with what they stand for. */
export const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** What a `&` at some offset starts. */
export type Reference =
  | { kind: 'entity'; length: number; value: string }
  | { kind: 'undefined-entity'; length: number; name: string }
  | { kind: 'bad-char-ref'; length: number; text: string }
  | { kind: 'raw' };

/** Longest reference read; a longer run after `&` is treated as a raw ampersand. */
const MAX_REFERENCE = 40;
const NAMED = /&([A-Za-z_:][\w.:-]*);/y;
const NUMERIC = /&#(?:([0-9]+)|x([0-9A-Fa-f]+));/y;

/** Whether a code point may appear in an XML 1.0 document. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Reads the reference that the `&` at `offset` of `text` starts. */
export function readReference(text: string, offset: number): Reference {
  const window = text.slice(offset, offset + MAX_REFERENCE);
  NUMERIC.lastIndex = 0;
  const numeric = NUMERIC.exec(window);
  if (numeric !== null) {
    const cp = numeric[1] !== undefined ? Number.parseInt(numeric[1], 10) : Number.parseInt(numeric[2] ?? '', 16);
    if (Number.isFinite(cp) && isXmlChar(cp)) return { kind: 'entity', length: numeric[0].length, value: String.fromCodePoint(cp) };
    return { kind: 'bad-char-ref', length: numeric[0].length, text: numeric[0] };
  }
  NAMED.lastIndex = 0;
  const named = NAMED.exec(window);
  if (named !== null) {
    const name = named[1] ?? '';
    const value = own(PREDEFINED_ENTITIES, name);
    if (value !== undefined) return { kind: 'entity', length: named[0].length, value };
    return { kind: 'undefined-entity', length: named[0].length, name };
  }
  return { kind: 'raw' };
}

/** `text` with every valid reference decoded; anything else (a raw `&`, an undefined entity) is kept as written. */
export function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  let out = '';
  let at = 0;
  for (let amp = text.indexOf('&'); amp >= 0; amp = text.indexOf('&', at)) {
    out += text.slice(at, amp);
    const ref = readReference(text, amp);
    if (ref.kind === 'entity') {
      out += ref.value;
      at = amp + ref.length;
    } else {
      out += '&';
      at = amp + 1;
    }
  }
  return out + text.slice(at);
}
