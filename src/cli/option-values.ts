/**
 * Typed reads of commander's option bag (`Record<string, unknown>`), so command files parse their options at the
 * edge without casts: each read returns the value when it has the expected type, else undefined.
 */
import type { ConnectionFlags } from './connect.js';

/** Typed accessors over one command's parsed options. */
export interface OptionValues {
  /** A string option, or undefined. */
  string(name: string): string | undefined;
  /** True only when the flag was given (or defaults to true). */
  flag(name: string): boolean;
  /** A number option (already parsed by commander), or undefined. */
  number(name: string): number | undefined;
  /** Whether a `--no-x` style option was set to false. */
  negated(name: string): boolean;
}

/** Typed accessors over `raw`. */
export function optionValues(raw: Record<string, unknown>): OptionValues {
  return {
    string: (name) => (typeof raw[name] === 'string' ? (raw[name] as string) : undefined),
    flag: (name) => raw[name] === true,
    number: (name) => (typeof raw[name] === 'number' ? (raw[name] as number) : undefined),
    negated: (name) => raw[name] === false,
  };
}

/** The connection flags among `raw` (see addConnectionOptions in program.ts). */
export function connectionFlags(raw: Record<string, unknown>): ConnectionFlags {
  const o = optionValues(raw);
  const flags: ConnectionFlags = {};
  const region = o.string('region');
  const endpoint = o.string('endpoint');
  const httpEndpoint = o.string('httpEndpoint');
  const workspace = o.string('workspace');
  const apiKey = o.string('apiKey');
  const profile = o.string('profile');
  const proxy = o.string('proxy');
  if (profile !== undefined) flags.profile = profile;
  if (proxy !== undefined) flags.proxy = proxy;
  if (region !== undefined) flags.region = region;
  if (endpoint !== undefined) flags.endpoint = endpoint;
  if (httpEndpoint !== undefined) flags.httpEndpoint = httpEndpoint;
  if (workspace !== undefined) flags.workspace = workspace;
  if (apiKey !== undefined) flags.apiKey = apiKey;
  if (o.flag('emulator')) flags.emulator = true;
  return flags;
}

/**
 * The options of a subcommand with its parent's filled in where the subcommand has none (`cosy voices --emulator
 * rm X` and `cosy voices rm X --emulator` mean the same). `--no-color` given on either level wins.
 */
export function withParentOptions(own: Record<string, unknown>, parent: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...own };
  for (const [key, value] of Object.entries(parent)) {
    if (merged[key] === undefined) merged[key] = value;
  }
  if (own['color'] === false || parent['color'] === false) merged['color'] = false;
  return merged;
}
