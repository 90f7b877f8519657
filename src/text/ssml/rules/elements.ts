/**
 * Per-element structure rules: known element names (R-DOC-ELEMENTS), allowed attributes (R-DOC-ATTRS,
 * R-SAY-ATTRS), nesting (R-DOC-NEST) and what each element may contain (R-DOC-CHILD and the content rules of
 * break, sub, phoneme, soundEvent, say-as and vhml).
 */
import { own } from '../../../own.js';
import { ATTRIBUTES, CONTENT, ELEMENTS, ELEMENT_HINTS, SPEAK_BOILERPLATE, isElementName, type ElementName } from '../schema.js';
import type { SsmlElement } from '../tree.js';
import type { Report, RuleId } from '../types.js';

/** The rule an element's content breaks, by element. */
const CONTENT_RULE: Readonly<Record<ElementName, RuleId>> = {
  speak: 'R-DOC-CHILD',
  break: 'R-BRK-EMPTY',
  sub: 'R-SUB-CONTENT',
  phoneme: 'R-PHN-CONTENT',
  soundEvent: 'R-SND-EMPTY',
  'say-as': 'R-SAY-CONTENT',
  vhml: 'R-VHML',
};

/** How each element's allowed content reads in a message. */
const CONTENT_TEXT: Readonly<Record<ElementName, string>> = {
  speak: 'text, <break>, <sub>, <phoneme>, <soundEvent> and <say-as>',
  break: 'nothing: write <break/>',
  sub: 'only text',
  phoneme: 'only text',
  soundEvent: 'nothing: write <soundEvent src="…"/>',
  'say-as': 'only text and <vhml/>',
  vhml: 'nothing: write <vhml/>',
};

/** Squashes case, `-` and `_` so that near-miss names can be matched. */
function squash(name: string): string {
  return name.toLowerCase().replace(/[-_]/gu, '');
}

/** Checks an element's name, attributes and content; `parent` is undefined at the top level. */
export function checkElement(element: SsmlElement, parent: SsmlElement | undefined, report: Report): void {
  const name = element.name;
  if (name === 'speak' && parent !== undefined) {
    report('R-DOC-NEST', 'error', element.start, `<speak> may not be nested inside <${parent.name}>: close one <speak> before opening the next`);
  }
  if (!isElementName(name)) {
    const nearMiss = ELEMENTS.find((e) => squash(e) === squash(name));
    const hint = nearMiss !== undefined ? `names are case-sensitive: write <${nearMiss}>` : own(ELEMENT_HINTS, name) ?? `the dialect has ${ELEMENTS.map((e) => `<${e}>`).join(', ')}`;
    report('R-DOC-ELEMENTS', 'error', element.start, `<${name}> is not an element of the CosyVoice SSML dialect: ${hint}`);
    return;
  }
  checkAttributes(element, name, report);
  checkContent(element, name, report);
}

function checkAttributes(element: SsmlElement, name: ElementName, report: Report): void {
  const allowed = ATTRIBUTES[name];
  for (const attribute of element.attributes) {
    if (allowed.includes(attribute.name) || !attribute.wellFormed) continue;
    if (name === 'speak' && (SPEAK_BOILERPLATE.includes(attribute.name) || attribute.name.startsWith('xmlns:'))) {
      report('R-DOC-ATTRS', 'warning', attribute.nameOffset, `${attribute.name} is W3C boilerplate that the service may ignore or reject; remove it to be safe`);
      continue;
    }
    if (name === 'vhml') {
      report('R-VHML', 'error', attribute.nameOffset, '<vhml/> takes no attributes');
      continue;
    }
    const nearMiss = allowed.find((a) => squash(a) === squash(attribute.name));
    const takes = allowed.length === 1 ? `only ${allowed[0] ?? ''}` : allowed.join(', ');
    const hint = nearMiss !== undefined ? `did you mean ${nearMiss}? (names are case-sensitive)` : `<${name}> takes ${takes}`;
    report(name === 'say-as' ? 'R-SAY-ATTRS' : 'R-DOC-ATTRS', 'error', attribute.nameOffset, `<${name}> has no attribute ${attribute.name}: ${hint}`);
  }
}

function checkContent(element: SsmlElement, name: ElementName, report: Report): void {
  const content = CONTENT[name];
  const rule = CONTENT_RULE[name];
  let textReported = false;
  for (const child of element.children) {
    if (child.kind === 'text') {
      if (!content.text && !textReported && /\S/u.test(child.text)) {
        textReported = true;
        const first = Math.max(0, child.text.search(/\S/u));
        report(rule, 'error', child.start + (child.end - child.start === child.text.length ? first : 0), `<${name}> may hold ${CONTENT_TEXT[name]}`);
      }
      continue;
    }
    const childName = child.name;
    if (childName === 'speak' || !isElementName(childName) || content.elements.includes(childName)) continue;
    if (name === 'speak' && childName === 'vhml') {
      report('R-DOC-CHILD', 'warning', child.start, '<vhml/> is documented only inside <say-as>');
      continue;
    }
    report(rule, 'error', child.start, `<${name}> may hold ${CONTENT_TEXT[name]}, not <${childName}>`);
  }
}
