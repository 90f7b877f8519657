/**
 * SubRip (.srt) writer (pure): numbered cues, `hh:mm:ss,mmm --> hh:mm:ss,mmm`, one line of text, a blank line
 * between cues. SRT has no standard word timing, so there is no karaoke mode.
 */
import { buildCues, type CueOptions } from '../cues.js';
import { formatClock } from '../timecode.js';
import type { SubtitleDocument } from '../types.js';

/** The SRT file of a document. */
export function writeSrt(doc: SubtitleDocument, options: CueOptions = {}): string {
  return buildCues(doc.sentences, { ...options, durationMs: doc.durationMs })
    .map((cue, i) => `${i + 1}\n${formatClock(cue.begin, ',')} --> ${formatClock(cue.end, ',')}\n${cue.text}\n`)
    .join('\n');
}
