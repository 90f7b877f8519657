/**
 * lintInput: bytes → SSML or plain-text findings; invalid UTF-8, NUL, empty text, SSML-looking plain text, and the
 * counted length with the split plan cosy say would follow.
 */
import { describe, expect, it } from 'vitest';
import { lintInput } from '../../../../src/text/ssml/lint-input.js';
import { looksLikeSsml } from '../../../../src/text/ssml/detect.js';
import { firstInvalidUtf8 } from '../../../../src/text/utf8.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('looksLikeSsml', () => {
  it.each([
    ['<speak>x</speak>', true],
    ['\ufeff  \n<speak rate="1">x</speak>', true],
    ['<speak/>', true],
    ['<speaker>x</speaker>', false],
    ['<?xml version="1.0"?><speak>x</speak>', true],
    ['<?xml version="1.0" encoding="UTF-8"?>\n<speak>x</speak>', true],
    ['<?xml version="1.0"?>Hello', false],
    ['Hello <speak>', false],
  ])('%j → %s', (text, expected) => {
    expect(looksLikeSsml(text)).toBe(expected);
  });
});

describe('names that objects have anyway', () => {
  it('elements, attributes, entities and values named like Object members get the ordinary findings', () => {
    const doc = '<speak constructor="1">a &constructor; <toString>x</toString> <say-as interpret-as="toString">1</say-as> <phoneme alphabet="constructor" ph="x">y</phoneme></speak>';
    const findings = lintInput(bytes(doc), 'p.ssml').findings;
    expect(findings.map((f) => f.rule).sort()).toEqual(['R-DOC-ATTRS', 'R-DOC-ELEMENTS', 'R-DOC-ENTITY', 'R-PHN-ALPHA', 'R-SAY-IA']);
    for (const f of findings) expect(f.message).not.toContain('native code');
  });
});

describe('lintInput', () => {
  it('checks SSML and counts it both ways', () => {
    const result = lintInput(bytes('<speak>你好<break time="11s"/></speak>'), 'a.ssml');
    expect(result).toMatchObject({ kind: 'ssml', counts: { billed: 4, conservative: 38 }, messages: 1, tasks: 1 });
    expect(result.findings).toContainEqual(expect.objectContaining({ rule: 'R-BRK-TIME', line: 1, column: 23 }));
  });

  it('strips a byte-order mark without shifting columns', () => {
    const result = lintInput(bytes('\ufeff<speak rate="9">x</speak>'), 'bom.ssml');
    expect(result.findings).toContainEqual(expect.objectContaining({ rule: 'R-SPK-RATE', line: 1, column: 14 }));
  });

  it('reports invalid UTF-8 at its line and column, and still checks the rest', () => {
    const data = new Uint8Array([...bytes('<speak>\nab'), 0xff, ...bytes('<break time="0s"/></speak>')]);
    expect(firstInvalidUtf8(data)).toBe(10);
    const result = lintInput(data, 'bad.ssml');
    expect(result.findings).toContainEqual(expect.objectContaining({ rule: 'R-DOC-ENCODING', line: 2, column: 3 }));
    expect(result.findings).toContainEqual(expect.objectContaining({ rule: 'R-BRK-TIME' }));
    expect(lintInput(new Uint8Array([0x61, 0xc3]), 't.txt').findings).toContainEqual(expect.objectContaining({ rule: 'R-TXT-ENCODING', line: 1, column: 2 }));
  });

  it('forces SSML or plain text', () => {
    expect(lintInput(bytes('<?xml version="1.0"?><speak>x</speak>'), 'x', { ssml: true }).kind).toBe('ssml');
    // Without --ssml too: a declaration before <speak> is SSML, with the prolog warning.
    const detected = lintInput(bytes('<?xml version="1.0"?>\n<speak>x</speak>'), 'x');
    expect(detected.kind).toBe('ssml');
    expect(detected.findings.map((f) => f.rule)).toContain('R-DOC-PROLOG');
    expect(lintInput(bytes('<speak>x</speak>'), 'x', { ssml: false }).kind).toBe('text');
  });

  it('passes the request context on to the SSML checks', () => {
    const result = lintInput(bytes('<speak effect="lpfilter" effectValue="5000">x</speak>'), 'x', { model: 'cosyvoice-v1', sampleRate: 8000 });
    expect(result.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['R-CTX-MODEL', 'R-SPK-FILTER']));
  });
});

describe('plain text', () => {
  it.each([
    ['', 'R-TXT-EMPTY', 'error', 1, 1],
    [' \n\t ', 'R-TXT-EMPTY', 'error', 1, 1],
    ['ab\ncd\u0000e', 'R-TXT-NUL', 'error', 2, 3],
    ['Hello <break time="1s"/> world', 'R-TXT-MARKUP', 'warning', 1, 7],
    ['  <?xml version="1.0"?>Hello there.', 'R-TXT-MARKUP', 'warning', 1, 3],
  ] as const)('%j → %s at %i:%i', (text, rule, severity, line, column) => {
    expect(lintInput(bytes(text), 't.txt').findings).toContainEqual(expect.objectContaining({ rule, severity, line, column }));
  });

  it('reports the billed count and the split plan of long text', () => {
    const short = lintInput(bytes('今天天气很好。'), 't.txt');
    expect(short).toMatchObject({ kind: 'text', counts: { billed: 13, conservative: 13 }, messages: 1, tasks: 1 });
    expect(short.findings).toEqual([expect.objectContaining({ rule: 'R-TXT-LEN', severity: 'info', message: '13 billed characters: it fits in one message' })]);
    const long = lintInput(bytes('这是一句话。'.repeat(400)), 't.txt');
    expect(long).toMatchObject({ counts: { billed: 4400 }, messages: 3, tasks: 1 });
    expect(long.findings[0]?.message).toBe('4,400 billed characters: cosy say splits it into 3 messages of at most 2,000');
  });
});
