import { describe, expect, it } from 'vitest';
import { planTasks, sentences, splitGraphemes, splitText } from '../../../src/text/split-text.js';
import { countCharacters } from '../../../src/protocol/counting.js';

function checkGuarantees(text: string, max: number): string[] {
  const parts = splitText(text, max);
  expect(parts.join('')).toBe(text);
  for (const p of parts) {
    expect(countCharacters(p)).toBeLessThanOrEqual(max);
    expect(p.length).toBeGreaterThan(0);
    // never a lone surrogate at either edge
    expect(/^[\uDC00-\uDFFF]/.test(p)).toBe(false);
    expect(/[\uD800-\uDBFF]$/.test(p)).toBe(false);
  }
  return parts;
}

describe('sentences', () => {
  it.each([
    ['Hello there. How are you? Fine!', ['Hello there. ', 'How are you? ', 'Fine!']],
    ['你好。今天天气怎么样？很好！', ['你好。', '今天天气怎么样？', '很好！']],
    ['Pi is 3.14 today. Yes', ['Pi is 3.14 today. ', 'Yes']],
    ['He said "stop." Then left.', ['He said "stop." ', 'Then left.']],
    ['line one\nline two', ['line one\n', 'line two']],
    ['Wait... what?! OK', ['Wait... ', 'what?! ', 'OK']],
  ])('%j', (text, expected) => {
    expect(sentences(text)).toEqual(expected);
    expect(sentences(text).join('')).toBe(text);
  });
});

describe('splitText', () => {
  it('returns short text unchanged as one message', () => {
    expect(splitText('Hello.', 2000)).toEqual(['Hello.']);
    expect(splitText('', 2000)).toEqual([]);
  });

  it('packs whole sentences up to the limit', () => {
    expect(checkGuarantees('aaaa. bbbb. cccc. dddd.', 12)).toEqual(['aaaa. bbbb. ', 'cccc. dddd.']);
  });

  it('counts Han ideographs twice when packing', () => {
    // each sentence is 3 ideographs + 。 = 7 counted
    expect(checkGuarantees('一二三。四五六。七八九。', 14)).toEqual(['一二三。四五六。', '七八九。']);
  });

  it('cuts an over-long sentence at clause punctuation, then whitespace', () => {
    const parts = checkGuarantees('alpha beta, gamma delta, epsilon zeta eta theta iota kappa', 20);
    expect(parts[0]).toBe('alpha beta,');
    expect(checkGuarantees('alpha, beta gamma delta epsilon zeta', 20)[0]).toBe('alpha, beta gamma ');
    const noPunct = checkGuarantees('one two three four five six seven eight nine ten', 15);
    for (const p of noPunct.slice(0, -1)) expect(p.endsWith(' ')).toBe(true);
  });

  it('never splits a surrogate pair, an emoji sequence or a combining mark', () => {
    const emoji = '👩‍👩‍👧‍👦'.repeat(10);
    const parts = checkGuarantees(emoji, 8);
    for (const p of parts) expect(p).toBe('👩‍👩‍👧‍👦'.repeat([...new Intl.Segmenter().segment(p)].length));
    checkGuarantees('e\u0301'.repeat(50), 5);
    checkGuarantees('😀'.repeat(101), 7);
  });

  it('keeps every character of a large mixed document, within the limit', () => {
    const unit = 'The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸跳过了懒狗。😀 Ünïcödé, ok? ';
    const text = unit.repeat(400);
    const parts = checkGuarantees(text, 2000);
    expect(parts.length).toBeGreaterThan(10);
    for (const p of parts.slice(0, -1)) expect(countCharacters(p)).toBeGreaterThan(1800);
  });

  it('handles a text without any boundary by cutting at graphemes', () => {
    const parts = checkGuarantees('中'.repeat(2500), 2000);
    expect(parts.map(countCharacters)).toEqual([2000, 2000, 1000]);
  });
});

describe('planTasks', () => {
  it('groups messages so no task exceeds the per-task limit', () => {
    const messages = Array.from({ length: 250 }, () => 'x'.repeat(2000));
    const tasks = planTasks(messages, 200_000);
    expect(tasks.map((t) => t.length)).toEqual([100, 100, 50]);
    expect(tasks.flat()).toEqual(messages);
  });

  it('puts a short text in one task', () => {
    expect(planTasks(['a', 'b'])).toEqual([['a', 'b']]);
  });
});

describe('splitGraphemes', () => {
  it('agrees with Intl.Segmenter across block boundaries', () => {
    const pieces = ['a', 'e\u0301', '👩‍👩‍👧‍👦', '中', '\r\n', '🇨🇳', '한', ' ', 'x\u0308\u0301', '。'];
    let text = '';
    for (let i = 0; i < 3000; i++) text += pieces[(i * 7) % pieces.length];
    const reference = Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (s) => s.segment);
    expect(splitGraphemes(text)).toEqual(reference);
  });

  it('agrees with Intl.Segmenter where single characters take the fast path and where they do not', () => {
    const pieces = ['a', ' ', '中', '\r', '\n', '\u0301', '\u200d', '👍', '\ufe0f', 'é', '한', '\u0600', '𠀀', '。', '.', '🇨', '🇳'];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    for (let round = 0; round < 500; round++) {
      let text = '';
      for (let i = 0, n = 1 + random(40); i < n; i++) text += pieces[random(pieces.length)];
      expect(splitGraphemes(text), JSON.stringify(text)).toEqual(Array.from(segmenter.segment(text), (x) => x.segment));
    }
  });

  it('is fast on long text (linear, not quadratic)', () => {
    const text = 'Fifty characters of plain English text, more or less. '.repeat(4000);
    const t = performance.now();
    expect(splitGraphemes(text).length).toBe(text.length);
    expect(performance.now() - t).toBeLessThan(5000);
  });
});
