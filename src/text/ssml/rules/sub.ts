/**
 * `<sub>` (specification §3.3): a non-empty alias (R-SUB-ALIAS) and some text to replace (R-SUB-CONTENT).
 */
import { attributeOf, ownText, type SsmlElement } from '../tree.js';
import type { Report } from '../types.js';

/** Checks a `<sub>` element. */
export function checkSub(element: SsmlElement, report: Report): void {
  const alias = attributeOf(element, 'alias');
  if (alias === undefined) report('R-SUB-ALIAS', 'error', element.start, '<sub> needs alias="…": the text to speak instead of its content');
  else if (alias.wellFormed && alias.value.trim() === '') report('R-SUB-ALIAS', 'error', alias.valueOffset, 'alias is empty: give the text to speak instead of the content');
  if (element.children.length === 0 || (!/\S/u.test(ownText(element)) && element.children.every((c) => c.kind === 'text'))) {
    report('R-SUB-CONTENT', 'warning', element.start, '<sub> is empty: put the written form inside, e.g. <sub alias="World Wide Web Consortium">W3C</sub>');
  }
}
