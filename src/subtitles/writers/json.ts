/**
 * JSON subtitle writer (pure): the sentences with their words, times in milliseconds and the user's own text;
 * not cues, so cue options do not apply. `duration_ms` is rounded down, like the clamp of every time in the file. Shape (stable; keys are only ever added):
 * `{"version":1,"duration_ms":N,"sentences":[{"index","text","begin_ms","end_ms","words":[{"text","begin_ms","end_ms"}]}]}`.
 */
import type { SubtitleDocument } from '../types.js';

/** A word in the JSON output. */
export interface JsonWord {
  text: string;
  begin_ms: number;
  end_ms: number;
}

/** A sentence in the JSON output. */
export interface JsonSentence extends JsonWord {
  index: number;
  words: JsonWord[];
}

/** The JSON subtitle document. */
export interface JsonSubtitles {
  version: 1;
  duration_ms: number;
  sentences: JsonSentence[];
}

/** The JSON value of a document (also suited to the `--json` summaries of commands). */
export function subtitlesJson(doc: SubtitleDocument): JsonSubtitles {
  return {
    version: 1,
    duration_ms: Math.max(0, Math.floor(doc.durationMs)),
    sentences: doc.sentences.map((s) => ({
      index: s.index,
      text: s.text,
      begin_ms: s.begin,
      end_ms: s.end,
      words: s.words.map((w) => ({ text: w.text, begin_ms: w.begin, end_ms: w.end })),
    })),
  };
}

/** The JSON subtitle file of a document: two-space indented, with a final newline. */
export function writeJson(doc: SubtitleDocument): string {
  return `${JSON.stringify(subtitlesJson(doc), null, 2)}\n`;
}
