/**
 * LRC (.lrc) writer (pure): one `[mm:ss.xx]text` line per cue, and an empty `[mm:ss.xx]` line that clears the
 * display where a cue is followed by at least CLEAR_GAP_MS of silence and after the last cue. In karaoke mode the
 * lines use the enhanced-LRC ("A2") word tags: `<mm:ss.xx>` before every word and one after the last word at its
 * end, e.g. `[00:01.20]<00:01.20>Hello <00:01.62>there.<00:02.10>`.
 */
import { buildCues, type CueOptions } from '../cues.js';
import { formatLrcTime } from '../timecode.js';
import type { Cue, SubtitleDocument } from '../types.js';

/** Options of the LRC writer. */
export interface LrcOptions extends CueOptions {
  /** Emit enhanced-LRC word tags. */
  karaoke?: boolean;
}

/** Silence after a cue, in milliseconds, from which an empty line clears the display. */
export const CLEAR_GAP_MS = 1_000;

/** A cue's text with enhanced-LRC word tags. */
function karaokeText(cue: Cue): string {
  const tagged = cue.pieces.map((p) => `<${formatLrcTime(p.begin)}>${p.text}`).join('');
  const end = cue.pieces[cue.pieces.length - 1]?.end ?? cue.end;
  return `${tagged}<${formatLrcTime(end)}>`;
}

/** The LRC file of a document. */
export function writeLrc(doc: SubtitleDocument, options: LrcOptions = {}): string {
  const cues = buildCues(doc.sentences, { ...options, durationMs: doc.durationMs });
  const lines: string[] = [];
  cues.forEach((cue, i) => {
    lines.push(`[${formatLrcTime(cue.begin)}]${options.karaoke === true ? karaokeText(cue) : cue.text}`);
    const next = cues[i + 1];
    if (next === undefined || next.begin - cue.end >= CLEAR_GAP_MS) lines.push(`[${formatLrcTime(cue.end)}]`);
  });
  return lines.map((line) => `${line}\n`).join('');
}
