/**
 * Basic SSML reading for the emulator (pure): checks that the text is one or more sibling `<speak>` documents of
 * well-formed XML (no nested `<speak>`, nothing but whitespace between them), extracts the text content to speak and
 * the `<break>` silences with their positions. Tag semantics beyond `<break>` are a later concern.
 */
import { own } from '../own.js';
import { SSML_MAX_BREAK_MS } from '../protocol/limits.js';

/** A silence requested by `<break>`, before the text-content code unit at `offset`. */
export interface SsmlBreak {
  /** Offset in UTF-16 code units of the text content. */
  offset: number;
  /** Milliseconds of silence. */
  ms: number;
}

/** What the service speaks for an SSML input. */
export interface SsmlDocument {
  /** The text content: tags removed, entities decoded, whitespace between documents kept. */
  text: string;
  breaks: SsmlBreak[];
}

/** Silence of a `<break>` without `time` (D-SSML). */
export const DEFAULT_BREAK_MS = 1_000;
/** Longest total silence of consecutive breaks (D-SSML). */
export const MAX_CONSECUTIVE_BREAK_MS = SSML_MAX_BREAK_MS;

const ROOT = 'speak';
const BREAK = 'break';
const NAME = /^[A-Za-z_][\w.:-]*$/u;
const ATTRIBUTE = /\s*([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/uy;
const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/uy;
const BREAK_TIME = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/u;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Whether a continue-task text is meant as SSML markup rather than plain text (it starts with a tag). */
export function startsWithTag(text: string): boolean {
  return text.trimStart().startsWith('<');
}

/** One parsed tag. */
interface Tag {
  kind: 'open' | 'close' | 'empty';
  name: string;
  attributes: Map<string, string>;
  end: number;
}

function parseAttributes(body: string): Map<string, string> | undefined {
  const attributes = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    if (body.slice(at).trim() === '') break;
    ATTRIBUTE.lastIndex = at;
    const m = ATTRIBUTE.exec(body);
    if (m === null) return undefined;
    const name = m[1] ?? '';
    if (attributes.has(name)) return undefined;
    const value = decodeEntities(m[2] ?? m[3] ?? '');
    if (value === undefined) return undefined;
    attributes.set(name, value);
    at = ATTRIBUTE.lastIndex;
    if (at < body.length && !/\s/u.test(body[at] ?? '')) {
      if (body.slice(at).trim() !== '') return undefined;
    }
  }
  return attributes;
}

function parseTag(input: string, start: number): Tag | undefined {
  const end = input.indexOf('>', start);
  if (end < 0) return undefined;
  let body = input.slice(start + 1, end);
  let kind: Tag['kind'] = 'open';
  if (body.startsWith('/')) {
    kind = 'close';
    body = body.slice(1);
  } else if (body.endsWith('/')) {
    kind = 'empty';
    body = body.slice(0, -1);
  }
  const nameEnd = body.search(/\s|$/u);
  const name = body.slice(0, nameEnd);
  if (!NAME.test(name)) return undefined;
  const rest = body.slice(nameEnd);
  if (kind === 'close' && rest.trim() !== '') return undefined;
  const attributes = parseAttributes(rest);
  if (attributes === undefined) return undefined;
  return { kind, name, attributes, end: end + 1 };
}

/** Decodes the five XML entities and character references; undefined when a `&` starts no valid reference. */
function decodeEntities(text: string): string | undefined {
  let out = '';
  let at = 0;
  for (;;) {
    const amp = text.indexOf('&', at);
    if (amp < 0) return out + text.slice(at);
    out += text.slice(at, amp);
    ENTITY.lastIndex = amp;
    const m = ENTITY.exec(text);
    if (m === null) return undefined;
    if (m[1] !== undefined) {
      out += own(NAMED_ENTITIES, m[1]) ?? '';
    } else {
      const cp = m[2] !== undefined ? parseInt(m[2], 10) : parseInt(m[3] ?? '', 16);
      if (!(cp >= 0 && cp <= 0x10ffff)) return undefined;
      out += String.fromCodePoint(cp);
    }
    at = ENTITY.lastIndex;
  }
}

/** Milliseconds of a `time` attribute, or undefined when it is not `<number>s` or `<number>ms`. */
export function parseBreakTime(value: string | undefined): number | undefined {
  if (value === undefined) return DEFAULT_BREAK_MS;
  const m = BREAK_TIME.exec(value);
  if (m === null) return undefined;
  const amount = Number(m[1]);
  return Math.round(m[2] === 's' ? amount * 1000 : amount);
}

/** Adds a break, capping the total of breaks at the same text position. */
function addBreak(breaks: SsmlBreak[], offset: number, ms: number): void {
  const last = breaks[breaks.length - 1];
  if (last !== undefined && last.offset === offset) {
    last.ms = Math.min(MAX_CONSECUTIVE_BREAK_MS, last.ms + ms);
  } else {
    breaks.push({ offset, ms: Math.min(MAX_CONSECUTIVE_BREAK_MS, ms) });
  }
}

/** Parses SSML; undefined when it is not one or more well-formed sibling `<speak>` documents. */
export function parseSsml(input: string): SsmlDocument | undefined {
  const stack: string[] = [];
  const breaks: SsmlBreak[] = [];
  let text = '';
  let roots = 0;
  let at = 0;
  while (at < input.length) {
    const lt = input.indexOf('<', at);
    const chunk = input.slice(at, lt < 0 ? input.length : lt);
    if (chunk !== '') {
      if (stack.length === 0 && chunk.trim() !== '') return undefined;
      const decoded = decodeEntities(chunk);
      if (decoded === undefined) return undefined;
      text += decoded;
    }
    if (lt < 0) break;
    if (input.startsWith('<!--', lt)) {
      const end = input.indexOf('-->', lt + 4);
      if (end < 0) return undefined;
      at = end + 3;
      continue;
    }
    if (input.startsWith('<![CDATA[', lt)) {
      const end = input.indexOf(']]>', lt + 9);
      if (end < 0 || stack.length === 0) return undefined;
      text += input.slice(lt + 9, end);
      at = end + 3;
      continue;
    }
    if (input.startsWith('<?', lt)) {
      const end = input.indexOf('?>', lt + 2);
      if (end < 0 || stack.length > 0 || roots > 0) return undefined;
      at = end + 2;
      continue;
    }
    const tag = parseTag(input, lt);
    if (tag === undefined) return undefined;
    at = tag.end;
    if (tag.kind === 'close') {
      if (stack.pop() !== tag.name) return undefined;
      continue;
    }
    if ((stack.length === 0) !== (tag.name === ROOT)) return undefined;
    if (tag.name === BREAK) {
      const ms = parseBreakTime(tag.attributes.get('time'));
      if (ms === undefined) return undefined;
      addBreak(breaks, text.length, ms);
    }
    if (tag.name === ROOT) roots += 1;
    if (tag.kind === 'open') stack.push(tag.name);
  }
  if (stack.length > 0 || roots === 0) return undefined;
  return { text, breaks };
}
