/**
 * WebVTT (.vtt) writer (pure): `WEBVTT`, then cues `hh:mm:ss.mmm --> hh:mm:ss.mmm` with one line of text, `&`,
 * `<` and `>` escaped. In karaoke mode each word after the first is preceded by a `<hh:mm:ss.mmm>` timestamp tag
 * (when it starts after the cue's start and any earlier tag, and before the cue's end, as WebVTT requires).
 */
import { buildCues, type CueOptions } from '../cues.js';
import { formatClock } from '../timecode.js';
import type { Cue, SubtitleDocument } from '../types.js';

/** Options of the WebVTT writer. */
export interface VttOptions extends CueOptions {
  /** Emit per-word timestamp tags. */
  karaoke?: boolean;
}

/** Text escaped for a WebVTT cue payload. */
export function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A cue's payload with a timestamp tag before each word that starts strictly inside the cue. */
function karaokePayload(cue: Cue): string {
  let last = cue.begin;
  return cue.pieces
    .map((piece) => {
      const text = escapeVtt(piece.text);
      if (piece.begin <= last || piece.begin >= cue.end) return text;
      last = piece.begin;
      return `<${formatClock(piece.begin, '.')}>${text}`;
    })
    .join('');
}

/** The WebVTT file of a document. */
export function writeVtt(doc: SubtitleDocument, options: VttOptions = {}): string {
  const cues = buildCues(doc.sentences, { ...options, durationMs: doc.durationMs }).map((cue) => {
    const payload = options.karaoke === true ? karaokePayload(cue) : escapeVtt(cue.text);
    return `${formatClock(cue.begin, '.')} --> ${formatClock(cue.end, '.')}\n${payload}\n`;
  });
  return ['WEBVTT\n', ...cues].join('\n');
}
