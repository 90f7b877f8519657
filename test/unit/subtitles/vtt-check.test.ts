import { describe, expect, it } from 'vitest';
import { checkVtt, parseVttTimestamp } from '../../../src/subtitles/vtt-check.js';

/** Lines joined into a file. */
const file = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('checkVtt accepts', () => {
  it.each([
    ['a minimal file', 'WEBVTT\n'],
    ['a header text and a BOM', '\uFEFFWEBVTT - cosy\n\n00:00.000 --> 00:01.000\nhi\n'],
    ['CRLF line ends', 'WEBVTT\r\n\r\n00:00:00.000 --> 00:00:01.000\r\nhi\r\n'],
    [
      'identifiers, settings, notes, styles, tags and references',
      file(
        'WEBVTT',
        '',
        'STYLE',
        '::cue { color: yellow }',
        '',
        'NOTE written by hand',
        '',
        'intro',
        '00:00:00.500 --> 00:00:02.000 align:start line:0',
        '<v Roger>Hi &amp; <i>bye</i> <00:00:01.000>now &lt;3',
        '<c.loud>second</c> line <00:00:01.500>x',
        '',
        '',
        '00:00:02.000 --> 01:00:00.000',
        'later',
      ),
    ],
  ])('%s', (_name, text) => {
    expect(checkVtt(text)).toEqual([]);
  });

  it('accepts overlapping cues when told to', () => {
    const text = file('WEBVTT', '', '00:00.000 --> 00:02.000', 'a', '', '00:01.000 --> 00:03.000', 'b');
    expect(checkVtt(text, { allowOverlap: true })).toEqual([]);
    expect(checkVtt(text)).toEqual([{ line: 6, message: 'cue overlaps the previous cue' }]);
  });
});

describe('checkVtt rejects', () => {
  const cue = (timing: string, ...payload: string[]): string => file('WEBVTT', '', timing, ...payload);
  it.each([
    ['no header', file('00:00.000 --> 00:01.000', 'hi'), 1, 'the file must start with WEBVTT'],
    ['a wrong header', file('WEBVTTX', ''), 1, 'the file must start with WEBVTT'],
    ['a cue inside the header', file('WEBVTT', '00:00.000 --> 00:01.000', 'hi'), 2, 'a blank line must end the header'],
    ['SRT commas', cue('00:00:00,000 --> 00:00:01,000', 'hi'), 3, 'malformed timestamp in "00:00:00,000 --> 00:00:01,000"'],
    ['60 minutes', cue('00:60:00.000 --> 01:00:01.000', 'hi'), 3, 'malformed timestamp in "00:60:00.000 --> 01:00:01.000"'],
    ['two-digit milliseconds', cue('00:00.00 --> 00:01.000', 'hi'), 3, 'malformed timestamp in "00:00.00 --> 00:01.000"'],
    ['a missing arrow', cue('00:00.000 00:01.000', 'hi'), 4, 'expected cue timings "start --> end"'],
    ['an identifier without timings', file('WEBVTT', '', 'id', 'hi'), 4, 'expected cue timings "start --> end"'],
    ['start equal to end', cue('00:01.000 --> 00:01.000', 'hi'), 3, 'cue start must be before its end'],
    ['start after end', cue('00:02.000 --> 00:01.000', 'hi'), 3, 'cue start must be before its end'],
    ['an unknown setting', cue('00:00.000 --> 00:01.000 colour:red', 'hi'), 3, 'unknown cue setting "colour:red"'],
    ['an arrow in the payload', cue('00:00.000 --> 00:01.000', 'a --> b'), 4, 'a cue payload must not contain "-->"'],
    ['an unescaped ampersand', cue('00:00.000 --> 00:01.000', 'fish & chips'), 4, 'unescaped "&" at column 6'],
    ['an unknown tag', cue('00:00.000 --> 00:01.000', '<x>hi'), 4, 'unknown tag <x>'],
    ['an unclosed tag', cue('00:00.000 --> 00:01.000', 'a <b'), 4, 'unclosed tag at column 3'],
    ['a tag at the cue start', cue('00:00.000 --> 00:01.000', '<00:00.000>hi'), 4, 'timestamp tag <00:00.000> outside its cue'],
    ['a tag at the cue end', cue('00:00.000 --> 00:01.000', 'a <00:01.000>b'), 4, 'timestamp tag <00:01.000> outside its cue'],
    ['a tag after the cue', cue('00:00.000 --> 00:01.000', 'a <00:00:05.000>b'), 4, 'timestamp tag <00:00:05.000> outside its cue'],
    ['tags going backwards', cue('00:00.000 --> 00:01.000', 'a <00:00.600>b <00:00.500>c'), 4, 'timestamp tag <00:00.500> not after the previous one'],
    ['a malformed tag time', cue('00:00.000 --> 00:01.000', 'a <00:00.5>b'), 4, 'unknown tag <00:00.5>'],
  ])('%s', (_name, text, line, message) => {
    expect(checkVtt(text)).toEqual([{ line, message }]);
  });

  it('rejects cues out of order and a STYLE after a cue', () => {
    const text = file(
      'WEBVTT',
      '',
      '00:05.000 --> 00:06.000',
      'b',
      '',
      '00:01.000 --> 00:02.000',
      'a',
      '',
      'STYLE',
      '::cue {}',
    );
    expect(checkVtt(text)).toEqual([
      { line: 6, message: 'cue starts before the previous cue' },
      { line: 9, message: 'STYLE after the first cue' },
    ]);
  });
});

describe('parseVttTimestamp', () => {
  it.each([
    ['00:00.000', 0],
    ['01:02.003', 62_003],
    ['01:00:00.001', 3_600_001],
    ['123:00:00.000', 442_800_000],
    ['1:00.000', undefined],
    ['00:00:60.000', undefined],
    ['00:00.0000', undefined],
  ])('%s → %s', (text, ms) => {
    expect(parseVttTimestamp(text)).toBe(ms);
  });
});
