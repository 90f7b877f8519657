/**
 * Deterministic audio for the emulator: a soft tone (pcm, wav), silent MPEG Layer III frames (mp3) or a silent
 * Ogg Opus stream padded to the requested bit rate (opus). Durations accumulate across calls, so there is no drift.
 */
import type { AudioFormat } from '../protocol/limits.js';
import { buildOggPage, OGG_BOS, OGG_EOS } from '../audio/ogg.js';
import { buildWavHeader, WAV_SIZE_PLACEHOLDER } from '../audio/wav.js';
import {
  encodeMp3Header,
  mp3FrameLength,
  mp3SamplesPerFrame,
  mpegVersionForSampleRate,
  type MpegVersion,
} from '../audio/mp3.js';

/** How the emulator renders one task's audio. */
export interface AudioSynthOptions {
  format: AudioFormat;
  sampleRate: number;
  /** Opus bit rate in kbps (ignored for other formats). */
  bitRate: number;
  /** 0–100, scales the amplitude. */
  volume: number;
  /** 0.5–2.0, scales the tone frequency. */
  pitch: number;
}

/** Renders one task's audio stream, sentence by sentence. */
export interface AudioSynth {
  /**
   * Audio for `durationMs` milliseconds of "speech" for one sentence, as frames in order. The first frames the
   * synth ever returns carry the container header (WAV header, Ogg OpusHead/OpusTags pages); later frames are
   * continuation data, so concatenating every frame of a task yields one valid file.
   * `text` only seeds the deterministic waveform; an empty `text` renders silence (pauses, SSML breaks).
   */
  render(durationMs: number, text: string): Buffer[];
  /** Closing frames of the stream (the Ogg page with the end-of-stream flag); may be empty. */
  finish(): Buffer[];
}

/** Largest pcm/wav frame and the size mp3 frame groups stay within, in bytes. */
export const SYNTH_MAX_FRAME_BYTES = 8192;
/** Opus pre-skip written in OpusHead, in 48 kHz samples. */
export const SYNTH_OPUS_PRE_SKIP = 312;
/** Opus packets per Ogg page (10 × 20 ms = 200 ms). */
export const SYNTH_OPUS_PACKETS_PER_PAGE = 10;

/** Renders deterministic audio in the requested format; throws a RangeError for a sample rate the format lacks. */
export function createAudioSynth(options: AudioSynthOptions): AudioSynth {
  switch (options.format) {
    case 'pcm':
      return new PcmSynth(options, false);
    case 'wav':
      return new PcmSynth(options, true);
    case 'mp3':
      return new Mp3Synth(options);
    case 'opus':
      return new OpusSynth(options);
  }
}

/** Tracks the requested duration across calls and hands out whole units (samples, frames, packets) without drift. */
class DurationClock {
  private totalMs = 0;
  private emitted = 0;

  constructor(private readonly unitsPerMs: number) {}

  /** Units to produce for `durationMs` more milliseconds. */
  advance(durationMs: number): number {
    this.totalMs += Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0;
    const target = Math.round(this.totalMs * this.unitsPerMs);
    const units = Math.max(0, target - this.emitted);
    this.emitted += units;
    return units;
  }

  /** Units produced so far. */
  get count(): number {
    return this.emitted;
  }
}

/** 32-bit FNV-1a hash of a string's UTF-16 code units. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash;
}

const PCM_BYTES_PER_SAMPLE = 2;
const PCM_FRAME_SAMPLES = SYNTH_MAX_FRAME_BYTES / PCM_BYTES_PER_SAMPLE;
const FADE_MS = 10;
const PEAK_FRACTION = 0.3;

/** Signed 16-bit mono tone, with a header placeholder for wav. */
class PcmSynth implements AudioSynth {
  private readonly clock: DurationClock;
  private headerPending: boolean;

  constructor(
    private readonly options: AudioSynthOptions,
    wav: boolean,
  ) {
    if (!Number.isInteger(options.sampleRate) || options.sampleRate <= 0) {
      throw new RangeError(`invalid sample rate ${options.sampleRate}`);
    }
    this.clock = new DurationClock(options.sampleRate / 1000);
    this.headerPending = wav;
  }

  render(durationMs: number, text: string): Buffer[] {
    const samples = this.clock.advance(durationMs);
    const header = this.takeHeader();
    if (samples === 0) return header.length > 0 ? [header] : [];
    const tile = this.toneTile(text);
    const fade = Math.min(Math.round((this.options.sampleRate * FADE_MS) / 1000), Math.floor(samples / 2));
    const frames: Buffer[] = [];
    let done = 0;
    let headerBytes = header.length;
    while (done < samples) {
      const count = Math.min(samples - done, PCM_FRAME_SAMPLES - Math.ceil(headerBytes / PCM_BYTES_PER_SAMPLE));
      const frame = Buffer.allocUnsafe(headerBytes + count * PCM_BYTES_PER_SAMPLE);
      header.copy(frame, 0, 0, headerBytes);
      const phase = done % tile.period;
      tile.data.copy(frame, headerBytes, phase * PCM_BYTES_PER_SAMPLE, (phase + count) * PCM_BYTES_PER_SAMPLE);
      applyFades(frame, headerBytes, done, count, samples, fade);
      frames.push(frame);
      done += count;
      headerBytes = 0;
    }
    return frames;
  }

  finish(): Buffer[] {
    const header = this.takeHeader();
    return header.length > 0 ? [header] : [];
  }

  /** The WAV header the first time it is asked for (wav only), else an empty buffer. */
  private takeHeader(): Buffer {
    if (!this.headerPending) return Buffer.alloc(0);
    this.headerPending = false;
    return buildWavHeader({ sampleRate: this.options.sampleRate, dataBytes: WAV_SIZE_PLACEHOLDER });
  }

  /** Whole periods of the sentence's tone, long enough to copy any frame from any phase. */
  private toneTile(text: string): { data: Buffer; period: number } {
    if (text === '') return { data: Buffer.alloc((PCM_FRAME_SAMPLES + 2) * PCM_BYTES_PER_SAMPLE), period: 2 };
    const { sampleRate, pitch, volume } = this.options;
    const baseHz = 120 + (hashText(text) % 181);
    const period = Math.max(2, Math.round(sampleRate / (baseHz * pitch)));
    const amplitude = PEAK_FRACTION * 32767 * (Math.min(100, Math.max(0, volume)) / 100);
    const onePeriod = Buffer.allocUnsafe(period * PCM_BYTES_PER_SAMPLE);
    for (let i = 0; i < period; i++) {
      onePeriod.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * i) / period)), i * PCM_BYTES_PER_SAMPLE);
    }
    const periods = Math.ceil(PCM_FRAME_SAMPLES / period) + 1;
    const data = Buffer.allocUnsafe(periods * period * PCM_BYTES_PER_SAMPLE);
    for (let p = 0; p < periods; p++) onePeriod.copy(data, p * period * PCM_BYTES_PER_SAMPLE);
    return { data, period };
  }
}

/** Scales the first and last `fade` samples of a sentence linearly so it starts and ends at zero. */
function applyFades(frame: Buffer, offset: number, first: number, count: number, total: number, fade: number): void {
  if (fade <= 0) return;
  for (let i = Math.max(first, 0); i < Math.min(first + count, fade); i++) {
    scaleSample(frame, offset + (i - first) * PCM_BYTES_PER_SAMPLE, i / fade);
  }
  for (let i = Math.max(first, total - fade); i < first + count; i++) {
    scaleSample(frame, offset + (i - first) * PCM_BYTES_PER_SAMPLE, (total - 1 - i) / fade);
  }
}

function scaleSample(frame: Buffer, at: number, gain: number): void {
  frame.writeInt16LE(Math.round(frame.readInt16LE(at) * gain), at);
}

/** Layer III bit rate the emulator uses for each MPEG version. */
const MP3_BITRATE_KBPS: Readonly<Record<string, number>> = { '1': 128, '2': 64, '2.5': 32 };

/** Silent mono MPEG Layer III frames at a constant bit rate. */
class Mp3Synth implements AudioSynth {
  private readonly clock: DurationClock;
  private readonly frames: { plain: Buffer; padded: Buffer };
  /** Numerator of the frame length's fractional part, in units of 1/sampleRate byte. */
  private readonly remainder: number;
  private paddingAccumulator = 0;

  constructor(private readonly options: AudioSynthOptions) {
    const version = mpegVersionForSampleRate(options.sampleRate);
    if (version === undefined) throw new RangeError(`mp3 has no ${options.sampleRate} Hz sample rate`);
    const bitrateKbps = MP3_BITRATE_KBPS[String(version)] ?? 0;
    this.clock = new DurationClock(options.sampleRate / 1000 / mp3SamplesPerFrame(version));
    this.frames = {
      plain: silentMp3Frame(version, bitrateKbps, options.sampleRate, false),
      padded: silentMp3Frame(version, bitrateKbps, options.sampleRate, true),
    };
    this.remainder = ((version === 1 ? 144_000 : 72_000) * bitrateKbps) % options.sampleRate;
  }

  render(durationMs: number): Buffer[] {
    const frameCount = this.clock.advance(durationMs);
    const groups: Buffer[] = [];
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for (let i = 0; i < frameCount; i++) {
      const frame = this.nextFrame();
      if (pendingBytes + frame.length > SYNTH_MAX_FRAME_BYTES && pending.length > 0) {
        groups.push(Buffer.concat(pending, pendingBytes));
        pending = [];
        pendingBytes = 0;
      }
      pending.push(frame);
      pendingBytes += frame.length;
    }
    if (pending.length > 0) groups.push(Buffer.concat(pending, pendingBytes));
    return groups;
  }

  finish(): Buffer[] {
    return [];
  }

  /** The next frame, padded whenever the accumulated fractional slot reaches one byte. */
  private nextFrame(): Buffer {
    this.paddingAccumulator += this.remainder;
    if (this.paddingAccumulator >= this.options.sampleRate) {
      this.paddingAccumulator -= this.options.sampleRate;
      return this.frames.padded;
    }
    return this.frames.plain;
  }
}

/** One silent mono frame without CRC: header, all-zero side information, no main data. */
function silentMp3Frame(version: MpegVersion, bitrateKbps: number, sampleRate: number, padding: boolean): Buffer {
  const frame = Buffer.alloc(mp3FrameLength(version, bitrateKbps, sampleRate, padding));
  encodeMp3Header({ version, bitrateKbps, sampleRate, padding, channelMode: 'mono' }).copy(frame, 0);
  return frame;
}

const OPUS_PACKET_MS = 20;
const OPUS_SAMPLES_PER_PACKET = 960;
const OPUS_VENDOR = 'cosy-emulator';
/** TOC config 31 (CELT, full band, 20 ms), mono, code 0 (one frame). */
const OPUS_TOC_CELT_FB_20MS = 0xf8;
/** The CELT frame that decodes to digital silence. */
const OPUS_SILENT_FRAME = Buffer.from([0xff, 0xfe]);
const OPUS_MIN_PACKET = 3;
const OPUS_MAX_PACKET = 1275;

/** A well-mixed Ogg serial number derived from the stream's options, so equal requests give identical bytes. */
function streamSerial(options: AudioSynthOptions): number {
  const seed = hashText(`${options.sampleRate}/${options.bitRate}/${options.volume}/${options.pitch}`);
  let x = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0;
  return (x ^ (x >>> 13)) >>> 0;
}

/** OpusHead identification header for a mono stream (RFC 7845 §5.1). */
export function opusHeadPacket(inputSampleRate: number, preSkip = SYNTH_OPUS_PRE_SKIP): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(inputSampleRate, 12);
  head.writeInt16LE(0, 16); // output gain
  head[18] = 0; // mapping family
  return head;
}

/** OpusTags comment header with a vendor string and no comments (RFC 7845 §5.2). */
export function opusTagsPacket(vendor: string): Buffer {
  const vendorBytes = Buffer.from(vendor, 'utf8');
  const tags = Buffer.alloc(8 + 4 + vendorBytes.length + 4);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(vendorBytes.length, 8);
  vendorBytes.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendorBytes.length);
  return tags;
}

/** A 20 ms silent CELT packet of exactly `size` bytes (3–1275), grown with Opus code-3 padding (RFC 6716 §3.2.5). */
export function opusSilentPacket(size: number): Buffer {
  const total = Math.min(OPUS_MAX_PACKET, Math.max(OPUS_MIN_PACKET, Math.round(size)));
  if (total === OPUS_MIN_PACKET) return Buffer.from([OPUS_TOC_CELT_FB_20MS, ...OPUS_SILENT_FRAME]);
  const packet = Buffer.alloc(total);
  packet[0] = OPUS_TOC_CELT_FB_20MS | 0x03; // code 3: a frame count byte follows
  const fixed = 2 + OPUS_SILENT_FRAME.length; // TOC, frame count byte, frame
  const extra = total - fixed; // padding length bytes plus padding bytes
  if (extra === 0) {
    packet[1] = 0x01; // CBR, no padding, one frame
    OPUS_SILENT_FRAME.copy(packet, 2);
    return packet;
  }
  packet[1] = 0x41; // CBR, padding present, one frame
  // L length bytes (L-1 of 255 = "254 and more", then v ≤ 254) encode 254(L-1)+v padding bytes: L + padding = extra.
  const lengthBytes = Math.ceil(extra / 255);
  const last = extra - 255 * lengthBytes + 254;
  packet.fill(255, 2, 2 + lengthBytes - 1);
  packet[2 + lengthBytes - 1] = last;
  OPUS_SILENT_FRAME.copy(packet, 2 + lengthBytes);
  return packet; // the padding bytes after the frame are already zero
}

/** A silent Ogg Opus stream whose packets are sized so the stream runs at the requested bit rate. */
class OpusSynth implements AudioSynth {
  private readonly clock = new DurationClock(1 / OPUS_PACKET_MS);
  private readonly serial: number;
  private readonly packetCache = new Map<number, Buffer>();
  private headerPending = true;
  private finished = false;
  private sequence = 0;
  private packetsMade = 0;

  constructor(private readonly options: AudioSynthOptions) {
    if (![8000, 12000, 16000, 24000, 48000].includes(options.sampleRate)) {
      throw new RangeError(`opus has no ${options.sampleRate} Hz sample rate`);
    }
    this.serial = streamSerial(options);
  }

  render(durationMs: number): Buffer[] {
    if (this.finished) throw new Error('render after finish');
    const pages = this.takeHeaderPages();
    let remaining = this.clock.advance(durationMs);
    while (remaining > 0) {
      const count = Math.min(remaining, SYNTH_OPUS_PACKETS_PER_PAGE);
      const packets = Array.from({ length: count }, () => this.nextPacket());
      pages.push(this.page(0, BigInt(this.packetsMade * OPUS_SAMPLES_PER_PACKET), packets));
      remaining -= count;
    }
    return pages;
  }

  finish(): Buffer[] {
    if (this.finished) return [];
    const pages = this.takeHeaderPages();
    // The extra packet covers the pre-skip; the granule trims its tail so the stream lasts exactly what was rendered.
    const granule = BigInt(this.packetsMade * OPUS_SAMPLES_PER_PACKET + SYNTH_OPUS_PRE_SKIP);
    pages.push(this.page(OGG_EOS, granule, [this.nextPacket()]));
    this.finished = true;
    return pages;
  }

  private takeHeaderPages(): Buffer[] {
    if (!this.headerPending) return [];
    this.headerPending = false;
    return [
      this.page(OGG_BOS, 0n, [opusHeadPacket(this.options.sampleRate)]),
      this.page(0, 0n, [opusTagsPacket(OPUS_VENDOR)]),
    ];
  }

  private page(headerType: number, granule: bigint, packets: Buffer[]): Buffer {
    return buildOggPage({ headerType, granule, serial: this.serial, sequence: this.sequence++, packets });
  }

  /** The next packet; sizes follow the exact byte budget of `bitRate` (2.5 bytes per kbps per 20 ms). */
  private nextPacket(): Buffer {
    const budget = (n: number): number => Math.floor((n * this.options.bitRate * 5) / 2);
    const size = budget(this.packetsMade + 1) - budget(this.packetsMade);
    this.packetsMade += 1;
    let packet = this.packetCache.get(size);
    if (packet === undefined) {
      packet = opusSilentPacket(size);
      this.packetCache.set(size, packet);
    }
    return packet;
  }
}
