import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import { decodeMp3Header } from '../../../src/audio/mp3.js';
import { OGG_BOS, OGG_EOS, parseOggPages, type OggPage } from '../../../src/audio/ogg.js';
import { parseWavHeader } from '../../../src/audio/wav.js';
import {
  createAudioSynth,
  opusSilentPacket,
  type AudioSynth,
  type AudioSynthOptions,
} from '../../../src/emulator/audio-synth.js';
import type { AudioFormat } from '../../../src/protocol/limits.js';

const SENTENCES: [number, string][] = [
  [1200, 'The first sentence.'],
  [800, 'A second one.'],
  [1500, 'And a third, somewhat longer sentence.'],
];
const TOTAL_MS = 3500;

function synth(format: AudioFormat, sampleRate: number, extra: Partial<AudioSynthOptions> = {}): AudioSynth {
  return createAudioSynth({ format, sampleRate, bitRate: 32, volume: 50, pitch: 1, ...extra });
}

/** Every frame of a task rendering the three sentences, then the closing frames. */
function renderTask(s: AudioSynth, sentences = SENTENCES): Buffer[] {
  return [...sentences.flatMap(([ms, text]) => s.render(ms, text)), ...s.finish()];
}

/** The same bytes with the WAV placeholder sizes replaced by the real ones (what the client does on disk). */
function withFixedWavSizes(wav: Buffer): Buffer {
  const header = parseWavHeader(wav);
  if (header.kind !== 'ok') throw new Error('not a WAV');
  const fixed = Buffer.from(wav);
  fixed.writeUInt32LE(fixed.length - 8, 4);
  fixed.writeUInt32LE(fixed.length - header.dataOffset, header.dataOffset - 4);
  return fixed;
}

function pagesOf(frames: Buffer[]): OggPage[] {
  const all = Buffer.concat(frames);
  const { pages, consumed, invalid } = parseOggPages(all);
  expect(invalid).toBeUndefined();
  expect(consumed).toBe(all.length);
  return pages;
}

/** Reference reading of a one-frame Opus packet (RFC 6716 §3.2): its TOC and the single frame's bytes. */
function opusFrame(packet: Buffer): { toc: number; frame: Buffer } {
  const toc = packet[0] ?? -1;
  if ((toc & 3) === 0) return { toc, frame: packet.subarray(1) };
  expect(toc & 3).toBe(3);
  const countByte = packet[1] ?? 0;
  expect(countByte & 0x3f).toBe(1);
  expect(countByte & 0x80).toBe(0);
  let offset = 2;
  let padding = 0;
  if ((countByte & 0x40) !== 0) {
    for (;;) {
      const value = packet[offset++] ?? 0;
      padding += value === 255 ? 254 : value;
      if (value !== 255) break;
    }
  }
  const frameLength = packet.length - offset - padding;
  return { toc: toc & ~3, frame: packet.subarray(offset, offset + frameLength) };
}

function samplesOf(pcm: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < pcm.length; i += 2) out.push(pcm.readInt16LE(i));
  return out;
}

function zeroCrossings(samples: number[]): number {
  let count = 0;
  for (let i = 1; i < samples.length; i++) {
    if (((samples[i - 1] ?? 0) < 0) !== ((samples[i] ?? 0) < 0)) count++;
  }
  return count;
}

describe('createAudioSynth: files music-metadata accepts', () => {
  it.each([8000, 16000, 22050, 24000, 44100, 48000])('wav at %i Hz', async (sampleRate) => {
    const wav = Buffer.concat(renderTask(synth('wav', sampleRate)));
    const header = parseWavHeader(wav);
    expect(header).toMatchObject({ kind: 'ok', dataOffset: 44, dataSize: 0xffffffff, riffSize: 0xffffffff });
    expect(wav.length - 44).toBe(Math.round((TOTAL_MS * sampleRate) / 1000) * 2);
    const meta = await parseBuffer(withFixedWavSizes(wav), { mimeType: 'audio/wav' }, { duration: true });
    expect(meta.format.container).toBe('WAVE');
    expect(meta.format.codec).toBe('PCM');
    expect(meta.format.sampleRate).toBe(sampleRate);
    expect(meta.format.numberOfChannels).toBe(1);
    expect(meta.format.bitsPerSample).toBe(16);
    expect(meta.format.duration).toBeCloseTo(TOTAL_MS / 1000, 3);
    expect(meta.quality.warnings.map((w) => w.message)).not.toContain('data chunk length exceeding file length');
  });

  it.each([
    [8000, 'MPEG 2.5 Layer 3', 32000],
    [11025, 'MPEG 2.5 Layer 3', 32000],
    [16000, 'MPEG 2 Layer 3', 64000],
    [22050, 'MPEG 2 Layer 3', 64000],
    [24000, 'MPEG 2 Layer 3', 64000],
    [32000, 'MPEG 1 Layer 3', 128000],
    [44100, 'MPEG 1 Layer 3', 128000],
    [48000, 'MPEG 1 Layer 3', 128000],
  ])('mp3 at %i Hz is %s at %i bit/s', async (sampleRate, codec, bitrate) => {
    const mp3 = Buffer.concat(renderTask(synth('mp3', sampleRate)));
    const meta = await parseBuffer(mp3, { mimeType: 'audio/mpeg' }, { duration: true });
    expect(meta.format.container).toBe('MPEG');
    expect(meta.format.codec).toBe(codec);
    expect(meta.format.sampleRate).toBe(sampleRate);
    expect(meta.format.numberOfChannels).toBe(1);
    expect(meta.format.bitrate).toBe(bitrate);
    const frameMs = ((sampleRate >= 32000 ? 1152 : 576) * 1000) / sampleRate;
    expect(Math.abs((meta.format.duration ?? 0) * 1000 - TOTAL_MS)).toBeLessThanOrEqual(frameMs / 2 + 1e-6);
  });

  it.each([8000, 16000, 24000, 48000])('opus at %i Hz', async (sampleRate) => {
    const opus = Buffer.concat(renderTask(synth('opus', sampleRate)));
    const meta = await parseBuffer(opus, { mimeType: 'audio/ogg' }, { duration: true });
    expect(meta.format.container).toBe('Ogg');
    expect(meta.format.codec).toBe('Opus');
    // Opus always decodes at 48 kHz; music-metadata reports OpusHead's input sample rate, which must be ours.
    expect(meta.format.sampleRate).toBe(sampleRate);
    expect(meta.format.numberOfChannels).toBe(1);
    expect(meta.format.duration).toBeCloseTo(TOTAL_MS / 1000, 6);
    expect(meta.quality.warnings).toEqual([]);
  });
});

describe('pcm and wav', () => {
  it.each([8000, 22050, 44100])('pcm at %i Hz is exactly the requested number of samples', (sampleRate) => {
    const s = synth('pcm', sampleRate);
    expect(Buffer.concat(renderTask(s)).length).toBe(Math.round((TOTAL_MS * sampleRate) / 1000) * 2);
  });

  it.each(['pcm', 'wav'] as const)('%s frames are at most 8192 bytes, the first wav frame includes the header', (format) => {
    const frames = synth(format, 48000).render(1000, 'x');
    expect(frames.length).toBeGreaterThan(10);
    expect(frames.every((f) => f.length <= 8192 && f.length > 0)).toBe(true);
    expect(frames[0]?.length).toBe(8192);
    expect(frames[0]?.toString('latin1', 0, 4) === 'RIFF').toBe(format === 'wav');
  });

  it('does not drift over many short sentences', () => {
    const s = synth('pcm', 22050);
    let bytes = 0;
    for (let i = 0; i < 1000; i++) bytes += Buffer.concat(s.render(7.3, `s${i}`)).length;
    expect(bytes).toBe(Math.round(7300 * 22.05) * 2);
  });

  it.each([
    ['wav', 1],
    ['pcm', 0],
  ] as const)('%s: a first render of 0 ms returns %i header frame(s), and the header appears once', (format, headers) => {
    const s = synth(format, 16000);
    const first = s.render(0, '');
    expect(first).toHaveLength(headers);
    if (headers === 1) expect(first[0]?.length).toBe(44);
    const rest = Buffer.concat([...s.render(100, 'a'), ...s.finish()]);
    expect(rest.length).toBe(1600 * 2);
    expect(s.render(0, 'b')).toEqual([]);
  });

  it('wav finish() before any render still yields the header', () => {
    const s = synth('wav', 8000);
    expect(Buffer.concat(s.finish()).length).toBe(44);
    expect(s.finish()).toEqual([]);
  });

  it('is deterministic and depends on the text', () => {
    const a = Buffer.concat(synth('pcm', 16000).render(500, 'hello'));
    const b = Buffer.concat(synth('pcm', 16000).render(500, 'hello'));
    const c = Buffer.concat(synth('pcm', 16000).render(500, 'another sentence'));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('starts and ends each sentence at silence (fades)', () => {
    const s = synth('pcm', 48000, { volume: 100 });
    for (const [ms, text] of SENTENCES) {
      const samples = samplesOf(Buffer.concat(s.render(ms, text)));
      expect(samples[0]).toBe(0);
      expect(Math.abs(samples.at(-1) ?? 99)).toBeLessThan(100);
      const peak = Math.max(...samples.map(Math.abs));
      // No big jump anywhere: a tone of at most 600 Hz at 48 kHz moves little between samples.
      const steepest = Math.max(...samples.slice(1).map((v, i) => Math.abs(v - (samples[i] ?? 0))));
      expect(steepest).toBeLessThan(peak * 0.1);
    }
  });

  it.each([
    [0, 0],
    [50, 0.15],
    [100, 0.3],
  ])('volume %i gives a peak of %d of full scale', (volume, fraction) => {
    const samples = samplesOf(Buffer.concat(synth('pcm', 48000, { volume }).render(500, 'level')));
    expect(Math.max(...samples.map(Math.abs)) / 32767).toBeCloseTo(fraction, 2);
  });

  it.each([0.5, 2])('pitch %d scales the tone frequency', (pitch) => {
    const base = zeroCrossings(samplesOf(Buffer.concat(synth('pcm', 48000).render(1000, 'pitch'))));
    const scaled = zeroCrossings(samplesOf(Buffer.concat(synth('pcm', 48000, { pitch }).render(1000, 'pitch'))));
    expect(base).toBeGreaterThanOrEqual(2 * 120);
    expect(base).toBeLessThanOrEqual(2 * 301);
    expect(scaled / base).toBeGreaterThan(pitch * 0.95);
    expect(scaled / base).toBeLessThan(pitch * 1.05);
  });

  it('renders ten minutes of 48 kHz audio quickly', () => {
    const started = performance.now();
    const frames = synth('wav', 48000).render(600_000, 'long');
    const elapsed = performance.now() - started;
    expect(frames.reduce((n, f) => n + f.length, 0)).toBe(44 + 600 * 48000 * 2);
    expect(elapsed).toBeLessThan(5000);
  });
});

describe('mp3', () => {
  it.each([8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000])(
    'at %i Hz: contiguous silent mono frames, grouped up to 8 KB, at an exact average bit rate',
    (sampleRate) => {
      const frames = synth('mp3', sampleRate).render(60_000, 'minute');
      expect(frames.every((g) => g.length <= 8192)).toBe(true);
      let count = 0;
      let bytes = 0;
      let paddedFrames = 0;
      let bitrate = 0;
      for (const group of frames) {
        let offset = 0;
        while (offset < group.length) {
          const decoded = decodeMp3Header(group, offset);
          if (decoded.kind !== 'ok') throw new Error(`no frame at ${offset}: ${decoded.kind}`);
          expect(decoded.header.channelMode).toBe('mono');
          expect(decoded.header.crc).toBe(false);
          bitrate = decoded.header.bitrateKbps;
          const body = group.subarray(offset + 4, offset + decoded.frameLength);
          expect(body.every((b) => b === 0)).toBe(true);
          if (decoded.header.padding) paddedFrames++;
          offset += decoded.frameLength;
          count++;
        }
        expect(offset).toBe(group.length);
        bytes += group.length;
      }
      const samplesPerFrame = sampleRate >= 32000 ? 1152 : 576;
      expect(count).toBe(Math.round((60 * sampleRate) / samplesPerFrame));
      const seconds = (count * samplesPerFrame) / sampleRate;
      // Padding spreads the fractional slot: the average rate is exact to within one byte.
      expect(Math.abs(bytes - (bitrate * 1000 * seconds) / 8)).toBeLessThan(1);
      expect(paddedFrames > 0).toBe(sampleRate % 11025 === 0);
    },
  );

  it('tracks the total duration across calls and returns nothing for 0 ms', () => {
    const s = synth('mp3', 22050);
    expect(s.render(0, 'x')).toEqual([]);
    let bytes = 0;
    for (let i = 0; i < 400; i++) bytes += Buffer.concat(s.render(10, 'x')).length;
    expect(s.finish()).toEqual([]);
    const frames = Math.round((4 * 22050) / 576);
    expect(bytes).toBeGreaterThanOrEqual(frames * 208);
    expect(bytes).toBeLessThanOrEqual(frames * 209);
  });

  it('refuses a sample rate MPEG audio lacks', () => {
    expect(() => synth('mp3', 96000)).toThrow(RangeError);
  });
});

describe('opus', () => {
  it('writes OpusHead and OpusTags pages, then audio pages of at most ten 20 ms packets, then one EOS page', () => {
    const s = synth('opus', 24000);
    const frames = renderTask(s);
    const pages = pagesOf(frames);
    expect(pages).toHaveLength(frames.length); // one page per frame
    expect(pages.every((p) => p.crcValid)).toBe(true);
    expect(new Set(pages.map((p) => p.serial)).size).toBe(1);
    expect(pages.map((p) => p.sequence)).toEqual(pages.map((_, i) => i));
    expect(pages.map((p) => p.headerType)).toEqual(pages.map((_, i) => (i === 0 ? OGG_BOS : i === pages.length - 1 ? OGG_EOS : 0)));

    const [head, tags, ...audio] = pages;
    const headPacket = head?.packets[0] ?? Buffer.alloc(0);
    expect(head?.packets).toHaveLength(1);
    expect(headPacket.length).toBe(19);
    expect(headPacket.toString('latin1', 0, 8)).toBe('OpusHead');
    expect([headPacket[8], headPacket[9], headPacket.readUInt16LE(10), headPacket.readUInt32LE(12)]).toEqual([1, 1, 312, 24000]);
    expect([headPacket.readInt16LE(16), headPacket[18]]).toEqual([0, 0]);
    expect(head?.granule).toBe(0n);

    const tagsPacket = tags?.packets[0] ?? Buffer.alloc(0);
    expect(tagsPacket.toString('latin1', 0, 8)).toBe('OpusTags');
    const vendorLength = tagsPacket.readUInt32LE(8);
    expect(tagsPacket.toString('utf8', 12, 12 + vendorLength)).toBe('cosy-emulator');
    expect(tagsPacket.readUInt32LE(12 + vendorLength)).toBe(0);
    expect(tagsPacket.length).toBe(16 + vendorLength);
    expect(tags?.granule).toBe(0n);

    let packets = 0;
    for (const page of audio.slice(0, -1)) {
      expect(page.packets.length).toBeGreaterThan(0);
      expect(page.packets.length).toBeLessThanOrEqual(10);
      packets += page.packets.length;
      expect(page.granule).toBe(BigInt(packets * 960));
    }
    expect(packets).toBe(TOTAL_MS / 20);
    const last = audio.at(-1);
    expect(last?.packets).toHaveLength(1);
    // One extra packet covers the pre-skip; the final granule trims it so playback lasts exactly TOTAL_MS.
    expect(last?.granule).toBe(BigInt(packets * 960 + 312));
  });

  it.each([6, 7, 32, 64, 255, 510])('packets at %i kbps are silent CELT frames totalling the bit rate exactly', (bitRate) => {
    const pages = pagesOf(renderTask(synth('opus', 48000, { bitRate })));
    const packets = pages.slice(2).flatMap((p) => p.packets);
    for (const packet of packets) {
      const { toc, frame } = opusFrame(packet);
      expect(toc).toBe(0xf8);
      expect(frame.toString('hex')).toBe('fffe');
      expect(packet.length).toBeLessThanOrEqual(1275);
    }
    const total = packets.reduce((n, p) => n + p.length, 0);
    expect(total).toBe(Math.floor((packets.length * bitRate * 5) / 2));
    expect(Math.max(...packets.map((p) => p.length)) - Math.min(...packets.map((p) => p.length))).toBeLessThanOrEqual(1);
  });

  it('builds padded packets of every size from 3 to 1275 bytes', () => {
    for (let size = 3; size <= 1275; size++) {
      const packet = opusSilentPacket(size);
      expect(packet.length).toBe(size);
      const { toc, frame } = opusFrame(packet);
      expect(toc).toBe(0xf8);
      expect(frame.toString('hex')).toBe('fffe');
    }
  });

  it('a first render of 0 ms returns just the two header pages', () => {
    const s = synth('opus', 16000);
    const first = pagesOf(s.render(0, ''));
    expect(first.map((p) => p.packets[0]?.toString('latin1', 0, 8))).toEqual(['OpusHead', 'OpusTags']);
    expect(s.render(0, 'again')).toEqual([]);
    expect(pagesOf(s.render(40, 'a'))[0]?.sequence).toBe(2);
  });

  it('finish() without audio still gives a complete, zero-length stream', async () => {
    const s = synth('opus', 48000);
    const frames = s.finish();
    expect(frames).toHaveLength(3);
    const meta = await parseBuffer(Buffer.concat(frames), { mimeType: 'audio/ogg' }, { duration: true });
    expect(meta.format.duration).toBe(0);
    expect(s.finish()).toEqual([]);
  });

  it('derives the serial from the options: equal requests give identical bytes', () => {
    const a = Buffer.concat([...synth('opus', 48000).render(500, 'x'), ...synth('opus', 48000).finish()]);
    const b = Buffer.concat([...synth('opus', 48000).render(500, 'x'), ...synth('opus', 48000).finish()]);
    expect(a.equals(b)).toBe(true);
    expect(pagesOf(synth('opus', 48000).render(0, ''))[0]?.serial).not.toBe(pagesOf(synth('opus', 24000).render(0, ''))[0]?.serial);
  });

  it('refuses a sample rate Opus lacks', () => {
    expect(() => synth('opus', 44100)).toThrow(RangeError);
  });
});
