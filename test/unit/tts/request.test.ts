import { describe, expect, it } from 'vitest';
import { buildRequest, parseHotFix, type SynthesisOptions } from '../../../src/tts/request.js';
import { UsageError } from '../../../src/errors.js';

const base: SynthesisOptions = { model: 'cosyvoice-v3-flash', voice: 'longanyang', format: 'mp3', region: 'cn' };

describe('buildRequest', () => {
  it('sends explicit values for format, sample rate, volume, rate and pitch', () => {
    const r = buildRequest(base);
    expect(r.parameters).toEqual({
      text_type: 'PlainText',
      voice: 'longanyang',
      format: 'mp3',
      sample_rate: 22050,
      volume: 50,
      rate: 1,
      pitch: 1,
    });
    expect(r.warnings).toEqual([]);
  });

  it('maps every optional parameter to its wire name', () => {
    const r = buildRequest({
      ...base,
      format: 'opus',
      sampleRate: 48000,
      volume: 80,
      rate: 1.5,
      pitch: 0.8,
      bitRate: 64,
      seed: 42,
      language: 'en',
      instruction: '你说话的情感是happy。',
      markdownFilter: true,
      hotFix: { pronunciation: [{ 行: 'hang2' }] },
      aigcTag: true,
      aigcPropagator: 'me',
      aigcPropagateId: 'req1',
      wordTimestamps: true,
      ssml: true,
    });
    expect(r.parameters).toMatchObject({
      format: 'opus',
      sample_rate: 48000,
      volume: 80,
      rate: 1.5,
      pitch: 0.8,
      bit_rate: 64,
      seed: 42,
      language_hints: ['en'],
      instruction: '你说话的情感是happy。',
      enable_markdown_filter: true,
      hot_fix: { pronunciation: [{ 行: 'hang2' }] },
      enable_aigc_tag: true,
      aigc_propagator: 'me',
      aigc_propagate_id: 'req1',
      word_timestamp_enabled: true,
      enable_ssml: true,
    });
    expect(r.warnings).toEqual([]);
  });

  it('defaults opus to 24 kHz and 32 kbps', () => {
    expect(buildRequest({ ...base, format: 'opus' }).parameters).toMatchObject({ sample_rate: 24000, bit_rate: 32 });
  });

  it.each<[Partial<SynthesisOptions>, string]>([
    [{ volume: 101 }, '--volume 101 is out of range: expected an integer from 0 to 100'],
    [{ volume: 5.5 }, '--volume 5.5 is out of range'],
    [{ rate: 0.4 }, '--rate 0.4 is out of range: expected a number from 0.5 to 2'],
    [{ pitch: 2.1 }, '--pitch 2.1 is out of range'],
    [{ seed: 65536 }, '--seed 65536 is out of range'],
    [{ format: 'opus', bitRate: 600 }, '--bit-rate 600 is out of range'],
    [{ bitRate: 64 }, '--bit-rate applies only to opus'],
    [{ sampleRate: 11025 }, '--sample-rate 11025 is not available for mp3; choose one of 8000, 16000, 22050, 24000, 44100, 48000'],
    [{ format: 'opus', sampleRate: 22050 }, 'choose one of 8000, 16000, 24000, 48000'],
    [{ language: 'xx' }, '--language xx is not a language'],
    [{ instruction: 'x'.repeat(101) }, 'the limit is 100'],
    [{ model: 'cosyvoice-v1', voice: 'longxiaochun', format: 'opus' }, 'opus output is not supported by cosyvoice-v1'],
    [{ model: 'cosyvoice-v2', voice: 'longxiaochun_v2', markdownFilter: true }, '--markdown-filter is not supported by cosyvoice-v2; models that support it: cosyvoice-v3-flash'],
    [{ model: 'cosyvoice-v2', voice: 'longxiaochun_v2', instruction: 'x' }, '--instruction is not supported by cosyvoice-v2'],
    [{ aigcPropagator: 'x' }, 'need --aigc-tag'],
    [{ model: 'cosyvoice-v2', voice: 'longanyang' }, 'voice longanyang belongs to cosyvoice-v3-flash and cosyvoice-v3-plus, not cosyvoice-v2; use --model cosyvoice-v3-flash'],
    [{ voice: 'cosyvoice-v3-plus-narrator1-abc123' }, 'created for cosyvoice-v3-plus; it works only with --model cosyvoice-v3-plus'],
    [{ model: 'cosyvoice-v2', voice: 'longxiaochun_v2', region: 'intl' }, 'cosyvoice-v2 is not offered in region intl; use --region cn (Beijing)'],
    [{ voice: '  ' }, '--voice is empty'],
    [{ voice: 'loongriko_v3', ssml: true }, 'voice loongriko_v3 does not support SSML'],
    [{ voice: 'loongriko_v3', wordTimestamps: true }, 'has no word timestamps'],
  ])('rejects %j', (patch, message) => {
    expect(() => buildRequest({ ...base, ...patch })).toThrow(UsageError);
    expect(() => buildRequest({ ...base, ...patch })).toThrow(message);
  });

  it('warns about unconfirmed capabilities instead of refusing them', () => {
    const r = buildRequest({ model: 'cosyvoice-v3.5-plus', voice: 'cosyvoice-v3.5-plus-narrator1-abc', format: 'mp3', region: 'cn', seed: 3 });
    expect(r.warnings.join('\n')).toContain('--seed on cosyvoice-v3.5-plus is not confirmed');
    expect(r.parameters.seed).toBe(3);
  });

  it('warns when an instruction does not match the forms the voice accepts', () => {
    const r = buildRequest({ ...base, instruction: 'speak happily' });
    expect(r.warnings[0]).toContain('does not match a form longanyang accepts');
  });

  it('passes unknown voices and models through with a note or warning', () => {
    expect(buildRequest({ ...base, voice: 'somevoice' }).notes[0]).toContain('not in cosy');
    expect(buildRequest({ ...base, model: 'cosyvoice-v9' }).warnings[0]).toContain('unknown model cosyvoice-v9');
  });
});

describe('parseHotFix', () => {
  it('accepts pronunciation and replace lists', () => {
    expect(parseHotFix('{"pronunciation":[{"行长":"hang2 zhang3"}],"replace":[{"AI":"人工智能"}]}', 'p.json')).toEqual({
      pronunciation: [{ 行长: 'hang2 zhang3' }],
      replace: [{ AI: '人工智能' }],
    });
  });

  it.each([
    ['{', 'p.json is not valid JSON'],
    ['[]', 'must be a JSON object'],
    ['{"pron":[]}', 'unknown key "pron"'],
    ['{"replace":{}}', '"replace" must be a list'],
    ['{"replace":[{"a":"b","c":"d"}]}', 'replace[0] must have exactly one key'],
    ['{"replace":[{"a":1}]}', 'replace[0] must map'],
    ['{}', 'nothing to apply'],
  ])('rejects %j', (json, message) => {
    expect(() => parseHotFix(json, 'p.json')).toThrow(message);
  });
});
