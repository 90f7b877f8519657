/**
 * Rates and pitches as people write them. Its own module: the command line's option parsers load it at start-up.
 */

/** A plain decimal number (`12`, `-0.5`, `.75`): no hex, no exponent, no Infinity. Undefined otherwise. */
export function parseDecimal(value: string): number | undefined {
  const text = value.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : undefined;
}

/**
 * A speaking rate or pitch as users write it: a multiplier (`1.1`) or a signed change in percent, the way edge-tts
 * and SSML prosody write it (`+10%` → 1.1, `-10%` → 0.9; the sign is required: `10%` could mean either).
 * Undefined when it is neither. The range is checked later.
 */
export function parseMultiplier(value: string): number | undefined {
  const percent = /^([+-]\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (percent !== null) return Math.round((1 + Number(percent[1]) / 100) * 10_000) / 10_000;
  return parseDecimal(value);
}
