/**
 * MPEG audio Layer III frame helpers (MPEG-1, MPEG-2, MPEG-2.5): header encode/decode, frame sizes, ID3v2 tags.
 */

/** MPEG audio version: 1, 2 (LSF) or 2.5 (the unofficial low-rate extension). */
export type MpegVersion = 1 | 2 | 2.5;
/** Channel mode of a frame. */
export type MpegChannelMode = 'stereo' | 'joint-stereo' | 'dual-channel' | 'mono';

/** Fields of a Layer III frame header. */
export interface Mp3FrameHeader {
  version: MpegVersion;
  /** Bit rate in kbps (free format is not supported). */
  bitrateKbps: number;
  sampleRate: number;
  padding: boolean;
  channelMode: MpegChannelMode;
  /** True when a 16-bit CRC follows the header (the protection bit is 0). */
  crc?: boolean;
  modeExtension?: number;
  privateBit?: boolean;
  copyright?: boolean;
  original?: boolean;
  /** Emphasis code 0–3 (2 is reserved). */
  emphasis?: number;
}

/** Size of a frame header in bytes. */
export const MP3_HEADER_SIZE = 4;

/** Layer III bit rates (kbps) by index for MPEG-1; index 0 is free format, 15 is invalid. */
const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] as const;
/** Layer III bit rates (kbps) by index for MPEG-2 and MPEG-2.5. */
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160] as const;
/** Sample rates by index, per version. */
const SAMPLE_RATES: Readonly<Record<string, readonly number[]>> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};
const CHANNEL_MODES: readonly MpegChannelMode[] = ['stereo', 'joint-stereo', 'dual-channel', 'mono'];
/** Version field (2 bits) to version; index 1 is reserved. */
const VERSION_BY_BITS: readonly (MpegVersion | undefined)[] = [2.5, undefined, 2, 1];

function bitratesFor(version: MpegVersion): readonly number[] {
  return version === 1 ? BITRATES_V1 : BITRATES_V2;
}

function sampleRatesFor(version: MpegVersion): readonly number[] {
  return SAMPLE_RATES[String(version)] ?? [];
}

/** MPEG version whose Layer III sample-rate table contains `sampleRate`, if any. */
export function mpegVersionForSampleRate(sampleRate: number): MpegVersion | undefined {
  const versions: readonly MpegVersion[] = [1, 2, 2.5];
  return versions.find((v) => sampleRatesFor(v).includes(sampleRate));
}

/** PCM samples per channel in one Layer III frame: 1152 for MPEG-1, 576 for MPEG-2 and 2.5. */
export function mp3SamplesPerFrame(version: MpegVersion): number {
  return version === 1 ? 1152 : 576;
}

/** Length in bytes of the side information that follows the header (and CRC). */
export function mp3SideInfoLength(version: MpegVersion, mono: boolean): number {
  if (version === 1) return mono ? 17 : 32;
  return mono ? 9 : 17;
}

/** Bytes of one frame per kbps per Hz: frame length = floor(coefficient * 1000 * kbps / sampleRate) + padding. */
function slotCoefficient(version: MpegVersion): number {
  return version === 1 ? 144 : 72;
}

/** Frame length in bytes, header and padding slot included. */
export function mp3FrameLength(version: MpegVersion, bitrateKbps: number, sampleRate: number, padding: boolean): number {
  return Math.floor((slotCoefficient(version) * 1000 * bitrateKbps) / sampleRate) + (padding ? 1 : 0);
}

/** Encodes a Layer III frame header as 4 bytes; throws a RangeError for a bit rate or sample rate the version lacks. */
export function encodeMp3Header(header: Mp3FrameHeader): Buffer {
  const bitrateIndex = bitratesFor(header.version).indexOf(header.bitrateKbps);
  if (bitrateIndex <= 0) {
    throw new RangeError(`MPEG-${header.version} Layer III has no ${header.bitrateKbps} kbps bit rate`);
  }
  const rateIndex = sampleRatesFor(header.version).indexOf(header.sampleRate);
  if (rateIndex < 0) throw new RangeError(`MPEG-${header.version} has no ${header.sampleRate} Hz sample rate`);
  const versionBits = VERSION_BY_BITS.indexOf(header.version);
  const bytes = Buffer.alloc(MP3_HEADER_SIZE);
  bytes[0] = 0xff;
  bytes[1] = 0xe0 | (versionBits << 3) | (0b01 << 1) | (header.crc === true ? 0 : 1);
  bytes[2] = (bitrateIndex << 4) | (rateIndex << 2) | (header.padding ? 0x02 : 0) | (header.privateBit === true ? 1 : 0);
  bytes[3] =
    (CHANNEL_MODES.indexOf(header.channelMode) << 6) |
    (((header.modeExtension ?? 0) & 0x03) << 4) |
    (header.copyright === true ? 0x08 : 0) |
    (header.original === true ? 0x04 : 0) |
    ((header.emphasis ?? 0) & 0x03);
  return bytes;
}

/** Outcome of `decodeMp3Header`. */
export type Mp3HeaderDecode =
  | {
      kind: 'ok';
      header: Required<Mp3FrameHeader>;
      frameLength: number;
      samplesPerFrame: number;
    }
  | { kind: 'need-more' }
  | { kind: 'invalid'; reason: string };

/** Decodes the Layer III frame header at `offset` of `buf`. */
export function decodeMp3Header(buf: Buffer, offset = 0): Mp3HeaderDecode {
  if (buf.length < offset + MP3_HEADER_SIZE) return { kind: 'need-more' };
  const b0 = buf[offset] ?? 0;
  const b1 = buf[offset + 1] ?? 0;
  const b2 = buf[offset + 2] ?? 0;
  const b3 = buf[offset + 3] ?? 0;
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return { kind: 'invalid', reason: 'no frame sync' };
  const version = VERSION_BY_BITS[(b1 >> 3) & 0x03];
  if (version === undefined) return { kind: 'invalid', reason: 'reserved MPEG version' };
  if (((b1 >> 1) & 0x03) !== 0b01) return { kind: 'invalid', reason: 'not Layer III' };
  const bitrateKbps = bitratesFor(version)[b2 >> 4];
  if (bitrateKbps === undefined) return { kind: 'invalid', reason: 'invalid bit rate index' };
  if (bitrateKbps === 0) return { kind: 'invalid', reason: 'free-format bit rate is not supported' };
  const sampleRate = sampleRatesFor(version)[(b2 >> 2) & 0x03];
  if (sampleRate === undefined) return { kind: 'invalid', reason: 'reserved sample rate index' };
  const emphasis = b3 & 0x03;
  if (emphasis === 2) return { kind: 'invalid', reason: 'reserved emphasis' };
  const padding = (b2 & 0x02) !== 0;
  const header: Required<Mp3FrameHeader> = {
    version,
    bitrateKbps,
    sampleRate,
    padding,
    channelMode: CHANNEL_MODES[b3 >> 6] ?? 'stereo',
    crc: (b1 & 0x01) === 0,
    modeExtension: (b3 >> 4) & 0x03,
    privateBit: (b2 & 0x01) !== 0,
    copyright: (b3 & 0x08) !== 0,
    original: (b3 & 0x04) !== 0,
    emphasis,
  };
  return {
    kind: 'ok',
    header,
    frameLength: mp3FrameLength(version, bitrateKbps, sampleRate, padding),
    samplesPerFrame: mp3SamplesPerFrame(version),
  };
}

/** Size of the ID3v2 tag header (and of its optional footer). */
const ID3_HEADER_SIZE = 10;

/**
 * Size in bytes of an ID3v2 tag at the start of `buf` (header, body and footer), 0 when `buf` does not start with
 * one, or 'need-more' when `buf` is too short to tell.
 */
export function id3v2Length(buf: Buffer): number | 'need-more' {
  const magic = 'ID3';
  const prefix = Math.min(buf.length, magic.length);
  if (buf.toString('latin1', 0, prefix) !== magic.slice(0, prefix)) return 0;
  if (buf.length < ID3_HEADER_SIZE) return 'need-more';
  const major = buf[3] ?? 0;
  const sizeBytes = [buf[6] ?? 0, buf[7] ?? 0, buf[8] ?? 0, buf[9] ?? 0];
  if (major === 0xff || (buf[4] ?? 0) === 0xff || sizeBytes.some((b) => b >= 0x80)) return 0;
  const bodySize = sizeBytes.reduce((size, b) => (size << 7) | b, 0);
  const hasFooter = ((buf[5] ?? 0) & 0x10) !== 0;
  return ID3_HEADER_SIZE + bodySize + (hasFooter ? ID3_HEADER_SIZE : 0);
}
