/**
 * Lint of one input as `cosy lint` reads it: bytes → UTF-8 text (an invalid sequence is a finding, not a failure)
 * → SSML (when it starts with `<speak`, or when forced) checked by validateSsml, or plain text by checkPlainText.
 */
import type { CharacterCounts } from '../../protocol/counting.js';
import { SourceLocator } from './locate.js';
import { checkPlainText } from './plain-text.js';
import type { Finding, Severity } from './types.js';
import { validateSsml } from './validate.js';
import { looksLikeSsml } from './detect.js';
import { firstInvalidUtf8 } from '../utf8.js';
import { addSeverities, countSeverities } from './format.js';


/** What the request would be, for the capability and filter checks. */
export interface LintOptions {
  model?: string | undefined;
  voice?: string | undefined;
  sampleRate?: number | undefined;
  /** true/false force SSML or plain text; undefined detects it from a leading `<speak`. */
  ssml?: boolean | undefined;
}

/** The lint of one input. */
export interface LintResult {
  kind: 'ssml' | 'text';
  findings: Finding[];
  /** Findings left out after the limit. */
  omitted: number;
  /** Every finding by severity, those left out after the limit included. */
  totals: Record<Severity, number>;
  /** Billed characters and the count with tags (the same for plain text). */
  counts: CharacterCounts;
  /** Messages cosy say would send (1 for SSML). */
  messages: number;
  /** Tasks cosy say would run. */
  tasks: number;
}



/** Lints the bytes of one input named `source`; never throws. */
export function lintInput(bytes: Uint8Array, source: string, options: LintOptions = {}): LintResult {
  const loose = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  let text = loose.decode(bytes);
  const invalid = firstInvalidUtf8(bytes);
  const bom = text.startsWith('\ufeff') ? 1 : 0;
  text = text.slice(bom);
  const kind = (options.ssml ?? looksLikeSsml(text)) ? 'ssml' : 'text';
  const encoding: Finding[] = [];
  if (invalid >= 0) {
    const offset = Math.max(0, loose.decode(bytes.subarray(0, invalid)).length - bom);
    const locator = new SourceLocator(text);
    encoding.push({
      rule: kind === 'ssml' ? 'R-DOC-ENCODING' : 'R-TXT-ENCODING',
      severity: 'error',
      message: `not valid UTF-8 (at byte ${invalid}): convert the file first, e.g. iconv -f GB18030 -t UTF-8`,
      ...locator.position(offset),
      excerpt: locator.excerpt(offset),
    });
  }
  if (kind === 'ssml') {
    const report = validateSsml(text, { source, model: options.model, voice: options.voice, sampleRate: options.sampleRate });
    return { kind, findings: [...encoding, ...report.findings], omitted: report.omitted, totals: addSeverities(countSeverities(encoding), report.totals), counts: report.counts, messages: 1, tasks: 1 };
  }
  const plain = checkPlainText(text);
  return {
    kind,
    findings: [...encoding, ...plain.findings],
    omitted: 0,
    totals: countSeverities([...encoding, ...plain.findings]),
    counts: { billed: plain.billed, conservative: plain.billed },
    messages: plain.messages,
    tasks: plain.tasks,
  };
}
