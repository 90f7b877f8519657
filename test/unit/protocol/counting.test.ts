import { describe, expect, it } from 'vitest';
import { countCharacters, countInput, ssmlTextContent } from '../../../src/protocol/counting.js';

describe('countCharacters', () => {
  it.each([
    ['', 0],
    ['你好', 4],
    ['中A文123', 8],
    ['中文。', 5],
    ['中 文。', 6],
    ['Hello, world!', 13],
    ['日本語のテキスト', 3 * 2 + 5], // kanji 2 each, kana 1 each
    ['한국어', 3], // hangul 1 each
    ['漢字', 4], // traditional / hanja
    ['😀', 1], // one code point, not two UTF-16 units
    ['e\u0301', 2], // base + combining mark are two code points
    ['，、！？', 4], // CJK punctuation counts 1
  ])('%j counts %i', (text, expected) => {
    expect(countCharacters(text)).toBe(expected);
  });
});

describe('SSML counting', () => {
  it('excludes tags from the billed count but not from the conservative one', () => {
    const ssml = '<speak>你好</speak>';
    expect(countInput(ssml, true)).toEqual({ billed: 4, conservative: 19 });
    expect(countInput(ssml, false)).toEqual({ billed: 19, conservative: 19 });
  });

  it.each([
    ['<speak>a &amp; b</speak>', 'a & b'],
    ['<speak rate="2">x<break time="1s"/>y</speak>', 'xy'],
    ['<speak><!-- note -->hi</speak>', 'hi'],
    ['<speak>&#20320;&#x597d;</speak>', '你好'],
  ])('text content of %j is %j', (ssml, text) => {
    expect(ssmlTextContent(ssml)).toBe(text);
  });
});
