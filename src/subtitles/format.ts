/**
 * The subtitle format of a file, chosen by its extension (.srt .vtt .lrc .json, any case), and rendering a
 * document in it with the user's cue options checked first (pure).
 */
import { own } from '../own.js';
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import type { SubtitleDocument } from './types.js';
import { writeJson } from './writers/json.js';
import { writeLrc } from './writers/lrc.js';
import { writeSrt } from './writers/srt.js';
import { writeVtt } from './writers/vtt.js';

/** A subtitle format cosy writes. */
export type SubtitleFormat = 'srt' | 'vtt' | 'lrc' | 'json';

/** File extensions and their formats. */
export const SUBTITLE_EXTENSIONS: Readonly<Record<string, SubtitleFormat>> = {
  '.srt': 'srt',
  '.vtt': 'vtt',
  '.lrc': 'lrc',
  '.json': 'json',
};

/** The user's cue options (`--max-cue-chars`, `--words-per-cue`, `--karaoke`). */
export interface SubtitleOptions {
  maxCueChars?: number;
  wordsPerCue?: number;
  karaoke?: boolean;
}

/** The allowed extensions as a phrase: ".srt, .vtt, .lrc or .json". */
function allowedList(): string {
  const all = Object.keys(SUBTITLE_EXTENSIONS);
  return `${all.slice(0, -1).join(', ')} or ${all[all.length - 1] ?? ''}`;
}

/**
 * The format of a subtitle file from its extension.
 * @throws UsageError for any other extension, listing the allowed ones.
 */
export function subtitleFormatFor(path: string): SubtitleFormat {
  const ext = extname(path).toLowerCase();
  const format = own(SUBTITLE_EXTENSIONS, ext);
  if (format !== undefined) return format;
  const what = ext === '' ? 'has no extension' : `has the extension ${ext}`;
  throw new UsageError(`--subtitles ${path} ${what}: expected ${allowedList()}`, {
    code: 'SUBTITLE_FORMAT',
    hint: 'the extension of the subtitle file chooses its format',
  });
}

/** Whether a format has per-word timing tags (`--karaoke`). */
export function supportsKaraoke(format: SubtitleFormat): boolean {
  return format === 'vtt' || format === 'lrc';
}

/**
 * Checks the cue options against a format.
 * @throws UsageError for a non-positive or fractional count, or `karaoke` with a format that has no word tags.
 */
export function checkSubtitleOptions(format: SubtitleFormat, options: SubtitleOptions): void {
  for (const [flag, value] of [
    ['--max-cue-chars', options.maxCueChars],
    ['--words-per-cue', options.wordsPerCue],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new UsageError(`${flag} ${value} is out of range: expected an integer from 1`);
    }
  }
  if (options.karaoke === true && !supportsKaraoke(format)) {
    throw new UsageError(`--karaoke needs a .vtt or .lrc subtitle file, not .${format}`, {
      hint: 'SRT has no word timing tags; JSON always carries every word with its times',
    });
  }
}

/**
 * The subtitle file of a document in a format.
 * @throws UsageError when the options do not suit the format (see checkSubtitleOptions).
 */
export function renderSubtitles(format: SubtitleFormat, doc: SubtitleDocument, options: SubtitleOptions = {}): string {
  checkSubtitleOptions(format, options);
  switch (format) {
    case 'srt':
      return writeSrt(doc, options);
    case 'vtt':
      return writeVtt(doc, options);
    case 'lrc':
      return writeLrc(doc, options);
    case 'json':
      return writeJson(doc);
  }
}
