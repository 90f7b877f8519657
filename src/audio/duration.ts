/**
 * Duration of a written audio file: exact from byte counts for pcm and wav, from the container (music-metadata) for
 * mp3 and Ogg Opus.
 */
import { open, stat } from 'node:fs/promises';
import type { AudioFormat } from '../protocol/limits.js';
import { parseWavHeader, wavDurationMs } from './wav.js';

const WAV_PROBE_BYTES = 64 * 1024;

/** Milliseconds of audio in `path`, or undefined when it cannot be determined. */
export async function audioDurationMs(path: string, format: AudioFormat, sampleRate: number): Promise<number | undefined> {
  if (format === 'pcm') {
    const { size } = await stat(path);
    return Math.round((size / 2 / sampleRate) * 1000);
  }
  if (format === 'wav') {
    const handle = await open(path, 'r');
    try {
      const buf = Buffer.alloc(WAV_PROBE_BYTES);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      const header = parseWavHeader(buf.subarray(0, bytesRead));
      if (header.kind !== 'ok') return undefined;
      return Math.round(wavDurationMs(header.dataSize, header.sampleRate, header.channels, header.bitsPerSample));
    } finally {
      await handle.close();
    }
  }
  try {
    const { parseFile } = await import('music-metadata');
    const meta = await parseFile(path, { duration: true, skipCovers: true });
    const seconds = meta.format.duration;
    return seconds === undefined ? undefined : Math.round(seconds * 1000);
  } catch {
    return undefined;
  }
}
