/**
 * Document-level rules (specification §2): the input is one or more `<speak>` elements with only whitespace
 * around them (R-DOC-ROOT, R-DOC-TEXT-OUTSIDE, R-DOC-CHILD at the top level).
 */
import { isElementName } from '../schema.js';
import type { SsmlNode } from '../tree.js';
import type { Report } from '../types.js';

/** Checks the top level of a document; returns the number of `<speak>` elements found there. */
export function checkDocument(top: readonly SsmlNode[], source: string, report: Report): number {
  let speaks = 0;
  let rootReported = false;
  for (const node of top) {
    if (node.kind === 'text') {
      if (!/\S/u.test(node.text)) continue;
      const first = source.slice(node.start, node.end).search(/\S/u);
      report(
        'R-DOC-TEXT-OUTSIDE',
        'error',
        node.start + Math.max(0, first),
        'text outside <speak>: only whitespace may come before, between or after <speak> elements; move it inside a <speak>',
      );
    } else if (node.name === 'speak') {
      speaks += 1;
    } else if (isElementName(node.name)) {
      report('R-DOC-CHILD', 'error', node.start, `<${node.name}> must be inside a <speak> element`);
    } else {
      rootReported = true;
      report('R-DOC-ROOT', 'error', node.start, `the document must be made of <speak> elements; <${node.name}> cannot be its root`);
    }
  }
  if (speaks === 0 && !rootReported) {
    report('R-DOC-ROOT', 'error', 0, 'there is no <speak> element: SSML must be wrapped in <speak>…</speak>');
  }
  return speaks;
}
