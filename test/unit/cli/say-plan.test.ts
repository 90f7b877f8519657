import { describe, expect, it } from 'vitest';
import { defaultVoiceFor, isSsmlInput, planOutput } from '../../../src/cli/commands/say.js';

describe('planOutput', () => {
  it.each<[string | undefined, string | undefined, boolean, { path: string | undefined; format: string }]>([
    ['out.mp3', undefined, true, { path: 'out.mp3', format: 'mp3' }],
    ['out.WAV', undefined, true, { path: 'out.WAV', format: 'wav' }],
    ['out.ogg', undefined, true, { path: 'out.ogg', format: 'opus' }],
    ['out.opus', undefined, true, { path: 'out.opus', format: 'opus' }],
    ['out.pcm', undefined, true, { path: 'out.pcm', format: 'pcm' }],
    ['out.bin', 'pcm', true, { path: 'out.bin', format: 'pcm' }],
    ['-', undefined, true, { path: undefined, format: 'mp3' }],
    [undefined, 'wav', false, { path: undefined, format: 'wav' }],
  ])('-o %j --format %j (tty %j)', (output, format, tty, expected) => {
    expect(planOutput(output, format, tty, false)).toEqual(expected);
  });

  it.each<[string | undefined, string | undefined, boolean, boolean, string]>([
    [undefined, undefined, true, false, 'refusing to write audio to a terminal'],
    ['out.mp3', 'wav', false, false, '-o out.mp3 says mp3 but --format says wav'],
    ['out.txt', undefined, false, false, 'cannot tell the audio format from "out.txt"'],
    ['-', undefined, false, true, '--json needs -o FILE'],
    ['out.mp3', 'flac', false, false, '--format flac is not one of'],
  ])('rejects -o %j --format %j', (output, format, tty, json, message) => {
    expect(() => planOutput(output, format, tty, json)).toThrow(message);
  });
});

describe('isSsmlInput', () => {
  it.each<[string, boolean | undefined, boolean]>([
    ['<speak>hi</speak>', undefined, true],
    ['  \n<speak rate="2">hi</speak>', undefined, true],
    ['\uFEFF<speak>hi</speak>', undefined, true],
    ['<speaker>hi', undefined, false],
    ['say <speak>', undefined, false],
    ['<speak>hi</speak>', false, false],
    ['plain', true, true],
  ])('%j with flag %j', (text, flag, expected) => {
    expect(isSsmlInput(text, flag)).toBe(expected);
  });
});

describe('defaultVoiceFor', () => {
  it('picks a voice of the model generation, none for v3.5', () => {
    expect(defaultVoiceFor('cosyvoice-v3-flash')).toBe('longanyang');
    expect(defaultVoiceFor('cosyvoice-v2')).toBe('longxiaochun_v2');
    expect(defaultVoiceFor('cosyvoice-v3.5-plus')).toBeUndefined();
  });
});
