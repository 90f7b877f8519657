import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWavHeader, fixWavSizes, parseWavHeader, wavDurationMs } from '../../../src/audio/wav.js';

/** A RIFF chunk: id, little-endian size, body, and the pad byte odd sizes need. */
function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
}

function fmtBody(sampleRate: number, channels: number, bits: number, extra = 0): Buffer {
  const body = Buffer.alloc(16 + extra);
  body.writeUInt16LE(1, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(sampleRate, 4);
  body.writeUInt32LE((sampleRate * channels * bits) / 8, 8);
  body.writeUInt16LE((channels * bits) / 8, 12);
  body.writeUInt16LE(bits, 14);
  return body;
}

/** A WAV header with extra chunks before `data`, as some encoders write; data size field as given. */
function extendedHeader(dataSize: number, riffSize: number): Buffer {
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(riffSize, 4);
  riff.write('WAVE', 8, 'latin1');
  const data = Buffer.alloc(8);
  data.write('data', 0, 'latin1');
  data.writeUInt32LE(dataSize, 4);
  return Buffer.concat([
    riff,
    chunk('fmt ', fmtBody(24000, 1, 16, 2)),
    chunk('LIST', Buffer.from('INFOISFT\u0005\u0000\u0000\u0000Lavf\u0000', 'latin1')),
    chunk('fact', Buffer.alloc(4)),
    chunk('junk', Buffer.alloc(3)), // odd size: followed by a pad byte
    data,
  ]);
}

describe('buildWavHeader', () => {
  it.each([
    { sampleRate: 8000, channels: 1, bitsPerSample: 16, dataBytes: 0 },
    { sampleRate: 22050, channels: 1, bitsPerSample: 16, dataBytes: 44100 },
    { sampleRate: 48000, channels: 2, bitsPerSample: 24, dataBytes: 12345 },
  ])('writes a canonical 44-byte PCM header for %j', (spec) => {
    const header = buildWavHeader(spec);
    expect(header.length).toBe(44);
    expect(header.toString('latin1', 0, 4)).toBe('RIFF');
    expect(header.readUInt32LE(4)).toBe(36 + spec.dataBytes);
    expect(header.toString('latin1', 8, 16)).toBe('WAVEfmt ');
    expect(header.readUInt32LE(16)).toBe(16);
    expect(header.readUInt16LE(20)).toBe(1);
    expect(header.readUInt16LE(22)).toBe(spec.channels);
    expect(header.readUInt32LE(24)).toBe(spec.sampleRate);
    expect(header.readUInt32LE(28)).toBe((spec.sampleRate * spec.channels * spec.bitsPerSample) / 8);
    expect(header.readUInt16LE(32)).toBe((spec.channels * spec.bitsPerSample) / 8);
    expect(header.readUInt16LE(34)).toBe(spec.bitsPerSample);
    expect(header.toString('latin1', 36, 40)).toBe('data');
    expect(header.readUInt32LE(40)).toBe(spec.dataBytes);
  });

  it('defaults to mono 16-bit', () => {
    const header = buildWavHeader({ sampleRate: 16000, dataBytes: 10 });
    expect(header.readUInt16LE(22)).toBe(1);
    expect(header.readUInt16LE(34)).toBe(16);
  });

  it('saturates both sizes at the 0xFFFFFFFF streaming placeholder', () => {
    const header = buildWavHeader({ sampleRate: 16000, dataBytes: 0xffffffff });
    expect(header.readUInt32LE(4)).toBe(0xffffffff);
    expect(header.readUInt32LE(40)).toBe(0xffffffff);
  });
});

describe('parseWavHeader', () => {
  it('reads back a built header', () => {
    const header = buildWavHeader({ sampleRate: 44100, channels: 2, bitsPerSample: 16, dataBytes: 1000 });
    expect(parseWavHeader(Buffer.concat([header, Buffer.alloc(1000)]))).toEqual({
      kind: 'ok',
      dataOffset: 44,
      sampleRate: 44100,
      channels: 2,
      bitsPerSample: 16,
      dataSize: 1000,
      riffSize: 1036,
    });
  });

  it('walks fmt, LIST, fact and odd-sized chunks to the data chunk', () => {
    const header = extendedHeader(0xffffffff, 0xffffffff);
    const result = parseWavHeader(header);
    expect(result).toEqual({
      kind: 'ok',
      dataOffset: header.length,
      sampleRate: 24000,
      channels: 1,
      bitsPerSample: 16,
      dataSize: 0xffffffff,
      riffSize: 0xffffffff,
    });
    expect(header.length).toBeGreaterThan(44);
  });

  it('asks for more bytes for every strict prefix of a header', () => {
    for (const header of [buildWavHeader({ sampleRate: 8000, dataBytes: 0 }), extendedHeader(0, 0)]) {
      for (let length = 0; length < header.length; length++) {
        expect(parseWavHeader(header.subarray(0, length)), `prefix of ${length} bytes`).toEqual({ kind: 'need-more' });
      }
    }
  });

  const good = buildWavHeader({ sampleRate: 8000, dataBytes: 0 });
  const withFmtSize = (size: number): Buffer => {
    const copy = Buffer.from(good);
    copy.writeUInt32LE(size, 16);
    return copy;
  };
  const dataFirst = Buffer.concat([good.subarray(0, 12), chunk('data', Buffer.alloc(4)), good.subarray(12)]);
  const zeroRate = Buffer.from(good);
  zeroRate.writeUInt32LE(0, 24);

  it.each([
    ['an MP3 file', Buffer.from([0xff, 0xfb, 0x90, 0xc0])],
    ['a one-byte mismatch', Buffer.from('X')],
    ['a RIFX (big-endian) file', Buffer.concat([Buffer.from('RIFX'), good.subarray(4)])],
    ['a RIFF AVI file', Buffer.concat([good.subarray(0, 8), Buffer.from('AVI '), good.subarray(12)])],
    ['a data chunk before fmt', dataFirst],
    ['a short fmt chunk', withFmtSize(14)],
    ['a zero sample rate', zeroRate],
  ])('rejects %s', (_name, buf) => {
    expect(parseWavHeader(buf).kind).toBe('invalid');
  });

  it('gives up when no data chunk appears in the first megabyte', () => {
    const big = Buffer.concat([good.subarray(0, 36), chunk('LIST', Buffer.alloc(2 << 20)), good.subarray(36)]);
    expect(parseWavHeader(big)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/no data chunk/) });
  });
});

describe('wavDurationMs', () => {
  it.each([
    [32000, 16000, 1, 16, 1000],
    [44100 * 2 * 2 * 3, 44100, 2, 16, 3000],
    [24000, 24000, 1, 16, 500],
    [3, 8000, 1, 24, 0.125],
    [100, 0, 1, 16, 0],
  ])('%i bytes at %i Hz, %i ch, %i bits last %d ms', (bytes, rate, channels, bits, ms) => {
    expect(wavDurationMs(bytes, rate, channels, bits)).toBeCloseTo(ms, 9);
  });
});

describe('fixWavSizes', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cosy-wav-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a canonical header', buildWavHeader({ sampleRate: 16000, dataBytes: 0xffffffff })],
    ['an extended header', extendedHeader(0xffffffff, 0xffffffff)],
    ['a header with zero sizes', buildWavHeader({ sampleRate: 16000, dataBytes: 0 })],
  ])('rewrites placeholder sizes in %s', async (name, header) => {
    const path = join(dir, `${name}.wav`);
    const audio = Buffer.from(Array.from({ length: 3001 }, (_, i) => i & 0xff));
    await writeFile(path, Buffer.concat([header, audio]));
    expect(await fixWavSizes(path)).toEqual({ riffSize: header.length + audio.length - 8, dataSize: audio.length });
    const fixed = await readFile(path);
    expect(fixed.length).toBe(header.length + audio.length);
    expect(fixed.readUInt32LE(4)).toBe(fixed.length - 8);
    const parsed = parseWavHeader(fixed);
    expect(parsed).toMatchObject({ kind: 'ok', dataOffset: header.length, dataSize: audio.length });
    expect(fixed.subarray(header.length).equals(audio)).toBe(true);
    // Running it again changes nothing.
    await fixWavSizes(path);
    expect((await readFile(path)).equals(fixed)).toBe(true);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), /truncated/],
    ['a truncated header', buildWavHeader({ sampleRate: 8000, dataBytes: 0 }).subarray(0, 30), /truncated/],
    ['an MP3 file', Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0xc0]), Buffer.alloc(413)]), /RIFF/],
  ])('refuses %s without touching it', async (name, content, reason) => {
    const path = join(dir, `bad-${name}.bin`);
    await writeFile(path, content);
    await expect(fixWavSizes(path)).rejects.toThrow(/not a WAV file/);
    await expect(fixWavSizes(path)).rejects.toThrow(reason);
    expect((await readFile(path)).equals(content)).toBe(true);
  });
});
