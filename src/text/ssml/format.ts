/**
 * Findings as text for people: `source:line:column: severity: message [rule]`, then the source line with a caret
 * under the column (the compiler convention, which editors and CI annotators understand).
 */
import type { Finding, Severity } from './types.js';

/** Optional colouring of the parts of a formatted finding (identity when absent). */
export interface Painter {
  severity(severity: Severity, text: string): string;
  caret(text: string): string;
  dim(text: string): string;
}

const PLAIN: Painter = { severity: (_s, t) => t, caret: (t) => t, dim: (t) => t };

/** One finding as text: the location line, then (when `excerpt`) the excerpt with a line-number gutter. */
export function formatFinding(source: string, finding: Finding, options: { excerpt?: boolean; painter?: Painter } = {}): string {
  const paint = options.painter ?? PLAIN;
  const where = finding.line > 0 ? `${source}:${finding.line}:${finding.column}` : source;
  const head = `${where}: ${paint.severity(finding.severity, finding.severity)}: ${finding.message} ${paint.dim(`[${finding.rule}]`)}`;
  if (options.excerpt === false || finding.excerpt === undefined) return head;
  const [code = '', caret = ''] = finding.excerpt.split('\n');
  const number = String(finding.line);
  const gutter = ' '.repeat(number.length);
  return `${head}\n${paint.dim(` ${number} | `)}${code}\n${paint.dim(` ${gutter} | `)}${paint.caret(caret)}`;
}

/** How many findings of each severity a list holds. */
export function countSeverities(findings: ReadonlyArray<{ severity: Severity }>): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

/** The sum of several counts by severity. */
export function addSeverities(...counts: ReadonlyArray<Readonly<Record<Severity, number>>>): Record<Severity, number> {
  const sum: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const c of counts) for (const s of ['error', 'warning', 'info'] as const) sum[s] += c[s];
  return sum;
}

/** "2 errors, 1 warning" for people; "no problems" when both are zero. */
export function describeCounts(counts: Record<Severity, number>): string {
  const parts: string[] = [];
  if (counts.error > 0) parts.push(`${counts.error} error${counts.error === 1 ? '' : 's'}`);
  if (counts.warning > 0) parts.push(`${counts.warning} warning${counts.warning === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(', ') : 'no problems';
}
