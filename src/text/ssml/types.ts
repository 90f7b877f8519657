/**
 * The public shapes of cosy's SSML checker: findings, the context a document is checked in, and the report.
 * Rule ids follow the specification of the CosyVoice dialect (docs/ssml.md lists them all).
 */
import type { CharacterCounts } from '../../protocol/counting.js';

/** How bad a finding is: an error rejects the document, a warning is reported, an info is shown with --verbose. */
export type Severity = 'error' | 'warning' | 'info';

/** Every rule the checker reports, by its id in the specification (plus cosy's own R-TXT-* and R-FILE rules). */
export type RuleId =
  | 'R-CTX-MODEL'
  | 'R-CTX-VOICE'
  | 'R-CTX-MODE'
  | 'R-CTX-LEN'
  | 'R-DOC-ROOT'
  | 'R-DOC-TEXT-OUTSIDE'
  | 'R-DOC-NEST'
  | 'R-DOC-WELLFORMED'
  | 'R-DOC-ESCAPE'
  | 'R-DOC-ENTITY'
  | 'R-DOC-ENCODING'
  | 'R-DOC-PROLOG'
  | 'R-DOC-DOCTYPE'
  | 'R-DOC-ELEMENTS'
  | 'R-DOC-ATTRS'
  | 'R-DOC-EMPTY'
  | 'R-DOC-CHILD'
  | 'R-SPK-VOICE'
  | 'R-SPK-RATE'
  | 'R-SPK-PITCH'
  | 'R-SPK-VOLUME'
  | 'R-SPK-EFFECT'
  | 'R-SPK-EQ'
  | 'R-SPK-FILTER'
  | 'R-SPK-EV-ORPHAN'
  | 'R-SPK-BGM'
  | 'R-SPK-BMV'
  | 'R-SPK-OVERRIDE'
  | 'R-BRK-EMPTY'
  | 'R-BRK-TIME'
  | 'R-BRK-SUM'
  | 'R-SUB-ALIAS'
  | 'R-SUB-CONTENT'
  | 'R-PHN-ALPHA'
  | 'R-PHN-PH'
  | 'R-PHN-CONTENT'
  | 'R-PHN-PY-SYLLABLE'
  | 'R-PHN-PY-COUNT'
  | 'R-PHN-CMU'
  | 'R-SND-SRC'
  | 'R-SND-EMPTY'
  | 'R-SAY-IA'
  | 'R-SAY-ATTRS'
  | 'R-SAY-CONTENT'
  | 'R-SAY-EMPTY'
  | 'R-SAY-FORMAT'
  | 'R-VHML'
  | 'R-TXT-EMPTY'
  | 'R-TXT-ENCODING'
  | 'R-TXT-NUL'
  | 'R-TXT-LEN'
  | 'R-TXT-MARKUP'
  | 'R-FILE'
  | 'R-INTERNAL';

/** One problem found in an input, with where it is and the rule it breaks. */
export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** What is wrong and what to do about it. */
  message: string;
  /** 1-based line; 0 when the finding is about the file as a whole (it could not be read). */
  line: number;
  /** 1-based column in code points; 0 when the finding is about the file as a whole. */
  column: number;
  /** The source line and, under it, a caret at the column (two lines joined by `\n`). */
  excerpt?: string;
}

/** What a document is checked against: where it came from and the request it is meant for. */
export interface SsmlContext {
  /** Where the text came from, for messages: a file name, `stdin` or `the text argument`. */
  source: string;
  /** The request's model; capability checks are skipped without it. */
  model?: string | undefined;
  /** The request's voice; the voice capability check is skipped without it. */
  voice?: string | undefined;
  /** The output sample rate in Hz, for the lpfilter/hpfilter bound; unknown when absent. */
  sampleRate?: number | undefined;
  /** `streaming` when the caller means to stream the text in several messages, which SSML forbids. */
  mode?: 'single-message' | 'streaming' | undefined;
  /**
   * True when the request's model and voice were already checked for SSML by the caller (`cosy say` does it in
   * buildRequest), so R-CTX-MODEL and R-CTX-VOICE are not repeated for them.
   */
  requestChecked?: boolean | undefined;
}

/** The result of checking one SSML document. */
export interface SsmlReport {
  /** Every finding, ordered by position (at most MAX_FINDINGS). */
  findings: Finding[];
  /** Findings left out after MAX_FINDINGS. */
  omitted: number;
  /** Every finding by severity, those left out after MAX_FINDINGS included. */
  totals: Record<Severity, number>;
  /** Billed characters (text content only) and the conservative count (tags included). */
  counts: CharacterCounts;
  /** Number of `<speak>` documents at the top level. */
  documents: number;
}

/** A finding before it is located: the UTF-16 offset into the input instead of line and column. */
export interface Issue {
  rule: RuleId;
  severity: Severity;
  message: string;
  offset: number;
}

/** Where rules put what they find. */
export type Report = (rule: RuleId, severity: Severity, offset: number, message: string) => void;
