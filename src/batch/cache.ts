/**
 * The request cache of a batch: a request's identity (model, run-task parameters and the exact text of every
 * message), and the grouping of items with equal identities, so that each distinct request is synthesised once and
 * its audio copied to the other items (or taken from a file an earlier run recorded as done).
 */
import { createHash } from 'node:crypto';
import type { SynthesisParameters } from '../protocol/messages.js';

/** Version of the key derivation; bump it when the meaning of a key changes, so old ledgers stop matching. */
const KEY_VERSION = 1;

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The identity of a request as a sha256 hex digest: same model, same parameters (voice, format, sample rate, rate,
 * pitch, volume, seed, …) and the same messages in the same tasks give the same key, and so the same audio.
 */
export function requestKey(model: string, parameters: SynthesisParameters, tasks: readonly (readonly string[])[]): string {
  return createHash('sha256').update(canonicalJson({ v: KEY_VERSION, model, parameters, tasks })).digest('hex');
}

/** Items sharing one request, in manifest order (the first one is synthesised, the others copied). */
export interface RequestGroup<T> {
  key: string;
  items: T[];
}

/** Groups items by request key, groups in order of first appearance; with `enabled` false every item is alone. */
export function groupByRequest<T extends { key: string }>(items: readonly T[], enabled = true): RequestGroup<T>[] {
  if (!enabled) return items.map((item) => ({ key: item.key, items: [item] }));
  const groups = new Map<string, RequestGroup<T>>();
  for (const item of items) {
    const group = groups.get(item.key);
    if (group) group.items.push(item);
    else groups.set(item.key, { key: item.key, items: [item] });
  }
  return [...groups.values()];
}
