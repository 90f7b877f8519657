/**
 * `<say-as>` (specification §3.6): interpret-as from the closed list (R-SAY-IA), some content (R-SAY-EMPTY) and,
 * as a warning only, content that matches no documented format of its type (R-SAY-FORMAT, §4). Foreign
 * attributes (R-SAY-ATTRS) and content (R-SAY-CONTENT) are checked with the other structure rules.
 */
import { own } from '../../../own.js';
import { INTERPRET_AS } from '../schema.js';
import { attributeOf, ownText, type SsmlElement } from '../tree.js';
import type { Report } from '../types.js';
import { sayAsFormatProblem } from './say-as-formats.js';
import { quoted } from './values.js';

/** Hints for interpret-as values of other dialects. */
const INTERPRET_AS_HINTS: Readonly<Record<string, string>> = {
  ordinal: 'CosyVoice has no ordinal reading',
  number: 'write cardinal',
  'spell-out': 'write characters',
  verbatim: 'write characters',
  nick: 'write id',
  'telephone-number': 'write telephone',
  money: 'write currency',
  unit: 'write measure',
};

/** Checks a `<say-as>` element. */
export function checkSayAs(element: SsmlElement, report: Report): void {
  const interpretAs = attributeOf(element, 'interpret-as');
  const text = ownText(element).trim();
  if (interpretAs === undefined) {
    report('R-SAY-IA', 'error', element.start, `<say-as> needs interpret-as="…": one of ${INTERPRET_AS.join(', ')}`);
  } else if (interpretAs.wellFormed && !INTERPRET_AS.includes(interpretAs.value)) {
    const value = interpretAs.value;
    const hint = INTERPRET_AS.includes(value.toLowerCase()) ? `values are lowercase: write ${value.toLowerCase()}` : own(INTERPRET_AS_HINTS, value) ?? `write one of ${INTERPRET_AS.join(', ')}`;
    report('R-SAY-IA', 'error', interpretAs.valueOffset, `interpret-as ${quoted(value)} is not supported: ${hint}`);
  }
  if (text === '') {
    if (element.children.every((c) => c.kind === 'text' || c.name === 'vhml')) report('R-SAY-EMPTY', 'warning', element.start, '<say-as> is empty: there is nothing to read');
    return;
  }
  if (interpretAs === undefined || !interpretAs.wellFormed) return;
  const problem = sayAsFormatProblem(interpretAs.value, text);
  if (problem !== undefined) report('R-SAY-FORMAT', 'warning', element.start, `interpret-as="${interpretAs.value}" ${quoted(text)}: ${problem}`);
}
