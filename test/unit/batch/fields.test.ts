import { describe, expect, it } from 'vitest';
import { parseFields } from '../../../src/batch/fields.js';

describe('parseFields', () => {
  it('types every field, from JSON values and from CSV strings alike', () => {
    const fromJson = parseFields({ id: 7, text: 'Hi', sample_rate: 16000, volume: 60, rate: 1.2, markdown_filter: true, format: 'WAV', seed: 3 });
    const fromCsv = parseFields({ id: '7', text: 'Hi', 'sample-rate': '16000', volume: '60', rate: ' 1.2 ', markdown_filter: 'yes', format: 'wav', seed: '3' });
    const expected = { id: '7', text: 'Hi', sampleRate: 16000, volume: 60, rate: 1.2, markdownFilter: true, format: 'wav', seed: 3 };
    expect(fromJson).toEqual({ ok: true, fields: expected });
    expect(fromCsv).toEqual({ ok: true, fields: expected });
  });

  it('takes rate and pitch as changes in percent too', () => {
    expect(parseFields({ rate: '-10%', pitch: '+25%' })).toEqual({ ok: true, fields: { rate: 0.9, pitch: 1.25 } });
  });

  it('treats null and empty CSV cells as absent, but keeps an empty text (an error later)', () => {
    expect(parseFields({ text: '', voice: null, volume: '', aigc_tag: '', id: ' ' })).toEqual({ ok: true, fields: { text: '' } });
  });

  it.each<[Record<string, string | number | boolean | null>, string]>([
    [{ subtitles: 'a.srt' }, '"subtitles" must be one of srt, vtt, lrc, json, none, not "a.srt"'],
    [{ subtitle: 'srt' }, 'unknown field "subtitle" (did you mean "subtitles"?)'],
    [{ txt: 'Hi' }, 'unknown field "txt" (did you mean "text"?); fields are'],
    [{ constructor: 'x' }, 'unknown field "constructor"'],
    [{ toString: 'x' }, 'unknown field "toString"'],
    [{ volume: 'loud' }, '"volume" must be a number, not "loud"'],
    [{ sample_rate: 22050.5 }, '"sample_rate" must be a whole number, not 22050.5'],
    [{ markdown_filter: 'maybe' }, '"markdown_filter" must be true or false, not "maybe"'],
    [{ format: 'flac' }, '"format" must be one of pcm, wav, mp3, opus, not "flac"'],
    [{ id: 'a\u0007b' }, '"id" contains a control character'],
    [{ id: 1.5 }, '"id" must be a string or a whole number, not 1.5'],
    [{ text: 5 }, '"text" must be a string, not 5'],
    [{ volume: true }, '"volume" must be a number, not true'],
    [{ rate: 'fast' }, '"rate" must be a multiplier such as 1.1 or a signed change in percent such as "-10%", not "fast"'],
    [{ pitch: true }, '"pitch" must be a multiplier such as 1.1 or a signed change in percent such as "-10%", not true'],
    [{ text: 'a', TEXT: 'b' }, 'field "text" is given twice'],
  ])('rejects %j', (values, message) => {
    const result = parseFields(values);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toContain(message);
  });
});
