/**
 * A tolerant, linear XML lexer for SSML: splits the input into tags, text, comments, CDATA, processing
 * instructions and DOCTYPEs with their offsets, reports every lexical problem (escaping, references, quoting,
 * repeated or valueless attributes, unclosed markup, characters XML forbids) and carries on after each one.
 * It also returns a sanitised copy of the input, of the same length, in which the problems it already reported are
 * blanked out, so that fast-xml-parser's validator can be asked about everything else.
 */
import { decodeReferences, readReference } from './entities.js';
import type { Issue, Report } from './types.js';

/** One attribute as written in a start tag. */
export interface LexAttribute {
  name: string;
  /** The value as written between the quotes (or unquoted), references not decoded. */
  raw: string;
  /** The value with references decoded. */
  value: string;
  nameOffset: number;
  /** Offset of the first character of the value (after the opening quote). */
  valueOffset: number;
  /** False when the attribute itself is malformed (no value, unquoted, unclosed quote): value rules skip it. */
  wellFormed: boolean;
}

/** A piece of the input. Offsets are UTF-16 offsets, `end` exclusive. */
export type Token =
  | { kind: 'start'; name: string; start: number; end: number; attributes: LexAttribute[]; selfClosing: boolean }
  | { kind: 'end'; name: string; start: number; end: number }
  | { kind: 'text'; start: number; end: number; text: string }
  | { kind: 'cdata'; start: number; end: number; text: string }
  | { kind: 'comment' | 'pi' | 'doctype'; start: number; end: number };

/** What lex() found. */
export interface LexResult {
  tokens: Token[];
  issues: Issue[];
  /** The input with reported problems blanked out (same length, same line breaks). */
  sanitized: string;
}

// The name characters of XML 1.0 as fast-xml-parser's validator reads them (BMP only).
const NAME_START = ':A-Za-z_\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const NAME_CHAR = `${NAME_START}\\-.\\d\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const NAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'y');
const NAME_START_CHAR = new RegExp(`[${NAME_START}]`);
/** Characters XML 1.0 forbids anywhere (runs), and lone surrogates. */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]+|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const WHITESPACE = /[ \t\r\n]/;
/** Char data stops at markup, references and `>`. */
const CHAR_DATA_STOP = /[<&>]/g;
/** Junk inside a tag runs until something a tag can continue with. */
const TAG_JUNK = new RegExp(`[^ \\t\\r\\n<>/${NAME_START}]+|/`, 'y');

/** Blanks a range of a string, keeping line breaks, so that offsets and lines stay the same. */
function blank(text: string): string {
  return text.replace(/[^\r\n]/g, ' ');
}

/** Lexes `input`; never throws. */
export function lex(input: string): LexResult {
  return new Lexer(input).run();
}

class Lexer {
  readonly #src: string;
  readonly #issues: Issue[] = [];
  readonly #tokens: Token[] = [];
  readonly #edits: { offset: number; text: string }[] = [];
  /** Offset after which a quote character no longer occurs (memo that keeps unclosed quotes linear). */
  readonly #noQuoteAfter = new Map<string, number>();
  #textStart = 0;
  readonly report: Report = (rule, severity, offset, message) => {
    this.#issues.push({ rule, severity, offset, message });
  };

  constructor(input: string) {
    this.#src = this.#forbidCharacters(input);
  }

  /** Reports runs of characters XML forbids and replaces them by spaces. */
  #forbidCharacters(input: string): string {
    FORBIDDEN.lastIndex = 0;
    if (!FORBIDDEN.test(input)) return input;
    FORBIDDEN.lastIndex = 0;
    return input.replace(FORBIDDEN, (run: string, offset: number) => {
      const unit = run.charCodeAt(0);
      const what =
        unit >= 0xd800 && unit <= 0xdfff
          ? 'a lone surrogate code unit (the text is not valid Unicode)'
          : `control character U+${unit.toString(16).toUpperCase().padStart(4, '0')}${run.length > 1 ? ` (and ${run.length - 1} more)` : ''}`;
      this.report('R-DOC-ENCODING', 'error', offset, `${what} is not allowed in XML: is this binary data? Remove it`);
      return ' '.repeat(run.length);
    });
  }

  run(): LexResult {
    const src = this.#src;
    let i = 0;
    while (i < src.length) {
      CHAR_DATA_STOP.lastIndex = i;
      const stop = CHAR_DATA_STOP.exec(src);
      if (stop === null) break;
      const at = stop.index;
      const ch = src[at];
      if (ch === '&') {
        i = this.#reference(at, 'text');
      } else if (ch === '>') {
        this.report('R-DOC-ESCAPE', 'warning', at, 'a raw ">" in text is legal XML, but write it as &gt; to be safe');
        i = at + 1;
      } else {
        i = this.#markup(at);
      }
    }
    this.#flushText(src.length);
    return { tokens: this.#tokens, issues: this.#issues, sanitized: this.#applyEdits() };
  }

  #applyEdits(): string {
    if (this.#edits.length === 0) return this.#src;
    const edits = [...this.#edits].sort((a, b) => a.offset - b.offset);
    let out = '';
    let at = 0;
    for (const e of edits) {
      if (e.offset < at) continue;
      out += this.#src.slice(at, e.offset) + e.text;
      at = e.offset + e.text.length;
    }
    return out + this.#src.slice(at);
  }

  #flushText(end: number): void {
    if (end > this.#textStart) {
      const raw = this.#src.slice(this.#textStart, end);
      this.#tokens.push({ kind: 'text', start: this.#textStart, end, text: decodeReferences(raw) });
    }
  }

  /** Checks the reference a `&` starts; returns the offset after it. */
  #reference(at: number, where: 'text' | 'attribute'): number {
    const ref = readReference(this.#src, at);
    const inside = where === 'text' ? 'in text' : 'in an attribute value';
    switch (ref.kind) {
      case 'entity':
        return at + ref.length;
      case 'undefined-entity':
        this.report(
          'R-DOC-ENTITY',
          'error',
          at,
          `&${ref.name}; is not defined in XML, which knows only &amp; &lt; &gt; &quot; &apos;: write the character itself or a numeric reference such as &#160;`,
        );
        this.#edits.push({ offset: at, text: '_' });
        return at + ref.length;
      case 'bad-char-ref':
        this.report('R-DOC-ENTITY', 'error', at, `${ref.text} is not a character XML allows`);
        this.#edits.push({ offset: at, text: '_' });
        return at + ref.length;
      case 'raw':
        this.report('R-DOC-ESCAPE', 'error', at, `a raw "&" ${inside} must be written &amp;`);
        this.#edits.push({ offset: at, text: '_' });
        return at + 1;
    }
  }

  /** Lexes the markup starting with the `<` at `at`; returns the offset after it. */
  #markup(at: number): number {
    const src = this.#src;
    if (src.startsWith('<!--', at)) return this.#delimited(at, '-->', 'comment');
    if (src.startsWith('<![CDATA[', at)) return this.#delimited(at, ']]>', 'cdata');
    if (src.startsWith('<!DOCTYPE', at)) return this.#doctype(at);
    if (src.startsWith('<?', at)) return this.#processingInstruction(at);
    if (src.startsWith('</', at)) return this.#endTag(at);
    if (src.startsWith('<!', at)) {
      this.report('R-DOC-WELLFORMED', 'error', at, '"<!" starts no comment, CDATA section or DOCTYPE; write a literal "<" as &lt;');
      this.#edits.push({ offset: at, text: ' ' });
      return at + 1;
    }
    if (NAME_START_CHAR.test(src[at + 1] ?? '')) return this.#startTag(at);
    this.report('R-DOC-ESCAPE', 'error', at, 'a raw "<" in text must be written &lt;');
    this.#edits.push({ offset: at, text: ' ' });
    return at + 1;
  }

  /** A comment or CDATA section, up to its terminator. */
  #delimited(at: number, terminator: string, kind: 'comment' | 'cdata'): number {
    const src = this.#src;
    this.#flushText(at);
    const open = kind === 'comment' ? 4 : 9;
    const close = src.indexOf(terminator, at + open);
    const end = close < 0 ? src.length : close + terminator.length;
    if (close < 0) {
      this.report('R-DOC-WELLFORMED', 'error', at, `${kind === 'comment' ? 'comment' : 'CDATA section'} is never closed: add "${terminator}"`);
    }
    if (kind === 'comment') {
      this.report('R-DOC-PROLOG', 'warning', at, 'comments are not part of the documented CosyVoice dialect; remove them to be safe');
      this.#tokens.push({ kind: 'comment', start: at, end });
    } else {
      this.report('R-DOC-PROLOG', 'warning', at, 'CDATA sections are not part of the documented CosyVoice dialect; write the text with &amp; and &lt; instead');
      this.#tokens.push({ kind: 'cdata', start: at, end, text: src.slice(at + open, close < 0 ? src.length : close) });
    }
    this.#textStart = end;
    return end;
  }

  #doctype(at: number): number {
    const src = this.#src;
    this.#flushText(at);
    let depth = 0;
    let end = src.length;
    for (let p = at + 9; p < src.length; p++) {
      const c = src[p];
      if (c === '[') depth++;
      else if (c === ']') depth = Math.max(0, depth - 1);
      else if (c === '>' && depth === 0) {
        end = p + 1;
        break;
      }
    }
    this.report('R-DOC-DOCTYPE', 'error', at, 'a <!DOCTYPE> is not part of the SSML dialect (and its entity declarations are a risk): remove it');
    this.#edits.push({ offset: at, text: blank(src.slice(at, end)) });
    this.#tokens.push({ kind: 'doctype', start: at, end });
    this.#textStart = end;
    return end;
  }

  #processingInstruction(at: number): number {
    const src = this.#src;
    this.#flushText(at);
    const close = src.indexOf('?>', at + 2);
    const end = close < 0 ? src.length : close + 2;
    NAME.lastIndex = at + 2;
    const target = NAME.exec(src)?.[0] ?? '';
    if (close < 0) {
      this.report('R-DOC-WELLFORMED', 'error', at, 'processing instruction is never closed: add "?>"');
    } else if (target.toLowerCase() === 'xml') {
      if (src.slice(0, at).replace(/^\ufeff/u, '') === '') {
        this.report('R-DOC-PROLOG', 'warning', at, 'the XML declaration is not mentioned by the CosyVoice documentation; it is not needed: remove it to be safe');
      } else {
        this.report('R-DOC-WELLFORMED', 'error', at, 'an XML declaration may only come first in the document');
      }
    } else {
      this.report('R-DOC-PROLOG', 'warning', at, 'processing instructions are not part of the documented CosyVoice dialect; remove them');
    }
    this.#edits.push({ offset: at, text: blank(src.slice(at, end)) });
    this.#tokens.push({ kind: 'pi', start: at, end });
    this.#textStart = end;
    return end;
  }

  #endTag(at: number): number {
    const src = this.#src;
    this.#flushText(at);
    NAME.lastIndex = at + 2;
    const name = NAME.exec(src)?.[0] ?? '';
    let p = at + 2 + name.length;
    while (p < src.length && WHITESPACE.test(src[p] ?? '')) p++;
    if (name === '') {
      this.report('R-DOC-WELLFORMED', 'error', at, '"</" must be followed by a tag name');
    }
    if (src[p] !== '>') {
      const gt = src.indexOf('>', p);
      const lt = src.indexOf('<', p);
      if (gt >= 0 && (lt < 0 || gt < lt)) {
        if (name !== '') this.report('R-DOC-WELLFORMED', 'error', p, `end tag </${name}> may hold nothing after its name`);
        p = gt;
      } else {
        if (name === '') {
          this.#textStart = p;
          return p;
        }
        this.report('R-DOC-WELLFORMED', 'error', at, `end tag </${name} is not closed: add ">"`);
        this.#tokens.push({ kind: 'end', name, start: at, end: p });
        this.#textStart = p;
        return p;
      }
    }
    const end = p + 1;
    if (name !== '') this.#tokens.push({ kind: 'end', name, start: at, end });
    this.#textStart = end;
    return end;
  }

  #startTag(at: number): number {
    const src = this.#src;
    this.#flushText(at);
    NAME.lastIndex = at + 1;
    const name = NAME.exec(src)?.[0] ?? '';
    const attributes: LexAttribute[] = [];
    let p = at + 1 + name.length;
    let selfClosing = false;
    let end = src.length;
    for (;;) {
      const before = p;
      while (p < src.length && WHITESPACE.test(src[p] ?? '')) p++;
      const spaced = p > before;
      const c = src[p];
      if (c === undefined || c === '<') {
        this.report('R-DOC-WELLFORMED', 'error', at, `tag <${name} is not closed: add ">"`);
        end = p;
        break;
      }
      if (c === '>') {
        end = p + 1;
        break;
      }
      if (c === '/' && src[p + 1] === '>') {
        selfClosing = true;
        end = p + 2;
        break;
      }
      if (NAME_START_CHAR.test(c)) {
        p = this.#attribute(name, p, spaced, attributes);
        continue;
      }
      TAG_JUNK.lastIndex = p;
      const junk = TAG_JUNK.exec(src)?.[0] ?? c;
      this.report('R-DOC-WELLFORMED', 'error', p, `unexpected ${JSON.stringify(junk.length > 20 ? `${junk.slice(0, 20)}…` : junk)} in the <${name}> tag`);
      p += junk.length;
    }
    this.#tokens.push({ kind: 'start', name, start: at, end, attributes, selfClosing });
    this.#textStart = end;
    return end;
  }

  /** One attribute from `p` (its name's first character); returns the offset after it. */
  #attribute(tag: string, p: number, spaced: boolean, attributes: LexAttribute[]): number {
    const src = this.#src;
    NAME.lastIndex = p;
    const name = NAME.exec(src)?.[0] ?? '';
    const nameOffset = p;
    p += name.length;
    if (!spaced) this.report('R-DOC-WELLFORMED', 'error', nameOffset, `attribute ${name} must be separated from what comes before it by a space`);
    let q = p;
    while (q < src.length && WHITESPACE.test(src[q] ?? '')) q++;
    let attribute: LexAttribute;
    if (src[q] !== '=') {
      this.report('R-DOC-WELLFORMED', 'error', nameOffset, `attribute ${name} has no value: write ${name}="…"`);
      attribute = { name, raw: '', value: '', nameOffset, valueOffset: p, wellFormed: false };
    } else {
      q++;
      while (q < src.length && WHITESPACE.test(src[q] ?? '')) q++;
      const quote = src[q];
      if (quote === '"' || quote === "'") {
        const close = this.#findQuote(quote, q + 1);
        if (close < 0) {
          const gt = src.indexOf('>', q + 1);
          const valueEnd = gt < 0 ? src.length : gt;
          this.report('R-DOC-WELLFORMED', 'error', q, `the value of ${name} is never closed: add the closing ${quote}`);
          const raw = src.slice(q + 1, valueEnd);
          attribute = { name, raw, value: decodeReferences(raw), nameOffset, valueOffset: q + 1, wellFormed: false };
          p = valueEnd;
        } else {
          const raw = src.slice(q + 1, close);
          this.#checkValue(name, raw, q + 1);
          attribute = { name, raw, value: decodeReferences(raw), nameOffset, valueOffset: q + 1, wellFormed: true };
          p = close + 1;
        }
      } else {
        let e = q;
        while (e < src.length && !/[ \t\r\n<>]/.test(src[e] ?? '') && !src.startsWith('/>', e)) e++;
        const raw = src.slice(q, e);
        if (raw === '') {
          this.report('R-DOC-WELLFORMED', 'error', nameOffset, `attribute ${name} has no value after "=": write ${name}="…"`);
        } else {
          this.report('R-DOC-WELLFORMED', 'error', q, `the value of ${name} must be in quotes: ${name}="${raw.length > 30 ? `${raw.slice(0, 30)}…` : raw}"`);
        }
        attribute = { name, raw, value: decodeReferences(raw), nameOffset, valueOffset: q, wellFormed: false };
        p = e;
      }
    }
    if (attributes.some((a) => a.name === name)) {
      this.report('R-DOC-WELLFORMED', 'error', nameOffset, `attribute ${name} appears twice on <${tag}>; keep one`);
    } else {
      attributes.push(attribute);
    }
    return p;
  }

  /** The next `quote` at or after `from`, or -1; remembers misses so that many unclosed quotes stay linear. */
  #findQuote(quote: string, from: number): number {
    const miss = this.#noQuoteAfter.get(quote);
    if (miss !== undefined && from >= miss) return -1;
    const at = this.#src.indexOf(quote, from);
    if (at < 0) this.#noQuoteAfter.set(quote, from);
    return at;
  }

  /** Escaping inside a quoted attribute value: references, raw `<` and `>`. */
  #checkValue(name: string, raw: string, offset: number): void {
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k];
      if (c === '&') {
        const next = this.#reference(offset + k, 'attribute');
        k = next - offset - 1;
      } else if (c === '<') {
        const hint = raw.includes('>') ? ' (or is the closing quote of an earlier value missing?)' : '';
        this.report('R-DOC-ESCAPE', 'error', offset + k, `a raw "<" in the value of ${name} must be written &lt;${hint}`);
        this.#edits.push({ offset: offset + k, text: ' ' });
      } else if (c === '>') {
        this.report('R-DOC-ESCAPE', 'warning', offset + k, `a raw ">" in the value of ${name} is legal XML, but write it as &gt; to be safe`);
      }
    }
  }
}
