/**
 * Option value parsers for commander: each turns a string into a typed value or throws commander's
 * InvalidArgumentError with a message that says what is allowed.
 */
import { InvalidArgumentError } from 'commander';
import { parseDecimal, parseMultiplier } from '../text/multiplier.js';

/** A finite number. */
export function parseNumber(value: string): number {
  const n = parseDecimal(value);
  if (n === undefined) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a number.`);
  return n;
}

/** A speaking rate or pitch: a multiplier (1.1) or a change in percent (+10%, -10%). */
export function parseRatio(value: string): number {
  const n = parseMultiplier(value);
  if (n === undefined) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is neither a multiplier (0.5 to 2, e.g. 1.1) nor a signed change in percent (e.g. -10%, +25%).`);
  }
  return n;
}

/** An integer. */
export function parseInteger(value: string): number {
  const n = parseNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number.`);
  return n;
}

/** A non-negative integer. */
export function parseCount(value: string): number {
  const n = parseInteger(value);
  if (n < 0) throw new InvalidArgumentError(`${JSON.stringify(value)} must not be negative.`);
  return n;
}

/** A TCP port (0 picks a free one). */
export function parsePort(value: string): number {
  const n = parseInteger(value);
  if (n < 0 || n > 65535) throw new InvalidArgumentError(`${value} is not a port (0-65535).`);
  return n;
}

/** A positive duration in seconds, returned in milliseconds. */
export function parseSeconds(value: string): number {
  const n = parseNumber(value);
  if (n <= 0) throw new InvalidArgumentError(`${JSON.stringify(value)} must be a positive number of seconds.`);
  return Math.round(n * 1000);
}

/** Appends to a list (repeatable options). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
