import { describe, expect, it } from 'vitest';
import {
  checkClockSkew,
  checkKeyFormat,
  checkNodeVersion,
  checkWorkspaceFormat,
  clockSkewMs,
  exitCodeFor,
  formatReport,
  keyRejectedAdvice,
  maskKey,
  reportJson,
  type CheckResult,
} from '../../../src/cli/doctor-checks.js';

const plain = { symbols: false, green: (s: string) => s, yellow: (s: string) => s, red: (s: string) => s, dim: (s: string) => s };

describe('maskKey', () => {
  it.each([
    ['sk-0123456789abcdef0123456789abcdef', 'sk-…cdef'],
    ['st-abcdefghijklmnopWXYZ', 'st-…WXYZ'],
    ['sk-short', 'sk-…'],
    ['0123456789abcdefghij', '…ghij'],
    ['', '…'],
  ])('%s → %s', (key, masked) => {
    expect(maskKey(key)).toBe(masked);
  });

  it('never shows more than the prefix and four characters', () => {
    const key = 'sk-test0123456789abcdefSECRET';
    const masked = maskKey(key);
    expect(masked).toBe('sk-…CRET');
    expect(masked).not.toContain(key.slice(3, -4));
  });
});

describe('checkKeyFormat', () => {
  it.each<[string, string, RegExp]>([
    ['sk-0123456789abcdef0123456789abcdef', 'ok', /API key format, 35 characters/],
    ['st-0123456789abcdef0123456789abcdef', 'ok', /temporary token/],
    ['sk-0123456789 abcdef0123456789abcdef', 'fail', /whitespace/],
    ['sk-0123456789\tabcdef', 'fail', /whitespace or control/],
    ['ak-0123456789abcdef0123456789abcdef', 'warn', /does not start with sk- or st-/],
    ['sk-123', 'warn', /6 characters long/],
    [`sk-${'a'.repeat(300)}`, 'warn', /303 characters long/],
  ])('%j is %s', (key, status, detail) => {
    const verdict = checkKeyFormat(key);
    expect(verdict.status).toBe(status);
    expect(verdict.detail).toMatch(detail);
    if (status !== 'ok') expect(verdict.fix).toMatch(/Model Studio console/);
    expect(verdict.detail).not.toContain(key.slice(3));
  });
});

describe('checkWorkspaceFormat', () => {
  it.each([
    ['llm-nt6wkjgugn4k8l49', 'ok'],
    ['llm-abc', 'ok'],
    ['ws-12345', 'warn'],
    ['LLM-ABC', 'warn'],
    ['llm abc', 'fail'],
    [' ', 'fail'],
  ])('%j is %s', (id, status) => {
    expect(checkWorkspaceFormat(id).status).toBe(status);
  });
});

describe('clock skew', () => {
  const server = Date.parse('Tue, 01 Jul 2025 12:00:00 GMT');

  it('compares the Date header with the midpoint of the request', () => {
    expect(clockSkewMs('Tue, 01 Jul 2025 12:00:00 GMT', server - 100, server + 100)).toBe(0);
    expect(clockSkewMs('Tue, 01 Jul 2025 12:00:00 GMT', server + 90_000, server + 90_200)).toBe(90_100);
    expect(clockSkewMs('Tue, 01 Jul 2025 12:00:00 GMT', server - 5_000, server - 5_000)).toBe(-5_000);
  });

  it.each([[null], [undefined], [''], ['not a date']])('a missing or unreadable header (%j) gives no skew', (header) => {
    expect(clockSkewMs(header, server, server)).toBeUndefined();
  });

  it.each<[number | undefined, string, RegExp]>([
    [undefined, 'skip', /not checked/],
    [0, 'ok', /agrees .* \(within 2 s\)/],
    [1_500, 'ok', /agrees/],
    [-30_000, 'ok', /30 s behind/],
    [60_000, 'ok', /60 s ahead of/],
    [61_000, 'warn', /61 s ahead of/],
    [-3_600_000, 'warn', /60 min behind/],
  ])('a skew of %j ms is %s', (skew, status, detail) => {
    const verdict = checkClockSkew(skew, 'the server');
    expect(verdict.status).toBe(status);
    expect(verdict.detail).toMatch(detail);
    if (status === 'warn') expect(verdict.fix).toMatch(/temporary tokens .* TLS/);
  });
});

describe('checkNodeVersion', () => {
  it.each([
    ['20.0.0', 'ok'],
    ['22.11.0', 'ok'],
    ['18.20.4', 'fail'],
    ['garbage', 'fail'],
  ])('%s is %s', (version, status) => {
    expect(checkNodeVersion(version).status).toBe(status);
  });
});

describe('keyRejectedAdvice', () => {
  it('names the region in use and the other one when the endpoints are the region defaults', () => {
    const advice = keyRejectedAdvice({ region: 'cn', regionDefaults: true, workspace: undefined }, 'wss://dashscope.aliyuncs.com/api-ws/v1/inference');
    expect(advice).toMatch(/not valid for region cn \(Beijing\)/);
    expect(advice).toMatch(/Singapore console, use --region intl/);
    const intl = keyRejectedAdvice({ region: 'intl', regionDefaults: true, workspace: undefined }, 'x');
    expect(intl).toMatch(/region intl \(Singapore\).*Beijing console, use --region cn/);
  });

  it('explains which host serves which region when the endpoint was set by hand, and mentions the workspace', () => {
    const advice = keyRejectedAdvice({ region: 'cn', regionDefaults: false, workspace: 'llm-abc' }, 'ws://127.0.0.1:1/api-ws/v1/inference');
    expect(advice).toMatch(/^ws:\/\/127\.0\.0\.1:1\/api-ws\/v1\/inference rejected the key/);
    expect(advice).toMatch(/dashscope-intl\.aliyuncs\.com/);
    expect(advice).toMatch(/workspace llm-abc must also belong/);
  });
});

describe('exitCodeFor', () => {
  const r = (status: CheckResult['status'], category: CheckResult['category']): CheckResult => ({ name: 'x', status, category, detail: '' });

  it.each<[CheckResult[], number]>([
    [[r('ok', 'setup'), r('warn', 'auth'), r('warn', 'advice'), r('skip', 'network')], 0],
    [[r('fail', 'network')], 5],
    [[r('fail', 'auth'), r('fail', 'network')], 3],
    [[r('fail', 'network'), r('fail', 'auth'), r('fail', 'setup')], 2],
    [[r('fail', 'advice')], 0],
  ])('%# → %i', (results, code) => {
    expect(exitCodeFor(results)).toBe(code);
  });
});

describe('the report', () => {
  const results: CheckResult[] = [
    { name: 'node', status: 'ok', category: 'setup', detail: 'Node.js 20.0.0' },
    { name: 'api-key', status: 'fail', category: 'auth', detail: 'no API key', fix: 'set DASHSCOPE_API_KEY' },
    { name: 'players', status: 'warn', category: 'advice', detail: 'none', fix: 'install ffmpeg' },
    { name: 'clock', status: 'skip', category: 'advice', detail: 'not checked' },
  ];

  it('prints status words, aligned names and fix lines without a terminal', () => {
    expect(formatReport(results, plain)).toEqual([
      'ok   node     Node.js 20.0.0',
      'fail api-key  no API key',
      '              fix: set DASHSCOPE_API_KEY',
      'warn players  none',
      '              fix: install ffmpeg',
      'skip clock    not checked',
      'doctor: 1 ok, 1 warning, 1 failed, 1 skipped',
    ]);
  });

  it('prints symbols on a terminal', () => {
    expect(formatReport(results, { ...plain, symbols: true })).toEqual([
      '✓ node     Node.js 20.0.0',
      '✗ api-key  no API key',
      '           fix: set DASHSCOPE_API_KEY',
      '! players  none',
      '           fix: install ffmpeg',
      '- clock    not checked',
      'doctor: 1 ok, 1 warning, 1 failed, 1 skipped',
    ]);
  });

  it('prints only the problems with problemsOnly (--quiet)', () => {
    expect(formatReport(results, plain, { problemsOnly: true })).toEqual([
      'fail api-key  no API key',
      '              fix: set DASHSCOPE_API_KEY',
      'warn players  none',
      '              fix: install ffmpeg',
    ]);
  });

  it('has a JSON form with every check and the exit code', () => {
    expect(reportJson(results)).toEqual({
      ok: false,
      exit_code: 3,
      checks: [
        { name: 'node', status: 'ok', detail: 'Node.js 20.0.0', fix: null },
        { name: 'api-key', status: 'fail', detail: 'no API key', fix: 'set DASHSCOPE_API_KEY' },
        { name: 'players', status: 'warn', detail: 'none', fix: 'install ffmpeg' },
        { name: 'clock', status: 'skip', detail: 'not checked', fix: null },
      ],
    });
  });
});
