/**
 * Locations: every finding of a multi-line document carries its own line and column (code points), and the caret
 * excerpt lines up under tabs, CJK and emoji; fast-xml-parser's validator is the backstop for well-formedness.
 */
import { describe, expect, it } from 'vitest';
import { SourceLocator } from '../../../../src/text/ssml/locate.js';
import { formatFinding } from '../../../../src/text/ssml/format.js';
import { checkWellFormed } from '../../../../src/text/ssml/wellformed.js';
import { validateSsml } from '../../../../src/text/ssml/validate.js';

describe('SourceLocator', () => {
  const text = 'ab\n你好😀x\r\n\tz';
  const locator = new SourceLocator(text);
  it.each([
    [0, 1, 1],
    [2, 1, 3],
    [3, 2, 1],
    [5, 2, 3],
    [7, 2, 4],
    [8, 2, 5],
    [10, 3, 1],
    [11, 3, 2],
    [999, 3, 3],
  ])('offset %i is %i:%i', (offset, line, column) => {
    expect(locator.position(offset)).toEqual({ line, column });
  });
  it('excerpts pad the caret for wide characters and keep tabs; CR is not shown', () => {
    expect(locator.excerpt(7)).toBe('你好😀x\n      ^');
    expect(locator.excerpt(11)).toBe('\tz\n\t^');
  });
  it('cuts long lines to a window around the column', () => {
    const long = `${'a'.repeat(5000)}<${'b'.repeat(5000)}`;
    const [code = '', caret = ''] = new SourceLocator(long).excerpt(5000).split('\n');
    expect(code.length).toBeLessThan(110);
    expect(code[caret.indexOf('^')]).toBe('<');
  });
  it('shows control characters as U+FFFD', () => {
    expect(new SourceLocator('a\u0001b').excerpt(1)).toBe('a\ufffdb\n ^');
  });
});

describe('findings of a multi-line document', () => {
  const doc = [
    '<speak rate="3">', //          line 1
    '  你好<break time="11s"/>', //   line 2
    '\t<say-as interpret-as="ordinal">3</say-as>', // line 3
    '  Tom & Jerry', //             line 4
    '</speak>',
  ].join('\n');

  it('reports every problem, in order, each at its own place', () => {
    const findings = validateSsml(doc, { source: 'doc.ssml' }).findings.filter((f) => f.severity === 'error');
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['R-SPK-RATE', 1, 14],
      ['R-BRK-TIME', 2, 18],
      ['R-SAY-IA', 3, 24],
      ['R-DOC-ESCAPE', 4, 7],
    ]);
  });

  it('formats a finding as file:line:column: severity: message [rule] with the excerpt', () => {
    const finding = validateSsml(doc, { source: 'doc.ssml' }).findings.find((f) => f.rule === 'R-BRK-TIME');
    expect(finding).toBeDefined();
    if (finding === undefined) return;
    expect(formatFinding('doc.ssml', finding)).toBe(
      'doc.ssml:2:18: error: time "11s" is above 10s, the longest pause: write 1s to 10s, or 50ms to 10000ms [R-BRK-TIME]\n' +
        ' 2 |   你好<break time="11s"/>\n' +
        '   |                    ^',
    );
    expect(formatFinding('doc.ssml', finding, { excerpt: false })).not.toContain('\n');
  });

  it('reports several well-formedness errors, not just the first', () => {
    const findings = validateSsml('<speak a=1 b>\n<sub alias="x">y</speak>\n<break time="1s">', { source: 's' }).findings;
    expect(findings.filter((f) => f.rule === 'R-DOC-WELLFORMED').map((f) => `${f.line}:${f.column}`)).toEqual(['1:10', '1:12', '2:1', '3:1']);
  });

  it('handles CRLF line ends', () => {
    const findings = validateSsml('<speak>\r\n<break time="x"/>\r\n</speak>', { source: 's' }).findings;
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'R-BRK-TIME', line: 2, column: 14 }));
  });
});

describe('the fast-xml-parser backstop', () => {
  it('accepts what the lexer leaves of a valid document and maps its errors back onto the input', () => {
    const locator = new SourceLocator('<speak>a</speak>');
    expect(checkWellFormed('<speak>a</speak>', locator)).toBeUndefined();
    const broken = '<speak>\n<a></b></speak>';
    expect(checkWellFormed(broken, new SourceLocator(broken))).toMatchObject({ rule: 'R-DOC-WELLFORMED', offset: 11 });
    const unclosed = '<speak>a';
    expect(checkWellFormed(unclosed, new SourceLocator(unclosed))?.message).toBe('<speak> (line 1, column 1) is never closed');
  });
});
