import { describe, expect, it } from 'vitest';
import { detectFormat, parseManifest } from '../../../src/batch/manifest.js';
import { FIELD_NAMES } from '../../../src/batch/fields.js';

describe('detectFormat', () => {
  it.each<[string, string, string | undefined, string]>([
    ['a.jsonl', 'Hello', undefined, 'jsonl'],
    ['a.NDJSON', '', undefined, 'jsonl'],
    ['a.csv', '{"text":"x"}', undefined, 'csv'],
    ['a.txt', '{"text":"x"}', undefined, 'text'],
    ['stdin', '\n  {"text":"x"}\n', undefined, 'jsonl'],
    ['stdin', '\uFEFF{"text":"x"}', undefined, 'jsonl'],
    ['items', 'Hello there.', undefined, 'text'],
    ['a.jsonl', 'x', 'csv', 'csv'],
  ])('%s %j (explicit %s) → %s', (path, text, explicit, expected) => {
    expect(detectFormat(path, text, explicit as never)).toBe(expected);
  });
});

describe('parseManifest: plain text', () => {
  it('takes every non-empty line, trimmed, with its line number', () => {
    expect(parseManifest('\uFEFFHello.\r\n\r\n  Second line  \n\t\nThird\n', 'text')).toEqual({
      format: 'text',
      entries: [
        { line: 1, values: { text: 'Hello.' } },
        { line: 3, values: { text: 'Second line' } },
        { line: 5, values: { text: 'Third' } },
      ],
      problems: [],
    });
  });
});

describe('parseManifest: JSONL', () => {
  it('reads objects, skips blank lines, and reports bad lines by number', () => {
    const text = [
      '{"id":"a","text":"Hello","volume":60,"markdown_filter":true}',
      '',
      '{"text": "unterminated',
      '["not","an","object"]',
      '{"text":"ok","voice":null}',
      '{"text":"x","extra":{"nested":1}}',
      '42',
    ].join('\n');
    const parsed = parseManifest(text, 'jsonl');
    expect(parsed.entries).toEqual([
      { line: 1, values: { id: 'a', text: 'Hello', volume: 60, markdown_filter: true } },
      { line: 5, values: { text: 'ok', voice: null } },
    ]);
    expect(parsed.problems.map((p) => p.line)).toEqual([3, 4, 6, 7]);
    expect(parsed.problems[0]?.message).toMatch(/^not valid JSON/);
    expect(parsed.problems[1]?.message).toBe('expected a JSON object such as {"text": "Hello"}');
    expect(parsed.problems[2]?.message).toBe('"extra" must be a string, number or boolean, not a list or object');
  });
});

describe('parseManifest: CSV', () => {
  it('reads rows under a header, numbering each row by the line it starts on; empty cells are absent', () => {
    const text = 'ID,Text,Sample-Rate\r\n1,Hello,16000\r\n\r\n2,"two\r\nlines, quoted",\n3,"say ""hi""",8000\n';
    const parsed = parseManifest(text, 'csv');
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual([
      { line: 2, values: { id: '1', text: 'Hello', sample_rate: '16000' } },
      { line: 4, values: { id: '2', text: 'two\nlines, quoted' } },
      { line: 6, values: { id: '3', text: 'say "hi"', sample_rate: '8000' } },
    ]);
  });

  it('reports rows with the wrong number of columns and keeps the others', () => {
    const parsed = parseManifest('text,voice\nHello,longanyang\nToo,many,cells\nFine,\n', 'csv');
    expect(parsed.entries.map((e) => e.line)).toEqual([2, 4]);
    expect(parsed.problems).toEqual([{ line: 3, message: 'expected 2 columns, got 3' }]);
  });

  it.each([
    ['text,text\nx,y\n', 'the header row names "text" twice'],
    ['text,\nx,y\n', 'the header row has an empty column name'],
    ['text,volum\nx,\ny,\n', `the header row has an unknown field "volum" (did you mean "volume"?); fields are ${FIELD_NAMES.join(', ')}`],
  ])('rejects a bad header %j', (text, message) => {
    expect(parseManifest(text, 'csv')).toEqual({ format: 'csv', entries: [], problems: [{ line: 1, message }] });
  });

  it('reports an unclosed quote with its line', () => {
    const parsed = parseManifest('text\nok\n"never closed\n', 'csv');
    expect(parsed.entries).toEqual([{ line: 2, values: { text: 'ok' } }]);
    expect(parsed.problems[0]?.line).toBe(3);
    expect(parsed.problems[0]?.message).toMatch(/Quote Not Closed/);
  });
});
