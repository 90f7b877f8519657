/**
 * `<break>` (specification §3.2): the time format and range (R-BRK-TIME), and runs of consecutive breaks that the
 * service cuts to 10 s (R-BRK-SUM). Its emptiness (R-BRK-EMPTY) is checked with the other content rules.
 */
import { attributeOf, type SsmlAttribute, type SsmlElement, type SsmlNode } from '../tree.js';
import type { Report } from '../types.js';
import { quoted } from './values.js';
import { SSML_MAX_BREAK_MS } from '../../../protocol/limits.js';

/** Pause of a `<break>` without time. */
export const DEFAULT_BREAK_MS = 1_000;
/** Longest silence of consecutive breaks; the service cuts the rest. */
export const MAX_BREAK_RUN_MS = SSML_MAX_BREAK_MS;

const RANGE = 'write 1s to 10s, or 50ms to 10000ms';

/** Milliseconds of a valid time value, or a message saying what is wrong with it. */
export function parseBreakTime(value: string): { ms: number; leadingZero: boolean } | { problem: string } {
  const m = /^(\d+)(s|ms)$/u.exec(value);
  if (m === null) {
    if (value.trim() === '') return { problem: `time is empty: ${RANGE}` };
    if (/^\d+(\.\d+)?\s+(s|ms)$/iu.test(value)) return { problem: `time ${quoted(value)} has a space before the unit: write ${value.replace(/\s+/gu, '')}` };
    const decimal = /^(\d+\.\d+)s$/u.exec(value);
    if (decimal !== null) return { problem: `time ${quoted(value)}: seconds must be a whole number; write ${Math.round(Number(decimal[1]) * 1000)}ms` };
    if (/^\d+\.\d+ms$/u.test(value)) return { problem: `time ${quoted(value)}: milliseconds must be a whole number` };
    if (/^\d+$/u.test(value)) return { problem: `time ${quoted(value)} has no unit: write ${value}ms or ${value}s` };
    if (/^\d+(s|ms)$/iu.test(value)) return { problem: `time ${quoted(value)}: units are lowercase; write ${value.toLowerCase()}` };
    if (/^-/u.test(value)) return { problem: `time ${quoted(value)} is negative: ${RANGE}` };
    if (/^\d+(\.\d+)?\s*[a-z]+$/iu.test(value)) return { problem: `time ${quoted(value)}: the unit must be s or ms; ${RANGE}` };
    return { problem: `time ${quoted(value)} is not a duration: ${RANGE}` };
  }
  const n = Number(m[1]);
  const unit = m[2];
  const leadingZero = /^0\d/u.test(value);
  if (unit === 's') {
    if (n < 1) return { problem: `time ${quoted(value)} is below 1s: for a short pause write e.g. 500ms; ${RANGE}` };
    if (n > 10) return { problem: `time ${quoted(value)} is above 10s, the longest pause: ${RANGE}` };
    return { ms: n * 1000, leadingZero };
  }
  if (n < 50) return { problem: `time ${quoted(value)} is below 50ms: ${RANGE}` };
  if (n > SSML_MAX_BREAK_MS) return { problem: `time ${quoted(value)} is above 10000ms, the longest pause: ${RANGE}` };
  return { ms: n, leadingZero };
}

/** Checks the time attribute of a `<break>`. */
export function checkBreak(element: SsmlElement, report: Report): void {
  const time = attributeOf(element, 'time');
  if (time === undefined || !time.wellFormed) return;
  const parsed = parseBreakTime(time.value);
  if ('problem' in parsed) report('R-BRK-TIME', 'error', time.valueOffset, parsed.problem);
  else if (parsed.leadingZero) report('R-BRK-TIME', 'warning', time.valueOffset, `time ${quoted(time.value)} has leading zeros: write ${time.value.replace(/^0+(?=\d)/u, '')}`);
}

/** Milliseconds of a break, 0 when its time is invalid (already reported). */
function breakMs(time: SsmlAttribute | undefined): number {
  if (time === undefined) return DEFAULT_BREAK_MS;
  const parsed = parseBreakTime(time.value);
  return 'ms' in parsed ? parsed.ms : 0;
}

/** Warns about runs of breaks (separated only by whitespace) longer than 10 s in a list of siblings. */
export function checkBreakRuns(children: readonly SsmlNode[], report: Report): void {
  let run: SsmlElement[] = [];
  let total = 0;
  const flush = (): void => {
    const first = run[0];
    if (run.length > 1 && first !== undefined && total > MAX_BREAK_RUN_MS) {
      report('R-BRK-SUM', 'warning', first.start, `these ${run.length} consecutive breaks add up to ${total / 1000} s; the service plays at most 10 s of silence in a row and cuts the rest`);
    }
    run = [];
    total = 0;
  };
  for (const child of children) {
    if (child.kind === 'text') {
      if (/\S/u.test(child.text)) flush();
    } else if (child.name === 'break') {
      run.push(child);
      total += breakMs(attributeOf(child, 'time'));
    } else {
      flush();
    }
  }
  flush();
}
