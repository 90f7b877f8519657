/**
 * A small WebVTT checker (pure) for tests of the files cosy writes: the `WEBVTT` header, blocks separated by
 * blank lines, cue timing syntax and settings, start before end, cues in order (and, unless allowed, not
 * overlapping), payloads without `-->`, known tags only, `&` only in character references, and timestamp tags
 * strictly inside their cue and increasing. NOTE, STYLE and REGION blocks are accepted (STYLE and REGION only
 * before the first cue). It reports problems; it does not build a cue tree.
 */

/** One problem, on a 1-based line. */
export interface VttProblem {
  line: number;
  message: string;
}

/** What the checker tolerates. */
export interface VttCheckOptions {
  /** Accept cues that start before the previous cue ends (valid WebVTT; cosy never writes them). */
  allowOverlap?: boolean;
}

/** A WebVTT timestamp: optional hours (two digits or more), minutes and seconds below 60, milliseconds. */
const TIMESTAMP = /^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
/** A cue timing line: start, arrow, end, optional settings. */
const TIMING = /^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t]+(.*))?$/;
/** One cue setting. */
const SETTING = /^(vertical|line|position|size|align|region):\S+$/;
/** Tags allowed in a payload besides timestamps (opening or closing, with classes or annotation). */
const TAG = /^\/?(c|i|b|u|v|lang|ruby|rt)(?:[.\s][^<>]*)?$/;
/** Character references allowed after `&`. */
const ENTITY = /^&(?:amp|lt|gt|nbsp|lrm|rlm|#\d+|#[xX][0-9a-fA-F]+);/;

/** Milliseconds of a WebVTT timestamp, or undefined when it is malformed. */
export function parseVttTimestamp(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const [, h, min, s, ms] = m;
  return ((Number(h ?? 0) * 60 + Number(min)) * 60 + Number(s)) * 1_000 + Number(ms);
}

/** The problems of a WebVTT document; empty when it is valid. */
export function checkVtt(text: string, options: VttCheckOptions = {}): VttProblem[] {
  const problems: VttProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '')) problems.push({ line: 1, message: 'the file must start with WEBVTT' });
  let i = 1;
  for (; i < lines.length && (lines[i] ?? '') !== ''; i += 1) {
    if ((lines[i] ?? '').includes('-->')) problems.push({ line: i + 1, message: 'a blank line must end the header' });
  }
  let previous: { start: number; end: number } | undefined;
  while (i < lines.length) {
    if ((lines[i] ?? '') === '') {
      i += 1;
      continue;
    }
    const first = i;
    while (i < lines.length && (lines[i] ?? '') !== '') i += 1;
    const block = lines.slice(first, i);
    const head = block[0] ?? '';
    if (/^NOTE(?:[ \t]|$)/.test(head)) continue;
    if (/^(STYLE|REGION)[ \t]*$/.test(head)) {
      if (previous !== undefined) problems.push({ line: first + 1, message: `${head.trim()} after the first cue` });
      continue;
    }
    const timingAt = head.includes('-->') ? 0 : 1;
    const cue = checkCue(block, first + 1, timingAt, problems);
    if (cue === undefined) continue;
    if (previous !== undefined && cue.start < previous.start) {
      problems.push({ line: first + timingAt + 1, message: 'cue starts before the previous cue' });
    } else if (previous !== undefined && !options.allowOverlap && cue.start < previous.end) {
      problems.push({ line: first + timingAt + 1, message: 'cue overlaps the previous cue' });
    }
    previous = cue;
  }
  return problems;
}

/** Checks one cue block starting on `lineNo`; its times, or undefined when its timing line is unusable. */
function checkCue(
  block: readonly string[],
  lineNo: number,
  timingAt: number,
  problems: VttProblem[],
): { start: number; end: number } | undefined {
  const timingLine = lineNo + timingAt;
  const m = TIMING.exec(block[timingAt] ?? '');
  if (m === null) {
    problems.push({ line: timingLine, message: 'expected cue timings "start --> end"' });
    return undefined;
  }
  const start = parseVttTimestamp(m[1] ?? '');
  const end = parseVttTimestamp(m[2] ?? '');
  if (start === undefined || end === undefined) {
    problems.push({ line: timingLine, message: `malformed timestamp in "${block[timingAt] ?? ''}"` });
    return undefined;
  }
  if (start >= end) problems.push({ line: timingLine, message: 'cue start must be before its end' });
  for (const setting of (m[3] ?? '').split(/[ \t]+/).filter((s) => s !== '')) {
    if (!SETTING.test(setting)) problems.push({ line: timingLine, message: `unknown cue setting "${setting}"` });
  }
  let lastTag = start;
  block.slice(timingAt + 1).forEach((payload, k) => {
    const line = timingLine + 1 + k;
    if (payload.includes('-->')) problems.push({ line, message: 'a cue payload must not contain "-->"' });
    lastTag = checkPayload(payload, line, { start, end }, lastTag, problems);
  });
  return { start, end };
}

/** Checks tags and references of one payload line; returns the last timestamp tag seen. */
function checkPayload(
  payload: string,
  line: number,
  cue: { start: number; end: number },
  lastTag: number,
  problems: VttProblem[],
): number {
  let last = lastTag;
  for (let at = 0; at < payload.length; at += 1) {
    const ch = payload[at];
    if (ch === '&' && !ENTITY.test(payload.slice(at))) problems.push({ line, message: `unescaped "&" at column ${at + 1}` });
    if (ch !== '<') continue;
    const close = payload.indexOf('>', at);
    if (close < 0) {
      problems.push({ line, message: `unclosed tag at column ${at + 1}` });
      return last;
    }
    const tag = payload.slice(at + 1, close);
    at = close;
    const time = parseVttTimestamp(tag);
    if (time === undefined) {
      if (!TAG.test(tag)) problems.push({ line, message: `unknown tag <${tag}>` });
      continue;
    }
    if (time <= cue.start || time >= cue.end) problems.push({ line, message: `timestamp tag <${tag}> outside its cue` });
    else if (time <= last) problems.push({ line, message: `timestamp tag <${tag}> not after the previous one` });
    last = Math.max(last, time);
  }
  return last;
}
