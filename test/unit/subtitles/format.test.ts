import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  checkSubtitleOptions,
  renderSubtitles,
  subtitleFormatFor,
  supportsKaraoke,
  type SubtitleFormat,
} from '../../../src/subtitles/format.js';
import { timedSentences } from './fixtures.js';

describe('subtitleFormatFor', () => {
  it.each([
    ['out.srt', 'srt'],
    ['dir.v2/out.vtt', 'vtt'],
    ['SONG.LRC', 'lrc'],
    ['/tmp/x.subs.json', 'json'],
  ] as const)('%s → %s', (path, format) => {
    expect(subtitleFormatFor(path)).toBe(format);
  });

  it.each([
    ['out.txt', '--subtitles out.txt has the extension .txt: expected .srt, .vtt, .lrc or .json'],
    ['subtitles', '--subtitles subtitles has no extension: expected .srt, .vtt, .lrc or .json'],
    ['a.srt.bak', '--subtitles a.srt.bak has the extension .bak: expected .srt, .vtt, .lrc or .json'],
    ['x.toString', '--subtitles x.toString has the extension .tostring: expected .srt, .vtt, .lrc or .json'],
  ])('rejects %s', (path, message) => {
    expect(() => subtitleFormatFor(path)).toThrow(UsageError);
    expect(() => subtitleFormatFor(path)).toThrow(message);
  });
});

describe('checkSubtitleOptions', () => {
  it.each([
    ['srt', { maxCueChars: 0 }, '--max-cue-chars 0 is out of range: expected an integer from 1'],
    ['vtt', { wordsPerCue: 1.5 }, '--words-per-cue 1.5 is out of range: expected an integer from 1'],
    ['srt', { karaoke: true }, '--karaoke needs a .vtt or .lrc subtitle file, not .srt'],
    ['json', { karaoke: true }, '--karaoke needs a .vtt or .lrc subtitle file, not .json'],
  ] as const)('%s %j: %s', (format, options, message) => {
    expect(() => checkSubtitleOptions(format, options)).toThrow(message);
  });

  it.each([
    ['vtt', { karaoke: true, wordsPerCue: 3 }],
    ['lrc', { karaoke: true, maxCueChars: 30 }],
    ['json', { maxCueChars: 10 }],
  ] as const)('accepts %s %j', (format, options) => {
    expect(() => checkSubtitleOptions(format, options)).not.toThrow();
  });

  it.each([
    ['srt', false],
    ['vtt', true],
    ['lrc', true],
    ['json', false],
  ] as const)('supportsKaraoke(%s) is %s', (format, expected) => {
    expect(supportsKaraoke(format)).toBe(expected);
  });
});

describe('renderSubtitles', () => {
  const doc = { sentences: timedSentences(['Hi there.']), durationMs: 1_000 };

  it.each([
    ['srt', '1\n00:00:00,000 --> 00:00:00,800\nHi there.\n'],
    ['vtt', 'WEBVTT\n\n00:00:00.000 --> 00:00:00.800\nHi there.\n'],
    ['lrc', '[00:00.00]Hi there.\n[00:00.80]\n'],
    ['json', /^\{\n {2}"version": 1,\n {2}"duration_ms": 1000,/],
  ] as Array<[SubtitleFormat, string | RegExp]>)('renders %s', (format, expected) => {
    const out = renderSubtitles(format, doc);
    if (typeof expected === 'string') expect(out).toBe(expected);
    else expect(out).toMatch(expected);
  });

  it('checks the options first', () => {
    expect(() => renderSubtitles('srt', doc, { karaoke: true })).toThrow(UsageError);
  });
});
