/**
 * The element tree of an SSML input, built from the lexer's tokens with recovery: a mismatched, stray or missing
 * end tag is reported (R-DOC-WELLFORMED) and the tree carries on as a reader would understand it, so that the
 * dialect's rules can still check everything else. Nesting deeper than MAX_DEPTH is cut off (reported once), which
 * keeps every later walk of the tree shallow.
 */
import type { LexAttribute, Token } from './lexer.js';
import type { Position } from './locate.js';
import type { Report } from './types.js';

/** Deepest nesting kept in the tree; the dialect itself never needs more than three levels. */
export const MAX_DEPTH = 32;

/** An attribute of an element (see LexAttribute). */
export type SsmlAttribute = LexAttribute;

/** An element with its attributes and content. */
export interface SsmlElement {
  kind: 'element';
  name: string;
  attributes: SsmlAttribute[];
  children: SsmlNode[];
  /** Offset of the `<` of the start tag. */
  start: number;
}

/** A run of text (character data or a CDATA section), references decoded. */
export interface SsmlText {
  kind: 'text';
  text: string;
  start: number;
  end: number;
}

/** A node of the tree. */
export type SsmlNode = SsmlElement | SsmlText;

/** Builds the tree of `tokens`, reporting unbalanced tags; never throws. */
export function buildTree(tokens: readonly Token[], report: Report, locate: (offset: number) => Position): SsmlNode[] {
  const top: SsmlNode[] = [];
  const stack: { element: SsmlElement; attached: boolean }[] = [];
  const where = (offset: number): string => {
    const p = locate(offset);
    return `line ${p.line}, column ${p.column}`;
  };
  const append = (node: SsmlNode): void => {
    const parent = stack[stack.length - 1];
    if (parent === undefined) top.push(node);
    else if (parent.attached) parent.element.children.push(node);
  };
  let depthReported = false;
  // How many elements of each name are open: finds a matching start tag without searching the stack.
  const openCount = new Map<string, number>();
  const push = (element: SsmlElement, attached: boolean): void => {
    stack.push({ element, attached });
    openCount.set(element.name, (openCount.get(element.name) ?? 0) + 1);
  };
  const pop = (): { element: SsmlElement; attached: boolean } | undefined => {
    const entry = stack.pop();
    if (entry) openCount.set(entry.element.name, (openCount.get(entry.element.name) ?? 1) - 1);
    return entry;
  };

  for (const token of tokens) {
    switch (token.kind) {
      case 'start': {
        const element: SsmlElement = { kind: 'element', name: token.name, attributes: token.attributes, children: [], start: token.start };
        const parent = stack[stack.length - 1];
        let attached = parent === undefined || parent.attached;
        if (attached && stack.length >= MAX_DEPTH) {
          attached = false;
          if (!depthReported) {
            depthReported = true;
            report('R-DOC-CHILD', 'error', token.start, `elements are nested more than ${MAX_DEPTH} levels deep; the dialect needs at most three (speak, say-as, vhml), and cosy checks nothing deeper`);
          }
        }
        if (attached) append(element);
        if (!token.selfClosing) push(element, attached);
        break;
      }
      case 'end': {
        const open = stack[stack.length - 1];
        if (open === undefined) {
          report('R-DOC-WELLFORMED', 'error', token.start, `</${token.name}> closes nothing: there is no open <${token.name}>`);
        } else if (open.element.name === token.name) {
          pop();
        } else if (open.element.name.toLowerCase() === token.name.toLowerCase()) {
          report('R-DOC-WELLFORMED', 'error', token.start, `</${token.name}> does not match <${open.element.name}> (${where(open.element.start)}): tag names are case-sensitive`);
          pop();
        } else {
          if ((openCount.get(token.name) ?? 0) === 0) {
            report('R-DOC-WELLFORMED', 'error', token.start, `</${token.name}> does not match the open <${open.element.name}> (${where(open.element.start)})`);
          } else {
            for (let unclosed = pop(); unclosed !== undefined && unclosed.element.name !== token.name; unclosed = pop()) {
              report('R-DOC-WELLFORMED', 'error', unclosed.element.start, `<${unclosed.element.name}> is not closed before </${token.name}> (${where(token.start)}): add </${unclosed.element.name}>`);
            }
          }
        }
        break;
      }
      case 'text':
      case 'cdata':
        append({ kind: 'text', text: token.text, start: token.start, end: token.end });
        break;
      default:
        break;
    }
  }
  for (let k = stack.length - 1; k >= 0; k--) {
    const unclosed = stack[k];
    if (unclosed) report('R-DOC-WELLFORMED', 'error', unclosed.element.start, `<${unclosed.element.name}> is never closed: add </${unclosed.element.name}>`);
  }
  return top;
}

/** The attribute `name` of an element, or undefined. */
export function attributeOf(element: SsmlElement, name: string): SsmlAttribute | undefined {
  return element.attributes.find((a) => a.name === name);
}

/** The text content of an element's own text children (not of nested elements). */
export function ownText(element: SsmlElement): string {
  let text = '';
  for (const child of element.children) if (child.kind === 'text') text += child.text;
  return text;
}
