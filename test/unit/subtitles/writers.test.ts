import { describe, expect, it } from 'vitest';
import type { SubtitleDocument } from '../../../src/subtitles/types.js';
import { writeJson } from '../../../src/subtitles/writers/json.js';
import { writeLrc } from '../../../src/subtitles/writers/lrc.js';
import { writeSrt } from '../../../src/subtitles/writers/srt.js';
import { escapeVtt, writeVtt } from '../../../src/subtitles/writers/vtt.js';
import { checkVtt } from '../../../src/subtitles/vtt-check.js';

/** Two sentences, the second after a pause of 1.5 s and past the one-hour mark, with characters to escape. */
const doc: SubtitleDocument = {
  durationMs: 3_605_000,
  sentences: [
    {
      index: 0,
      text: 'Hello, World!',
      begin: 80,
      end: 1_200,
      words: [
        { text: 'Hello', begin: 80, end: 500 },
        { text: 'World', begin: 620, end: 1_200 },
      ],
    },
    {
      index: 1,
      text: 'Fish & <chips> — 你好。',
      begin: 3_601_234,
      end: 3_604_321,
      words: [
        { text: 'Fish', begin: 3_601_234, end: 3_601_700 },
        { text: 'chips', begin: 3_602_000, end: 3_602_900 },
        { text: '你', begin: 3_603_000, end: 3_603_500 },
        { text: '好', begin: 3_603_600, end: 3_604_321 },
      ],
    },
  ],
};

describe('writeSrt', () => {
  it('numbers cues with comma milliseconds', () => {
    expect(writeSrt(doc)).toBe(
      [
        '1',
        '00:00:00,080 --> 00:00:01,200',
        'Hello, World!',
        '',
        '2',
        '01:00:01,234 --> 01:00:04,321',
        'Fish & <chips> — 你好。',
        '',
      ].join('\n'),
    );
  });

  it('writes nothing for no sentences', () => {
    expect(writeSrt({ sentences: [], durationMs: 0 })).toBe('');
  });
});

describe('writeVtt', () => {
  it('writes the header and escaped cues', () => {
    const vtt = writeVtt(doc);
    expect(vtt).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.080 --> 00:00:01.200',
        'Hello, World!',
        '',
        '01:00:01.234 --> 01:00:04.321',
        'Fish &amp; &lt;chips&gt; — 你好。',
        '',
      ].join('\n'),
    );
    expect(checkVtt(vtt)).toEqual([]);
  });

  it('emits a timestamp tag before every word after the first in karaoke mode', () => {
    const vtt = writeVtt(doc, { karaoke: true });
    expect(vtt).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.080 --> 00:00:01.200',
        'Hello, <00:00:00.620>World!',
        '',
        '01:00:01.234 --> 01:00:04.321',
        'Fish &amp; <01:00:02.000>&lt;chips&gt; — <01:00:03.000>你<01:00:03.600>好。',
        '',
      ].join('\n'),
    );
    expect(checkVtt(vtt)).toEqual([]);
  });

  it('passes the cue options on', () => {
    expect(writeVtt(doc, { wordsPerCue: 1, karaoke: true }).split('\n').slice(2, 9)).toEqual([
      '00:00:00.080 --> 00:00:00.620',
      'Hello,',
      '',
      '00:00:00.620 --> 00:00:01.200',
      'World!',
      '',
      '01:00:01.234 --> 01:00:02.000',
    ]);
  });

  it('writes only the header for no sentences', () => {
    expect(writeVtt({ sentences: [], durationMs: 0 })).toBe('WEBVTT\n');
    expect(checkVtt('WEBVTT\n')).toEqual([]);
  });

  it.each([
    ['a & b', 'a &amp; b'],
    ['<i>x</i> --> y', '&lt;i&gt;x&lt;/i&gt; --&gt; y'],
    ['plain', 'plain'],
  ])('escapes %j', (text, expected) => {
    expect(escapeVtt(text)).toBe(expected);
  });
});

describe('writeLrc', () => {
  it('writes a line per cue, clearing the display after a long pause and at the end', () => {
    expect(writeLrc(doc)).toBe(
      ['[00:00.08]Hello, World!', '[00:01.20]', '[60:01.23]Fish & <chips> — 你好。', '[60:04.32]', ''].join('\n'),
    );
  });

  it('does not clear the display between cues less than a second apart', () => {
    expect(writeLrc(doc, { wordsPerCue: 1 }).split('\n').slice(0, 3)).toEqual([
      '[00:00.08]Hello,',
      '[00:00.62]World!',
      '[00:01.20]',
    ]);
  });

  it('writes enhanced-LRC word tags in karaoke mode', () => {
    expect(writeLrc(doc, { karaoke: true })).toBe(
      [
        '[00:00.08]<00:00.08>Hello, <00:00.62>World!<00:01.20>',
        '[00:01.20]',
        '[60:01.23]<60:01.23>Fish & <60:02.00><chips> — <60:03.00>你<60:03.60>好。<60:04.32>',
        '[60:04.32]',
        '',
      ].join('\n'),
    );
  });
});

describe('writeJson', () => {
  it('writes sentences with words, times in ms and the original text', () => {
    const json = writeJson({ sentences: doc.sentences.slice(0, 1), durationMs: 1_500.9 });
    expect(json).toBe(
      `${JSON.stringify(
        {
          version: 1,
          duration_ms: 1_500,
          sentences: [
            {
              index: 0,
              text: 'Hello, World!',
              begin_ms: 80,
              end_ms: 1_200,
              words: [
                { text: 'Hello', begin_ms: 80, end_ms: 500 },
                { text: 'World', begin_ms: 620, end_ms: 1_200 },
              ],
            },
          ],
        },
        null,
        2,
      )}\n`,
    );
    expect(json.split('\n').slice(0, 9)).toEqual([
      '{',
      '  "version": 1,',
      '  "duration_ms": 1500,',
      '  "sentences": [',
      '    {',
      '      "index": 0,',
      '      "text": "Hello, World!",',
      '      "begin_ms": 80,',
      '      "end_ms": 1200,',
    ]);
  });
});
