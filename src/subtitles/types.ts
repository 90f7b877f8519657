/**
 * The data the subtitle module passes around: sentences and words timed on the output audio, and the cues built
 * from them. Times are milliseconds from the start of the output audio.
 */

/** A piece of text with the time its audio plays. */
export interface TimedText {
  text: string;
  /** Start, in milliseconds from the start of the output audio. */
  begin: number;
  /** End (exclusive), in milliseconds from the start of the output audio; never before `begin`. */
  end: number;
}

/** One spoken sentence: the user's own text for it and its words, timed on the output audio. */
export interface Sentence extends TimedText {
  /** Position of the sentence in the output, from 0, across all tasks. */
  index: number;
  /** Words as slices of `text`, in order; empty when the service gave no word timestamps. */
  words: TimedText[];
}

/** One subtitle cue. */
export interface Cue extends TimedText {
  /**
   * The cue's text in timed pieces, one per spoken word with the punctuation and spacing around it; joined they
   * give `text` exactly. Karaoke writers emit a timing tag before each piece.
   */
  pieces: TimedText[];
}

/** Everything a subtitle writer needs. */
export interface SubtitleDocument {
  sentences: readonly Sentence[];
  /** Length of the output audio in milliseconds; no cue ends after it. */
  durationMs: number;
}
