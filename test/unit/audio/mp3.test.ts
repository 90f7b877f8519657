import { describe, expect, it } from 'vitest';
import {
  decodeMp3Header,
  encodeMp3Header,
  id3v2Length,
  mp3FrameLength,
  mp3SamplesPerFrame,
  mp3SideInfoLength,
  mpegVersionForSampleRate,
  type Mp3FrameHeader,
  type MpegVersion,
} from '../../../src/audio/mp3.js';

const RATES: Record<string, number[]> = { '1': [32000, 44100, 48000], '2': [16000, 22050, 24000], '2.5': [8000, 11025, 12000] };
const BITRATES: Record<string, number[]> = {
  '1': [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const VERSIONS: MpegVersion[] = [1, 2, 2.5];

describe('encodeMp3Header / decodeMp3Header', () => {
  it.each([
    // Hand-assembled: sync 11 bits, version, layer 01, protection, bitrate index, rate index, padding, mode.
    ['MPEG-1 128 kbps 44.1 kHz mono', { version: 1, bitrateKbps: 128, sampleRate: 44100, padding: false, channelMode: 'mono' }, 'fffb90c0'],
    ['MPEG-1 128 kbps 44.1 kHz mono padded', { version: 1, bitrateKbps: 128, sampleRate: 44100, padding: true, channelMode: 'mono' }, 'fffb92c0'],
    ['MPEG-1 320 kbps 48 kHz joint stereo', { version: 1, bitrateKbps: 320, sampleRate: 48000, padding: false, channelMode: 'joint-stereo' }, 'fffbe440'],
    ['MPEG-2 64 kbps 22.05 kHz mono', { version: 2, bitrateKbps: 64, sampleRate: 22050, padding: false, channelMode: 'mono' }, 'fff380c0'],
    ['MPEG-2 64 kbps 16 kHz mono with CRC', { version: 2, bitrateKbps: 64, sampleRate: 16000, padding: false, channelMode: 'mono', crc: true }, 'fff288c0'],
    ['MPEG-2.5 32 kbps 8 kHz mono', { version: 2.5, bitrateKbps: 32, sampleRate: 8000, padding: false, channelMode: 'mono' }, 'ffe348c0'],
    ['MPEG-2.5 8 kbps 11.025 kHz stereo', { version: 2.5, bitrateKbps: 8, sampleRate: 11025, padding: true, channelMode: 'stereo' }, 'ffe31200'],
  ] as [string, Mp3FrameHeader, string][])('encodes %s as known bytes', (_name, header, hex) => {
    expect(encodeMp3Header(header).toString('hex')).toBe(hex);
    expect(decodeMp3Header(Buffer.from(hex, 'hex'))).toMatchObject({ kind: 'ok', header });
  });

  it('round-trips every version, sample rate, bit rate and padding', () => {
    let checked = 0;
    for (const version of VERSIONS) {
      for (const sampleRate of RATES[String(version)] ?? []) {
        for (const bitrateKbps of BITRATES[version === 1 ? '1' : '2'] ?? []) {
          for (const padding of [false, true]) {
            const header: Mp3FrameHeader = { version, bitrateKbps, sampleRate, padding, channelMode: 'mono' };
            const decoded = decodeMp3Header(encodeMp3Header(header));
            expect(decoded).toMatchObject({
              kind: 'ok',
              header,
              frameLength: mp3FrameLength(version, bitrateKbps, sampleRate, padding),
              samplesPerFrame: version === 1 ? 1152 : 576,
            });
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(3 * 3 * 14 * 2);
  });

  it('round-trips the optional flags', () => {
    const header: Required<Mp3FrameHeader> = {
      version: 1,
      bitrateKbps: 64,
      sampleRate: 32000,
      padding: true,
      channelMode: 'dual-channel',
      crc: true,
      modeExtension: 2,
      privateBit: true,
      copyright: true,
      original: true,
      emphasis: 3,
    };
    expect(decodeMp3Header(encodeMp3Header(header))).toMatchObject({ kind: 'ok', header });
  });

  it('decodes at an offset', () => {
    const buf = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from('fff380c0', 'hex')]);
    expect(decodeMp3Header(buf, 3)).toMatchObject({ kind: 'ok', header: { version: 2, sampleRate: 22050 } });
  });

  it.each([
    ['a two-byte prefix', 'fffa', 'need-more'],
    ['no sync', '00fb90c0', 'invalid'],
    ['reserved version', 'ffeb90c0', 'invalid'],
    ['Layer I', 'ffff90c0', 'invalid'],
    ['Layer II', 'fffd90c0', 'invalid'],
    ['free format', 'fffb00c0', 'invalid'],
    ['bit rate index 15', 'fffbf0c0', 'invalid'],
    ['reserved sample rate', 'fffb9cc0', 'invalid'],
    ['reserved emphasis', 'fffb90c2', 'invalid'],
  ])('classifies %s (%s) as %s', (_name, hex, kind) => {
    expect(decodeMp3Header(Buffer.from(hex, 'hex')).kind).toBe(kind);
  });

  it.each([
    ['a bit rate MPEG-1 lacks', { version: 1, bitrateKbps: 8, sampleRate: 44100, padding: false, channelMode: 'mono' }],
    ['a sample rate MPEG-2 lacks', { version: 2, bitrateKbps: 64, sampleRate: 44100, padding: false, channelMode: 'mono' }],
  ] as [string, Mp3FrameHeader][])('refuses to encode %s', (_name, header) => {
    expect(() => encodeMp3Header(header)).toThrow(RangeError);
  });
});

describe('frame geometry', () => {
  it.each([
    [1, 128, 44100, false, 417],
    [1, 128, 44100, true, 418],
    [1, 128, 48000, false, 384],
    [1, 128, 32000, false, 576],
    [1, 320, 48000, true, 961],
    [2, 64, 22050, false, 208],
    [2, 64, 24000, false, 192],
    [2, 64, 16000, true, 289],
    [2.5, 32, 11025, false, 208],
    [2.5, 32, 12000, false, 192],
    [2.5, 32, 8000, false, 288],
    [2.5, 8, 8000, false, 72],
  ] as [MpegVersion, number, number, boolean, number][])(
    'MPEG-%s %i kbps %i Hz padding=%s is %i bytes',
    (version, kbps, rate, padding, length) => {
      expect(mp3FrameLength(version, kbps, rate, padding)).toBe(length);
    },
  );

  it.each([
    [1, 1152, 17, 32],
    [2, 576, 9, 17],
    [2.5, 576, 9, 17],
  ] as [MpegVersion, number, number, number][])('MPEG-%s: %i samples, side info %i (mono) / %i bytes', (version, spf, mono, stereo) => {
    expect(mp3SamplesPerFrame(version)).toBe(spf);
    expect(mp3SideInfoLength(version, true)).toBe(mono);
    expect(mp3SideInfoLength(version, false)).toBe(stereo);
  });

  it.each([
    [44100, 1],
    [32000, 1],
    [24000, 2],
    [16000, 2],
    [11025, 2.5],
    [8000, 2.5],
    [96000, undefined],
  ])('%i Hz belongs to MPEG-%s', (rate, version) => {
    expect(mpegVersionForSampleRate(rate)).toBe(version);
  });
});

describe('id3v2Length', () => {
  /** An ID3v2.4 header whose body size is written syncsafe. */
  function id3Header(bodySize: number, flags = 0): Buffer {
    const header = Buffer.from([0x49, 0x44, 0x33, 4, 0, flags, 0, 0, 0, 0]);
    for (let i = 0; i < 4; i++) header[9 - i] = (bodySize >> (7 * i)) & 0x7f;
    return header;
  }

  it.each([
    ['an empty buffer', Buffer.alloc(0), 'need-more'],
    ['"I"', Buffer.from('I'), 'need-more'],
    ['"ID3" and part of the header', id3Header(5).subarray(0, 9), 'need-more'],
    ['a small tag', id3Header(5), 15],
    ['a tag whose size needs every syncsafe byte', id3Header(0x0fffffff), 0x0fffffff + 10],
    ['a 257-byte tag body', Buffer.concat([id3Header(257), Buffer.alloc(3)]), 267],
    ['a tag with a footer', id3Header(100, 0x10), 120],
    ['an MP3 frame', Buffer.from('fffb90c0', 'hex'), 0],
    ['"IDX"', Buffer.from('IDX456789012'), 0],
    ['a size that is not syncsafe', Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0x80, 0]), 0],
  ])('measures %s as %s', (_name, buf, expected) => {
    expect(id3v2Length(buf)).toBe(expected);
  });
});
