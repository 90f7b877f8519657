/**
 * WAV (RIFF/WAVE) helpers: build a canonical header, parse any header up to its data chunk, fix sizes on disk.
 */
import { open } from 'node:fs/promises';

/** Size of the canonical header `buildWavHeader` writes. */
export const WAV_HEADER_SIZE = 44;
/** Largest size field value; streaming writers use it as an "unknown length" placeholder. */
export const WAV_SIZE_PLACEHOLDER = 0xffffffff;
/** How far into a file the parser looks for the data chunk before calling the input invalid. */
export const WAV_MAX_HEADER_BYTES = 1 << 20;

/** Fields of a PCM WAV header. */
export interface WavHeaderSpec {
  sampleRate: number;
  channels?: number;
  bitsPerSample?: number;
  /** Length of the data chunk; sizes above 0xFFFFFFFF - 36 saturate to 0xFFFFFFFF. */
  dataBytes: number;
}

/** Builds a 44-byte PCM WAV header (RIFF, `fmt ` with 16 bytes, `data`). */
export function buildWavHeader(spec: WavHeaderSpec): Buffer {
  const channels = spec.channels ?? 1;
  const bitsPerSample = spec.bitsPerSample ?? 16;
  const blockAlign = channels * Math.ceil(bitsPerSample / 8);
  const dataBytes = Math.min(spec.dataBytes, WAV_SIZE_PLACEHOLDER);
  const header = Buffer.alloc(WAV_HEADER_SIZE);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(Math.min(36 + dataBytes, WAV_SIZE_PLACEHOLDER), 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // WAVE_FORMAT_PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(spec.sampleRate, 24);
  header.writeUInt32LE(spec.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/** Outcome of `parseWavHeader`. */
export type WavHeaderParse =
  | {
      kind: 'ok';
      /** Offset of the first audio byte (just after the `data` chunk header). */
      dataOffset: number;
      sampleRate: number;
      channels: number;
      bitsPerSample: number;
      /** Data chunk size as stored (may be the 0xFFFFFFFF placeholder). */
      dataSize: number;
      /** RIFF chunk size as stored (may be the 0xFFFFFFFF placeholder). */
      riffSize: number;
    }
  | { kind: 'need-more' }
  | { kind: 'invalid'; reason: string };

function startsWithPrefix(buf: Buffer, offset: number, tag: string): boolean {
  const length = Math.min(tag.length, Math.max(0, buf.length - offset));
  return buf.toString('latin1', offset, offset + length) === tag.slice(0, length);
}

/** Parses a WAV header from the start of `buf`, walking RIFF chunks (fmt, LIST, fact, …) until the data chunk. */
export function parseWavHeader(buf: Buffer): WavHeaderParse {
  if (!startsWithPrefix(buf, 0, 'RIFF')) return { kind: 'invalid', reason: 'missing RIFF signature' };
  if (!startsWithPrefix(buf, 8, 'WAVE')) return { kind: 'invalid', reason: 'RIFF form type is not WAVE' };
  if (buf.length < 12) return { kind: 'need-more' };
  const riffSize = buf.readUInt32LE(4);
  let format: { sampleRate: number; channels: number; bitsPerSample: number } | undefined;
  let offset = 12;
  for (;;) {
    if (offset > WAV_MAX_HEADER_BYTES) {
      return { kind: 'invalid', reason: `no data chunk in the first ${WAV_MAX_HEADER_BYTES} bytes` };
    }
    if (buf.length < offset + 8) return { kind: 'need-more' };
    const id = buf.toString('latin1', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    if (id === 'data') {
      if (format === undefined) return { kind: 'invalid', reason: 'data chunk before fmt chunk' };
      return { kind: 'ok', dataOffset: offset + 8, ...format, dataSize: size, riffSize };
    }
    if (id === 'fmt ') {
      if (size < 16) return { kind: 'invalid', reason: `fmt chunk too short (${size} bytes)` };
      if (buf.length < offset + 8 + 16) return { kind: 'need-more' };
      const channels = buf.readUInt16LE(offset + 10);
      const sampleRate = buf.readUInt32LE(offset + 12);
      const bitsPerSample = buf.readUInt16LE(offset + 22);
      if (channels === 0 || sampleRate === 0 || bitsPerSample === 0) {
        return { kind: 'invalid', reason: 'fmt chunk has a zero channel count, sample rate or sample size' };
      }
      format = { sampleRate, channels, bitsPerSample };
    }
    // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    offset += 8 + size + (size % 2);
  }
}

/** Duration in milliseconds of `dataBytes` bytes of PCM audio. */
export function wavDurationMs(dataBytes: number, sampleRate: number, channels: number, bitsPerSample: number): number {
  const bytesPerSecond = sampleRate * channels * (bitsPerSample / 8);
  return bytesPerSecond > 0 ? (dataBytes * 1000) / bytesPerSecond : 0;
}

/** Sizes written by `fixWavSizes`. */
export interface WavSizes {
  riffSize: number;
  dataSize: number;
}

/**
 * Rewrites the RIFF size (file size - 8) and data chunk size (file size - data offset) of the WAV file at `path`
 * in place; harmless when they are already right. Throws an Error when the file is not a WAV file.
 */
export async function fixWavSizes(path: string): Promise<WavSizes> {
  const handle = await open(path, 'r+');
  try {
    const fileSize = (await handle.stat()).size;
    let header: WavHeaderParse = { kind: 'need-more' };
    let length = Math.min(fileSize, 4096);
    for (;;) {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, 0);
      header = parseWavHeader(buf.subarray(0, bytesRead));
      if (header.kind !== 'need-more' || length >= fileSize || length > WAV_MAX_HEADER_BYTES) break;
      length = Math.min(fileSize, length * 4);
    }
    if (header.kind === 'need-more') throw new Error(`${path} is not a WAV file: header is truncated`);
    if (header.kind === 'invalid') throw new Error(`${path} is not a WAV file: ${header.reason}`);
    const sizes: WavSizes = {
      riffSize: Math.min(fileSize - 8, WAV_SIZE_PLACEHOLDER),
      dataSize: Math.min(fileSize - header.dataOffset, WAV_SIZE_PLACEHOLDER),
    };
    const field = Buffer.alloc(4);
    field.writeUInt32LE(sizes.riffSize, 0);
    await handle.write(field, 0, 4, 4);
    field.writeUInt32LE(sizes.dataSize, 0);
    await handle.write(field, 0, 4, header.dataOffset - 4);
    return sizes;
  } finally {
    await handle.close();
  }
}
