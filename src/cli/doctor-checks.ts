/**
 * The decisions of `cosy doctor`, pure: what a check result looks like, how a key is masked and judged, how clock
 * skew is read from a `Date` header, which exit code a set of results implies, and how the report is printed.
 * `commands/doctor.ts` gathers the facts (files, environment, a handshake, one HTTP request) and calls these.
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';

/** The outcome of one check: fine, worth fixing (exit 0 all the same), broken, or not run. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/**
 * What a failure means for the exit code: `setup` (Node, configuration files, endpoints: exit 2), `auth` (the key
 * or its region: exit 3), `network` (reachability: exit 5), `advice` (never fails, only warns).
 */
export type CheckCategory = 'setup' | 'auth' | 'network' | 'advice';

/** One line of the report. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  category: CheckCategory;
  /** What was found (never the key itself). */
  detail: string;
  /** What to do about a warning or failure. */
  fix?: string | undefined;
}

/** The lowest Node.js major version cosy supports (package.json engines). */
export const MIN_NODE_MAJOR = 20;

/** Clock skew above which doctor warns. */
export const CLOCK_SKEW_WARN_MS = 60_000;

/** Shortest and longest key lengths that look like a DashScope key (`sk-` + 32 hex digits is 35 characters). */
export const KEY_LENGTH_RANGE = { min: 20, max: 200 } as const;

/** Prefixes of DashScope credentials: API keys (`sk-`) and temporary tokens (`st-`). */
export const KEY_PREFIXES = ['sk-', 'st-'] as const;

/**
 * A key shown safely: its prefix and its last four characters (`sk-…abcd`), or only the prefix for a key too short
 * to give anything away.
 */
export function maskKey(key: string): string {
  const prefix = /^[A-Za-z]{2}-/.test(key) ? key.slice(0, 3) : '';
  const tail = key.length >= 16 ? key.slice(-4) : '';
  return `${prefix}…${tail}`;
}

/** The verdict on a key's shape (no network): ok, or a warning or failure with what to do. */
export function checkKeyFormat(key: string): Pick<CheckResult, 'status' | 'detail' | 'fix'> {
  const copyAgain = 'copy the key again from the Model Studio console (API-KEY page); it looks like sk-… and is one line';
  if (/[\s\u0000-\u001f\u007f]/.test(key)) {
    return { status: 'fail', detail: 'the key contains whitespace or control characters', fix: copyAgain };
  }
  if (!KEY_PREFIXES.some((p) => key.startsWith(p))) {
    return { status: 'warn', detail: `the key does not start with ${KEY_PREFIXES.join(' or ')}`, fix: copyAgain };
  }
  if (key.length < KEY_LENGTH_RANGE.min || key.length > KEY_LENGTH_RANGE.max) {
    return { status: 'warn', detail: `the key is ${key.length} characters long, which is unusual (keys are about 35)`, fix: copyAgain };
  }
  return { status: 'ok', detail: `${key.startsWith('st-') ? 'temporary token' : 'API key'} format, ${key.length} characters` };
}

/**
 * The verdict on a workspace id's shape. Model Studio workspace ids look like `llm-` followed by lowercase letters
 * and digits (they also appear in host names, so nothing else can be in them).
 */
export function checkWorkspaceFormat(id: string): Pick<CheckResult, 'status' | 'detail' | 'fix'> {
  if (id.trim() === '' || /[\s\u0000-\u001f\u007f]/.test(id)) {
    return {
      status: 'fail',
      detail: `the workspace id ${JSON.stringify(id)} is empty or contains whitespace`,
      fix: 'copy the workspace id from the Model Studio console (it looks like llm-…), or unset DASHSCOPE_WORKSPACE_ID',
    };
  }
  if (!/^llm-[a-z0-9]+$/.test(id)) {
    return {
      status: 'warn',
      detail: `${id} does not look like a Model Studio workspace id (llm-…)`,
      fix: 'check the id on the workspace page of the Model Studio console',
    };
  }
  return { status: 'ok', detail: id };
}

/**
 * The local clock's offset from the server's, from an HTTP `Date` header and the local times the request was sent
 * and answered (the midpoint stands for the moment the server stamped it). Positive: the local clock is ahead.
 * Undefined when the header is missing or unreadable.
 */
export function clockSkewMs(dateHeader: string | null | undefined, sentAt: number, receivedAt: number): number | undefined {
  if (dateHeader === null || dateHeader === undefined || dateHeader.trim() === '') return undefined;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return undefined;
  return Math.round((sentAt + receivedAt) / 2) - server;
}

/**
 * The verdict on clock skew. It matters because temporary tokens (`st-…`) and upload policies expire by the
 * server's clock, and TLS certificates are checked against the local one.
 */
export function checkClockSkew(skewMs: number | undefined, source: string): Omit<CheckResult, 'name' | 'category'> {
  if (skewMs === undefined) return { status: 'skip', detail: `not checked: ${source} is missing or unreadable` };
  const seconds = Math.abs(skewMs) / 1000;
  // The Date header has a resolution of one second.
  if (seconds < 2) return { status: 'ok', detail: `the local clock agrees with ${source} (within 2 s)` };
  const direction = skewMs > 0 ? 'ahead of' : 'behind';
  const amount = seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
  if (Math.abs(skewMs) <= CLOCK_SKEW_WARN_MS) return { status: 'ok', detail: `the local clock is ${amount} ${direction} ${source}` };
  return {
    status: 'warn',
    detail: `the local clock is ${amount} ${direction} ${source}`,
    fix:
      'turn on time synchronisation (NTP; e.g. timedatectl set-ntp true): temporary tokens (st-…) and upload ' +
      'policies expire by the server clock, and TLS certificate checks fail when the local clock is far off',
  };
}

/** Region names for people. */
export const REGION_NAMES: Readonly<Record<string, string>> = { cn: 'Beijing', intl: 'Singapore' };

/** Where a rejected key was used: the region, whether the endpoints are that region's defaults, the workspace. */
export interface KeyUse {
  region: string;
  regionDefaults: boolean;
  workspace: string | undefined;
}

/**
 * What to do about a key the service rejected (401/403): name the region in use and the other one, since keys are
 * per region; with endpoints set by hand, say which hosts belong to which region; and mention the workspace.
 */
export function keyRejectedAdvice(use: KeyUse, where: string): string {
  const other = use.region === 'cn' ? 'intl' : 'cn';
  const advice = use.regionDefaults
    ? `the key is not valid for region ${use.region} (${REGION_NAMES[use.region] ?? use.region}); keys are per region: if it was created ` +
      `in the ${REGION_NAMES[other]} console, use --region ${other} (or: cosy config set region ${other}); otherwise create a new key in the Model Studio console`
    : `${where} rejected the key: check that the key belongs to the region this endpoint serves ` +
      '(Beijing keys for dashscope.aliyuncs.com, Singapore keys for dashscope-intl.aliyuncs.com)';
  return use.workspace !== undefined ? `${advice}; the workspace ${use.workspace} must also belong to the key's account` : advice;
}

/** The verdict on the Node.js version (`process.versions.node`). */
export function checkNodeVersion(version: string): Omit<CheckResult, 'name' | 'category'> {
  const major = Number(version.split('.')[0]);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return { status: 'ok', detail: `Node.js ${version}` };
  return {
    status: 'fail',
    detail: `Node.js ${version} is older than ${MIN_NODE_MAJOR}`,
    fix: `install Node.js ${MIN_NODE_MAJOR} or newer (https://nodejs.org, or nvm install ${MIN_NODE_MAJOR})`,
  };
}

/**
 * The exit code a report implies: 0 when nothing failed (warnings allowed); otherwise the most basic failure wins,
 * because later checks depend on earlier ones: 2 set-up (Node, configuration, endpoints), then 3 key or
 * authentication, then 5 network.
 */
export function exitCodeFor(results: readonly CheckResult[]): ExitCodeValue {
  const failed = new Set(results.filter((r) => r.status === 'fail').map((r) => r.category));
  if (failed.has('setup')) return ExitCode.Usage;
  if (failed.has('auth')) return ExitCode.Auth;
  if (failed.has('network')) return ExitCode.Network;
  return ExitCode.Ok;
}

/** How the report is printed: symbols on a terminal, words otherwise; colour functions (identity without colour). */
export interface ReportStyle {
  symbols: boolean;
  green: (s: string) => string;
  yellow: (s: string) => string;
  red: (s: string) => string;
  dim: (s: string) => string;
}

const SYMBOLS: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

/** The report for people: one line per check (a `fix:` line under problems) and a summary line. */
export function formatReport(results: readonly CheckResult[], style: ReportStyle, options: { problemsOnly?: boolean } = {}): string[] {
  const width = Math.max(...results.map((r) => r.name.length));
  const paint: Record<CheckStatus, (s: string) => string> = { ok: style.green, warn: style.yellow, fail: style.red, skip: style.dim };
  const lines: string[] = [];
  // The fix goes under the detail: past the mark (a symbol, or a status word padded to 4), a space and the name.
  const indent = ' '.repeat((style.symbols ? 1 : 4) + 1 + width + 2);
  for (const r of results) {
    if (options.problemsOnly && (r.status === 'ok' || r.status === 'skip')) continue;
    const mark = style.symbols ? SYMBOLS[r.status] : r.status.padEnd(4);
    lines.push(`${paint[r.status](mark)} ${r.name.padEnd(width)}  ${r.detail}`);
    if (r.fix !== undefined && r.status !== 'ok') lines.push(`${indent}${style.dim('fix:')} ${r.fix}`);
  }
  if (!options.problemsOnly) lines.push(summaryLine(results));
  return lines;
}

/** `doctor: 9 ok, 1 warning, 0 failed, 1 skipped`. */
export function summaryLine(results: readonly CheckResult[]): string {
  const count = (s: CheckStatus): number => results.filter((r) => r.status === s).length;
  const warnings = count('warn');
  return `doctor: ${count('ok')} ok, ${warnings} warning${warnings === 1 ? '' : 's'}, ${count('fail')} failed, ${count('skip')} skipped`;
}

/** The `--json` document: every check with name, status, detail and fix (null when there is nothing to do). */
export function reportJson(results: readonly CheckResult[]): { ok: boolean; exit_code: number; checks: Array<Record<string, string | null>> } {
  const exitCode = exitCodeFor(results);
  return {
    ok: exitCode === ExitCode.Ok,
    exit_code: exitCode,
    checks: results.map((r) => ({ name: r.name, status: r.status, detail: r.detail, fix: r.status === 'ok' ? null : (r.fix ?? null) })),
  };
}
