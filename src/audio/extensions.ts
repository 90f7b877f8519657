/**
 * Audio formats by output file extension, as `cosy say -o`, `cosy stream -o` and batch items' `out` read them.
 */
import { extname } from 'node:path';
import type { AudioFormat } from '../protocol/limits.js';

/** Audio formats by lower-case file extension. */
export const EXTENSION_FORMATS: Readonly<Record<string, AudioFormat>> = {
  '.mp3': 'mp3',
  '.wav': 'wav',
  '.pcm': 'pcm',
  '.raw': 'pcm',
  '.opus': 'opus',
  '.ogg': 'opus',
  '.oga': 'opus',
};

/** The audio format a file name's extension names, if any (case-insensitive). */
export function formatFromExtension(path: string): AudioFormat | undefined {
  return EXTENSION_FORMATS[extname(path).toLowerCase()];
}
