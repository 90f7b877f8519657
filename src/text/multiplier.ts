/**
 * Rates and pitches as people write them. Its own module: the command line's option parsers load it at start-up.
 */

/**
 * A speaking rate or pitch as users write it: a multiplier (`1.1`) or a relative change in percent, the way edge-tts
 * and SSML prosody write it (`+10%` → 1.1, `-10%` → 0.9). Undefined when it is neither. The range is checked later.
 */
export function parseMultiplier(value: string): number | undefined {
  const text = value.trim();
  const percent = /^([+-]?\d+(?:\.\d+)?)%$/.exec(text);
  if (percent !== null) return Math.round((1 + Number(percent[1]) / 100) * 10_000) / 10_000;
  if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return undefined;
  return Number(text);
}
