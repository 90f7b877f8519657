/**
 * Timestamps as subtitle formats write them (pure). Inputs are milliseconds; negative or fractional values are
 * rounded to whole milliseconds and floored at zero.
 */

/** Zero-padded decimal. */
function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Whole, non-negative milliseconds. */
function wholeMs(ms: number): number {
  return Math.max(0, Math.round(ms));
}

/** `hh:mm:ss<sep>mmm`: SRT uses `,` as the separator, WebVTT `.`; hours grow past two digits when needed. */
export function formatClock(ms: number, separator: ',' | '.'): string {
  const t = wholeMs(ms);
  const hours = Math.floor(t / 3_600_000);
  const minutes = Math.floor(t / 60_000) % 60;
  const seconds = Math.floor(t / 1_000) % 60;
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${separator}${pad(t % 1_000, 3)}`;
}

/** LRC `mm:ss.xx` in hundredths, rounded down so a line never shows late; minutes grow past two digits. */
export function formatLrcTime(ms: number): string {
  const hundredths = Math.floor(wholeMs(ms) / 10);
  const minutes = Math.floor(hundredths / 6_000);
  const seconds = Math.floor(hundredths / 100) % 60;
  return `${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(hundredths % 100, 2)}`;
}
