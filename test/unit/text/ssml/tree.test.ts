/**
 * The element tree cosy builds from its own lexer agrees with fast-xml-parser's XMLParser (preserveOrder) on
 * well-formed documents, and recovers from unbalanced tags the way a reader would.
 */
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { lex } from '../../../../src/text/ssml/lexer.js';
import { SourceLocator } from '../../../../src/text/ssml/locate.js';
import { buildTree, type SsmlNode } from '../../../../src/text/ssml/tree.js';
import type { Issue } from '../../../../src/text/ssml/types.js';
import { BASE_DOCUMENTS } from './malformed-corpus.js';

/** A comparable shape: text as strings (adjacent runs merged), elements as [name, attributes, children]. */
type Shape = string | [string, Record<string, string>, Shape[]];

function merge(shapes: Shape[]): Shape[] {
  const out: Shape[] = [];
  for (const s of shapes) {
    const last = out[out.length - 1];
    if (typeof s === 'string' && typeof last === 'string') out[out.length - 1] = last + s;
    else out.push(s);
  }
  return out;
}

function ours(nodes: readonly SsmlNode[]): Shape[] {
  return merge(nodes.map((n): Shape => (n.kind === 'text' ? n.text : [n.name, Object.fromEntries(n.attributes.map((a) => [a.name, a.value])), ours(n.children)])));
}

function theirs(nodes: unknown): Shape[] {
  const out: Shape[] = [];
  for (const node of nodes as Record<string, unknown>[]) {
    const name = Object.keys(node).find((k) => k !== ':@') ?? '';
    if (name === '#text') out.push(String(node['#text']));
    else out.push([name, (node[':@'] as Record<string, string> | undefined) ?? {}, theirs(node[name])]);
  }
  return merge(out);
}

function tree(input: string): { nodes: SsmlNode[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const locator = new SourceLocator(input);
  const nodes = buildTree(lex(input).tokens, (rule, severity, offset, message) => issues.push({ rule, severity, offset, message }), (o) => locator.position(o));
  return { nodes, issues };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, trimValues: false, parseTagValue: false, parseAttributeValue: false });

const DOCUMENTS = [
  ...BASE_DOCUMENTS.filter((d) => !d.includes('&#')),
  '<speak>a</speak>\n  <speak>b</speak>\n',
  `<speak rate='1.25' volume = "80">Tom &amp; Jerry say &quot;&lt;3&quot; 3 > 2</speak>`,
  '<speak><say-as interpret-as="id">a<vhml/></say-as><sub alias="x &amp; y">z</sub></speak>',
];

describe('the tree', () => {
  it.each(DOCUMENTS)('matches XMLParser on %j', (input) => {
    const built = tree(input);
    expect(built.issues).toEqual([]);
    const parsed = parser.parse(`<r>${input}</r>`) as Record<string, unknown>[];
    expect(ours(built.nodes)).toEqual(theirs(parsed[0]?.['r']));
  });

  it.each([
    ['<speak><sub alias="a">x</speak>', [['speak', {}, [['sub', { alias: 'a' }, ['x']]]]], ['R-DOC-WELLFORMED']],
    ['<speak>a</Speak>', [['speak', {}, ['a']]], ['R-DOC-WELLFORMED']],
    ['<speak>a</sub>b</speak>', [['speak', {}, ['ab']]], ['R-DOC-WELLFORMED']],
    ['<speak>a', [['speak', {}, ['a']]], ['R-DOC-WELLFORMED']],
  ] as const)('recovers from %j', (input, shape, rules) => {
    const built = tree(input);
    expect(ours(built.nodes)).toEqual(shape);
    expect(built.issues.map((i) => i.rule)).toEqual(rules);
  });
});
