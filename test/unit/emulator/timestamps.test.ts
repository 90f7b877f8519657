import { describe, expect, it } from 'vitest';
import { sentenceDurationMs, sentenceWords, wordSpans } from '../../../src/emulator/timestamps.js';

/** The words of a sentence as text. */
function words(text: string): string[] {
  const cps = Array.from(text);
  return wordSpans(text).map((s) => cps.slice(s.begin, s.end).join(''));
}

describe('wordSpans', () => {
  it.each([
    ['Hello there.', ['Hello', 'there']],
    ["Don't stop, it's 2024!", ["Don't", 'stop', "it's", '2024']],
    ['你好，世界。', ['你', '好', '世', '界']],
    ['こんにちはカタカナー', ['こ', 'ん', 'に', 'ち', 'は', 'カ', 'タ', 'カ', 'ナ', 'ー']],
    ['안녕하세요', ['안', '녕', '하', '세', '요']],
    ['中A文123', ['中', 'A', '文', '123']],
    ["'quoted' words", ['quoted', 'words']],
    ['Привет, мир', ['Привет', 'мир']],
    ['...!?', []],
    ['', []],
  ] as const)('%j', (text, expected) => {
    expect(words(text)).toEqual(expected);
  });

  it('gives code-point offsets, end exclusive', () => {
    expect(wordSpans('𠀀好 ok')).toEqual([
      { begin: 0, end: 1 },
      { begin: 1, end: 2 },
      { begin: 3, end: 5 },
    ]);
  });
});

describe('sentenceWords', () => {
  it('places words proportionally to counted characters from the sentence start', () => {
    // "Hi 你" : H,i = 1 each; space 1; 你 = 2 → 5 counted characters at 100 ms.
    expect(sentenceWords('Hi 你', 1_000, 100)).toEqual([
      { text: 'Hi', begin_index: 0, end_index: 2, begin_time: 1_000, end_time: 1_200 },
      { text: '你', begin_index: 3, end_index: 4, begin_time: 1_300, end_time: 1_500 },
    ]);
  });

  it('shifts words after a pause by its length, and never before it', () => {
    const result = sentenceWords('ab cd', 0, 10, [{ offset: 3, ms: 500 }]);
    expect(result.map((w) => [w.begin_time, w.end_time])).toEqual([
      [0, 20],
      [530, 550],
    ]);
    expect(sentenceDurationMs('ab cd', 10, [{ offset: 3, ms: 500 }])).toBe(550);
  });

  it('rounds to whole milliseconds and stays monotonic and within the sentence audio', () => {
    const text = "It's a fine day, 今天天气很好, isn't it?";
    const msPerChar = 75 / 1.3;
    const start = 12_345.678;
    const list = sentenceWords(text, start, msPerChar);
    const end = start + sentenceDurationMs(text, msPerChar);
    let last = Math.round(start);
    for (const w of list) {
      expect(Number.isInteger(w.begin_time) && Number.isInteger(w.end_time)).toBe(true);
      expect(w.begin_time).toBeGreaterThanOrEqual(last);
      expect(w.end_time).toBeGreaterThan(w.begin_time);
      last = w.end_time;
    }
    expect(last).toBeLessThanOrEqual(Math.round(end));
  });

  it('treats a pause past the end as trailing silence', () => {
    expect(sentenceWords('ok', 0, 10, [{ offset: 99, ms: 1_000 }])).toEqual([
      { text: 'ok', begin_index: 0, end_index: 2, begin_time: 0, end_time: 20 },
    ]);
    expect(sentenceDurationMs('ok', 10, [{ offset: 99, ms: 1_000 }])).toBe(1_020);
  });
});
