import { describe, expect, it } from 'vitest';
import { breakPieces, buildCues } from '../../../src/subtitles/cues.js';
import { displayLength } from '../../../src/subtitles/text-classes.js';
import type { Cue, Sentence } from '../../../src/subtitles/types.js';
import { timedSentence, timedSentences } from './fixtures.js';

/** The texts of the cues of one sentence. */
function cueTexts(text: string, options: Parameters<typeof buildCues>[1] = {}): string[] {
  return buildCues([timedSentence(0, text)], options).map((c) => c.text);
}

/** Checks the guarantees every cue list keeps. */
function checkCues(cues: readonly Cue[], durationMs = Infinity): void {
  let previousEnd = 0;
  for (const cue of cues) {
    expect(Number.isInteger(cue.begin) && Number.isInteger(cue.end)).toBe(true);
    expect(cue.begin).toBeGreaterThanOrEqual(previousEnd);
    expect(cue.end).toBeGreaterThan(cue.begin);
    expect(cue.end).toBeLessThanOrEqual(durationMs);
    expect(cue.pieces.map((p) => p.text).join('')).toBe(cue.text);
    expect(cue.text).toBe(cue.text.trim());
    expect(cue.text).not.toMatch(/\n|\s{2}/);
    for (const p of cue.pieces) {
      expect(p.begin).toBeGreaterThanOrEqual(cue.begin);
      expect(p.end).toBeLessThanOrEqual(cue.end);
    }
    previousEnd = cue.end;
  }
}

describe('buildCues: one sentence per cue when it fits', () => {
  it.each([
    ['Hello there.', ['Hello there.']],
    ['  Spaces   around\nand inside.  ', ['Spaces around and inside.']],
    ['“Quoted,” she said — twice!', ['“Quoted,” she said — twice!']],
    ['你好，世界。', ['你好，世界。']],
    ['We visited 北京 and 上海 last summer.', ['We visited 北京 and 上海 last summer.']], // mostly Latin: 32 > 20 is fine
    ['I went to the market, then home.', ['I went to the market, then home.']],
  ])('%j', (text, expected) => {
    const cues = buildCues([timedSentence(0, text)]);
    expect(cues.map((c) => c.text)).toEqual(expected);
    checkCues(cues);
  });

  it('times a cue from its first word to its last', () => {
    const [cue] = buildCues([timedSentence(0, '"Hi, you."', 1_000)]);
    // "Hi" is code points 1..3, "you" 5..8, at 100 ms each from 1 s.
    expect(cue).toMatchObject({ text: '"Hi, you."', begin: 1_100, end: 1_800 });
  });
});

describe('buildCues: longer sentences', () => {
  it.each([
    [
      'breaks a Latin sentence after its comma',
      'I went to the market yesterday morning, and bought fresh bread and cheese.',
      ['I went to the market yesterday morning,', 'and bought fresh bread and cheese.'],
    ],
    [
      'breaks CJK text by characters, after its comma, at 20 characters',
      '今天天气很好，我们一起去公园散步吧，然后去吃晚饭好不好？',
      ['今天天气很好，我们一起去公园散步吧，', '然后去吃晚饭好不好？'],
    ],
    [
      'decides by script: mostly-CJK mixed text uses the CJK limit and keeps Latin words whole',
      '我今天用iPhone拍了很多照片，然后发给了我的朋友们看看。',
      ['我今天用iPhone拍了很多照片，', '然后发给了我的朋友们看看。'],
    ],
    [
      'balances CJK text without punctuation',
      '一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十',
      ['一二三四五六七八九十一二三四五', '六七八九十一二三四五六七八九十'],
    ],
    [
      'keeps hyphenated and numeric words whole',
      'The forty-two participants measured 3.14 centimetres of rain in twenty-four hours.',
      ['The forty-two participants measured 3.14', 'centimetres of rain in twenty-four hours.'],
    ],
    [
      'keeps an opening quote with the word after it',
      'After a long silence he finally said "enough of this nonsense" and left.',
      ['After a long silence he finally said', '"enough of this nonsense" and left.'],
    ],
  ])('%s', (_name, text, expected) => {
    const cues = buildCues([timedSentence(0, text)]);
    expect(cues.map((c) => c.text)).toEqual(expected);
    checkCues(cues);
  });

  it('splits a very long sentence into cues of whole words, none over the limit', () => {
    const words = Array.from({ length: 120 }, (_, i) => ['alpha', 'beta', 'gamma', 'delta', 'epsilon'][i % 5] ?? '');
    const text = `${words.join(' ')}.`;
    const cues = buildCues([timedSentence(0, text)]);
    checkCues(cues);
    expect(cues.map((c) => c.text).join(' ')).toBe(text);
    for (const cue of cues) {
      expect(displayLength(cue.text)).toBeLessThanOrEqual(42);
      for (const w of cue.text.replace(/\.$/, '').split(' ')) expect(words).toContain(w);
    }
    expect(cues.length).toBe(Math.ceil(text.length / 42));
  });

  it('never splits a word longer than the limit, and splits around it', () => {
    const url = 'https://example.com/a/very/long/path/that/goes/on/and/on.html';
    expect(cueTexts(`Visit ${url} today.`)).toEqual(['Visit', url, 'today.']);
  });

  it.each([
    [10, 'one two three four five six', ['one two', 'three four', 'five six']],
    [100, '今天天气很好，我们一起去公园散步吧，然后去吃晚饭好不好？', ['今天天气很好，我们一起去公园散步吧，然后去吃晚饭好不好？']],
    [5, '今天天气很好，我们', ['今天天气', '很好，我们']],
  ])('--max-cue-chars %d applies to every script', (max, text, expected) => {
    expect(cueTexts(text, { maxCueChars: max })).toEqual(expected);
  });

  it('joins cues of one sentence end to start, and ends the last at its last word', () => {
    const cues = buildCues([timedSentence(0, 'one two three four five six')], { maxCueChars: 10 });
    expect(cues.map((c) => [c.begin, c.end])).toEqual([
      [0, 800],
      [800, 1_900],
      [1_900, 2_700],
    ]);
  });

  it('times a sentence without words by estimate, in proportion to its characters', () => {
    const sentence: Sentence = { index: 0, text: 'aaaa bbbb, cccc dddd', begin: 1_000, end: 2_600, words: [] };
    const cues = buildCues([sentence], { maxCueChars: 10 });
    expect(cues.map((c) => [c.text, c.begin, c.end])).toEqual([
      // 9 of 17 non-space characters: 1000 + 1600 × 9 / 17 = 1847.06
      ['aaaa bbbb,', 1_000, 1_847],
      ['cccc dddd', 1_847, 2_600],
    ]);
  });
});

describe('buildCues: punctuation-only tokens', () => {
  /** A sentence whose service words include punctuation tokens. */
  const withTokens: Sentence = {
    index: 0,
    text: 'Wait -- what? …',
    begin: 0,
    end: 1_500,
    words: [
      { text: 'Wait', begin: 0, end: 400 },
      { text: '--', begin: 400, end: 600 },
      { text: 'what', begin: 600, end: 1_000 },
      { text: '?', begin: 1_000, end: 1_100 },
      { text: '…', begin: 1_100, end: 1_500 },
    ],
  };

  it('attaches them to the word before, so they never start or fill a cue', () => {
    expect(buildCues([withTokens], { wordsPerCue: 1 }).map((c) => [c.text, c.begin, c.end])).toEqual([
      ['Wait --', 0, 600],
      ['what? …', 600, 1_500],
    ]);
  });

  it('attaches a leading one to the word after it', () => {
    const s: Sentence = { index: 0, text: '¿Qué tal?', begin: 0, end: 900, words: [{ text: '¿', begin: 0, end: 100 }, { text: 'Qué', begin: 100, end: 400 }, { text: 'tal', begin: 500, end: 900 }] };
    expect(buildCues([s], { wordsPerCue: 1 }).map((c) => c.text)).toEqual(['¿Qué', 'tal?']);
  });

  it('drops a punctuation-only sentence', () => {
    const cues = buildCues(timedSentences(['Hello.', '……', 'Bye.']));
    expect(cues.map((c) => c.text)).toEqual(['Hello.', 'Bye.']);
    checkCues(cues);
  });
});

describe('buildCues: karaoke', () => {
  it('--words-per-cue N cuts each sentence into N words per cue, never across sentences', () => {
    const cues = buildCues(timedSentences(['Hello there, how are you?', '我很好。']), { wordsPerCue: 2 });
    expect(cues.map((c) => c.text)).toEqual(['Hello there,', 'how are', 'you?', '我很', '好。']);
    checkCues(cues);
  });

  it('gives each cue its words as timed pieces that join to its text', () => {
    const [cue] = buildCues([timedSentence(0, 'Hello there, you.')]);
    expect(cue?.pieces).toEqual([
      { text: 'Hello ', begin: 0, end: 500 },
      { text: 'there, ', begin: 600, end: 1_100 },
      { text: 'you.', begin: 1_300, end: 1_600 },
    ]);
  });
});

describe('buildCues: times', () => {
  it('never ends a cue after the audio; a cue left without time joins the one before', () => {
    // "five six" would start at 1900 ms, when the audio (1900.7 ms, rounded down) has ended.
    const cues = buildCues([timedSentence(0, 'one two three four five six')], { maxCueChars: 10, durationMs: 1_900.7 });
    expect(cues.map((c) => [c.text, c.begin, c.end])).toEqual([
      ['one two', 0, 800],
      ['three four five six', 800, 1_900],
    ]);
    checkCues(cues, 1_900);
  });

  it('drops what starts after the audio ends', () => {
    const cues = buildCues(timedSentences(['First one.', 'Second one.']), { durationMs: 1_000 });
    expect(cues.map((c) => [c.text, c.begin, c.end])).toEqual([['First one.', 0, 900]]);
  });

  it('makes overlapping, backwards and fractional times monotonic whole milliseconds', () => {
    const a = timedSentence(0, 'First sentence here.', 0, 100.4);
    const b = timedSentence(1, 'Second starts too early.', 1_000, 99.6);
    const cues = buildCues([a, b]);
    expect(cues.map((c) => [c.begin, c.end])).toEqual([
      [0, 1_908], // "here" ends at 19 × 100.4
      [1_908, 3_291], // "early" ends at 1000 + 23 × 99.6
    ]);
    checkCues(cues);
  });

  it('keeps every guarantee over many random sentences', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const vocabulary = ['word', 'longerword', '你', '好', 'x', '—', ',', 'don’t', '3.14', '“q”', 'iPhone'];
    const texts = Array.from({ length: 60 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 30) }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(random() < 0.5 ? ' ' : ''),
    );
    const sentences = timedSentences(texts, 37.3, 50);
    const durationMs = 0.8 * (sentences[sentences.length - 1]?.end ?? 0);
    for (const options of [{}, { maxCueChars: 12 }, { wordsPerCue: 3 }]) {
      checkCues(buildCues(sentences, { ...options, durationMs }), Math.floor(durationMs));
    }
  });
});

describe('breakPieces', () => {
  it('uses the fewest cues, then the cheapest breaks', () => {
    const pieces = ['aaaa ', 'bbbb. ', 'cc ', 'dddd'].map((text) => ({ text, begin: 0, end: 0 }));
    expect(breakPieces(pieces, 12).map((g) => g.map((p) => p.text).join(''))).toEqual(['aaaa bbbb. ', 'cc dddd']);
    expect(breakPieces(pieces, 100)).toHaveLength(1);
    expect(breakPieces([], 10)).toEqual([]);
  });
});
