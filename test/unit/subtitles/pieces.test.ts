import { describe, expect, it } from 'vitest';
import { sentencePieces, textWords } from '../../../src/subtitles/pieces.js';
import type { Sentence } from '../../../src/subtitles/types.js';
import { timedSentence } from './fixtures.js';

/** The texts of a sentence's pieces. */
const pieceTexts = (s: Sentence): string[] => sentencePieces(s).map((p) => p.text);

describe('sentencePieces', () => {
  it.each([
    ['Hello there.', ['Hello ', 'there.']],
    ['  "Quoted," she said.', ['  "Quoted," ', 'she ', 'said.']],
    ['He said (quietly) no.', ['He ', 'said ', '(quietly) ', 'no.']],
    ['你好，“世界”！', ['你', '好，', '“世', '界”！']],
    ['我用iPhone拍照。', ['我', '用', 'iPhone', '拍', '照。']],
    ["Don't e-mail 3.14 people", ["Don't ", 'e-mail ', '3.14 ', 'people']],
    ['A — B', ['A — ', 'B']],
  ])('%j', (text, expected) => {
    const sentence = timedSentence(0, text);
    expect(pieceTexts(sentence)).toEqual(expected);
    expect(pieceTexts(sentence).join('')).toBe(text);
  });

  it('skips words not found in the text and keeps the rest timed', () => {
    const s: Sentence = {
      index: 0,
      text: 'One two three',
      begin: 0,
      end: 900,
      words: [
        { text: 'One', begin: 0, end: 200 },
        { text: 'zwei', begin: 300, end: 500 },
        { text: 'three', begin: 600, end: 900 },
      ],
    };
    expect(sentencePieces(s)).toEqual([
      { text: 'One two ', begin: 0, end: 200 },
      { text: 'three', begin: 600, end: 900 },
    ]);
  });

  it('estimates words when none are given, and keeps a punctuation-only sentence whole', () => {
    expect(sentencePieces({ index: 0, text: '你好 ok', begin: 0, end: 400, words: [] })).toEqual([
      { text: '你', begin: 0, end: 100 },
      { text: '好 ', begin: 100, end: 200 },
      { text: 'ok', begin: 200, end: 400 },
    ]);
    expect(sentencePieces({ index: 0, text: '…', begin: 0, end: 400, words: [] })).toEqual([{ text: '…', begin: 0, end: 400 }]);
    expect(sentencePieces({ index: 0, text: '', begin: 0, end: 0, words: [] })).toEqual([]);
  });
});

describe('textWords', () => {
  it.each([
    ['a bc', [[0, 1], [2, 4]]],
    ['你好ok', [[0, 1], [1, 2], [2, 4]]],
    ['𠀀x  y', [[0, 2], [2, 3], [5, 6]]],
    ['   ', []],
  ])('%j', (text, spans) => {
    expect(textWords(text).map((s) => [s.start, s.stop])).toEqual(spans);
  });
});
