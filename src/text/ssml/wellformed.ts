/**
 * fast-xml-parser's validator as the last word on well-formedness (R-DOC-WELLFORMED). The input is wrapped in a
 * private root, because the validator takes a single root element while SSML may hold several `<speak>` blocks;
 * its line and column are mapped back onto the input and its message is rewritten without the wrapper.
 */
import { XMLValidator } from 'fast-xml-parser';
import type { SourceLocator } from './locate.js';
import type { Issue } from './types.js';

const WRAPPER = 'cosy-ssml-input';
const OPEN = `<${WRAPPER}>`;
const CLOSE = `</${WRAPPER}>`;

/** The validator's complaint about `sanitized` (the lexer's output), located in the input; undefined when it has none. */
export function checkWellFormed(sanitized: string, locator: SourceLocator): Issue | undefined {
  let result: ReturnType<typeof XMLValidator.validate>;
  try {
    result = XMLValidator.validate(`${OPEN}${sanitized}${CLOSE}`);
  } catch (err) {
    return { rule: 'R-DOC-WELLFORMED', severity: 'error', offset: 0, message: `the XML validator failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (result === true) return undefined;
  const { line, col, msg } = result.err;
  const unitColumn = line === 1 ? col - OPEN.length : col;
  return { rule: 'R-DOC-WELLFORMED', severity: 'error', offset: locator.offsetOf(line, unitColumn), message: rewrite(msg) };
}

/** The validator's message with the wrapper taken out and line-1 columns shifted back. */
function rewrite(message: string): string {
  const unclosed = /^Expected closing tag '([^']+)' \(opened in line (\d+), col (\d+)\) instead of closing tag '([^']+)'\.$/u.exec(message);
  if (unclosed !== null && unclosed[4] === WRAPPER) {
    return `<${unclosed[1] ?? ''}> (line ${unclosed[2] ?? ''}, column ${shift(unclosed[2], unclosed[3])}) is never closed`;
  }
  const shifted = message.replace(/opened in line (\d+), col (\d+)/gu, (_m, l: string, c: string) => `opened in line ${l}, column ${shift(l, c)}`);
  return `not well-formed XML: ${shifted.replaceAll(WRAPPER, 'the document')}`;
}

function shift(line: string | undefined, column: string | undefined): number {
  const c = Number(column);
  return line === '1' ? c - OPEN.length : c;
}
