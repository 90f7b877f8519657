/**
 * Helpers shared by the attribute rules: locating a piece of a value, quoting a value in a message, and the URL
 * check of `bgm` and `src`.
 */
import type { SsmlAttribute } from '../tree.js';
import type { Report, RuleId } from '../types.js';

/** Offset of the character at `index` of an attribute's decoded value (its start when references shift it). */
export function offsetIn(attribute: SsmlAttribute, index: number): number {
  return attribute.raw === attribute.value ? attribute.valueOffset + Math.max(0, index) : attribute.valueOffset;
}

/** A value quoted for a message, shortened when long. */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** Whitespace-separated tokens of a value with their indices in it. */
export function tokensOf(value: string): { token: string; index: number }[] {
  const out: { token: string; index: number }[] = [];
  for (const m of value.matchAll(/\S+/gu)) out.push({ token: m[0], index: m.index });
  return out;
}

/** Checks a URL attribute (`bgm`, `src`): not empty (error), http(s) and without spaces (warnings). */
export function checkUrl(attribute: SsmlAttribute, rule: RuleId, report: Report): boolean {
  const url = attribute.value.trim();
  if (url === '') {
    report(rule, 'error', attribute.valueOffset, `${attribute.name} is empty: give the URL of a WAV file`);
    return false;
  }
  if (!/^https?:\/\/[^\s/?#]+/iu.test(url)) {
    report(rule, 'warning', attribute.valueOffset, `${attribute.name} ${quoted(url)} is not an http(s) URL: the service downloads the file from a public URL (an Alibaba Cloud OSS bucket)`);
  } else if (/\s/u.test(url)) {
    report(rule, 'warning', offsetIn(attribute, attribute.value.search(/\s/u)), `${attribute.name} contains whitespace: percent-encode it (%20)`);
  }
  return true;
}
