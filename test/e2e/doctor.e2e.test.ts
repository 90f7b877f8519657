/**
 * `cosy doctor` against the emulator: everything ok, no key, a rejected key, an unreachable endpoint, clock skew,
 * configuration problems, --json; the key never appears in any output, and no task is ever started.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseEnv, runCli, tempDir, type CliResult } from '../helpers/run-cli.js';
import { TEST_KEY, useEmulator, type TestEmulator } from '../helpers/emulator.js';

let dir: string;
let cleanup: () => void;
let emu: TestEmulator | undefined;
let fake: Server | undefined;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  if (fake) await new Promise((resolve) => fake?.close(resolve));
  fake = undefined;
  cleanup();
});

/** Every check, in report order. */
const CHECKS = ['node', 'config', 'api-key', 'key-format', 'key-file', 'endpoint', 'proxy', 'websocket', 'workspace', 'http-api', 'clock', 'players'];

/** The status word of every check in a plain (non-terminal) report, and the fix lines. */
function report(r: CliResult): { status: Record<string, string>; lines: Record<string, string>; fixes: Record<string, string> } {
  const status: Record<string, string> = {};
  const lines: Record<string, string> = {};
  const fixes: Record<string, string> = {};
  let last = '';
  for (const line of r.stdout.toString().split('\n')) {
    const m = /^(ok|warn|fail|skip) +(\S+) +(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined) {
      last = m[2];
      status[last] = m[1];
      lines[last] = m[3];
    } else if (/^ +fix: /.test(line)) {
      fixes[last] = line.trim().slice('fix: '.length);
    }
  }
  return { status, lines, fixes };
}

/** The key, or its secret part, appears nowhere. */
function assertNoKey(r: CliResult, key = TEST_KEY): void {
  const all = r.stdout.toString('latin1') + r.stderr;
  expect(all).not.toContain(key);
  expect(all).not.toContain(key.slice(3, -4));
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('cosy doctor', () => {
  it('passes every check against the emulator, with a handshake only (no task started)', async () => {
    emu = await useEmulator(dir);
    const r = await runCli(['doctor'], { env: emu.env, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const { status, lines } = report(r);
    expect(Object.keys(status)).toEqual(CHECKS);
    expect(Object.values(status)).not.toContain('fail');
    for (const name of ['node', 'config', 'api-key', 'key-format', 'endpoint', 'websocket', 'http-api', 'clock']) expect(status[name], name).toBe('ok');
    expect(lines['api-key']).toBe('sk-…CRET from DASHSCOPE_API_KEY in the environment');
    expect(lines['websocket']).toMatch(/^handshake with ws:\/\/127\.0\.0\.1:\d+\/api-ws\/v1\/inference in \d+ ms \(closed at once: no task, nothing billed\)$/);
    expect(lines['http-api']).toMatch(/answered list_voice \(a free read\)/);
    expect(r.stdout.toString()).toMatch(/\ndoctor: \d+ ok, \d+ warnings?, 0 failed, \d+ skipped\n$/);
    expect(emu.emulator.tasks).toHaveLength(0);
    expect(emu.emulator.connections()).toBe(1);
    assertNoKey(r);
  });

  it('works fully offline with --emulator and no key at all', async () => {
    const r = await runCli(['doctor', '--emulator'], { env: baseEnv(dir), cwd: dir });
    expect(r.code).toBe(0);
    const { status, lines } = report(r);
    expect(status['websocket']).toBe('ok');
    expect(status['http-api']).toBe('ok');
    expect(lines['endpoint']).toMatch(/^the in-process emulator: ws:\/\/127\.0\.0\.1:/);
  });

  it('without a key: exit 3, the how-to, and the network checks skipped', async () => {
    const r = await runCli(['doctor'], { env: baseEnv(dir), cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('');
    const { status, fixes } = report(r);
    expect(status['api-key']).toBe('fail');
    expect(fixes['api-key']).toMatch(/set DASHSCOPE_API_KEY=sk-… in the environment or in a \.env file/);
    expect(fixes['api-key']).toMatch(/--emulator/);
    expect(status['websocket']).toBe('skip');
    expect(status['http-api']).toBe('skip');
    expect(r.stdout.toString()).toMatch(/doctor: \d+ ok, \d+ warnings?, 1 failed/);
  });

  it('says where the key comes from: .env, a key file, --api-key (with a warning)', async () => {
    emu = await useEmulator(dir);
    const { DASHSCOPE_API_KEY: _key, ...noKey } = emu.env;
    writeFileSync(join(dir, '.env'), `DASHSCOPE_API_KEY=${TEST_KEY}\n`);
    const fromDotEnv = await runCli(['doctor'], { env: noKey, cwd: dir });
    expect(report(fromDotEnv).lines['api-key']).toBe(`sk-…CRET from DASHSCOPE_API_KEY in ${join(dir, '.env')}`);
    assertNoKey(fromDotEnv);

    mkdirSync(join(dir, 'sub'));
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, `${TEST_KEY}\n`, { mode: 0o600 });
    const fromFile = await runCli(['doctor'], { env: { ...noKey, DASHSCOPE_API_KEY_FILE_PATH: keyFile }, cwd: join(dir, 'sub') });
    expect(fromFile.code).toBe(0);
    expect(report(fromFile).lines['api-key']).toBe(`sk-…CRET from the key file ${keyFile}`);
    expect(report(fromFile).lines['key-file']).toBe(`${keyFile} (0600)`);
    assertNoKey(fromFile);

    const fromFlag = await runCli(['doctor', '--api-key', TEST_KEY, '--verbose'], { env: noKey, cwd: join(dir, 'sub') });
    expect(fromFlag.code).toBe(0);
    expect(report(fromFlag).status['api-key']).toBe('warn');
    expect(report(fromFlag).fixes['api-key']).toMatch(/visible to other users/);
    assertNoKey(fromFlag);
  });

  it('warns about a key file other users can read, with the chmod to run', async () => {
    emu = await useEmulator(dir);
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, TEST_KEY);
    chmodSync(keyFile, 0o644);
    const r = await runCli(['doctor'], { env: { ...emu.env, DASHSCOPE_API_KEY: '', DASHSCOPE_API_KEY_FILE_PATH: keyFile }, cwd: dir });
    expect(r.code).toBe(0);
    const { status, lines, fixes } = report(r);
    expect(status['key-file']).toBe('warn');
    expect(lines['key-file']).toBe(`readable by other users: ${keyFile} (0644)`);
    expect(fixes['key-file']).toBe(`chmod 600 ${keyFile}`);
  });

  it('explains a rejected key (401) with region advice: exit 3', async () => {
    emu = await useEmulator(dir);
    const wrong = 'sk-wrong0123456789abcdef0123WRONG';
    const r = await runCli(['doctor'], { env: { ...emu.env, DASHSCOPE_API_KEY: wrong }, cwd: dir });
    expect(r.code).toBe(3);
    const { status, lines, fixes } = report(r);
    expect(status['api-key']).toBe('ok');
    expect(lines['api-key']).toBe('sk-…RONG from DASHSCOPE_API_KEY in the environment');
    expect(status['websocket']).toBe('fail');
    expect(lines['websocket']).toMatch(/rejected the API key \(HTTP 401, InvalidApiKey/);
    expect(fixes['websocket']).toMatch(/rejected the key: check that the key belongs to the region this endpoint serves/);
    expect(status['http-api']).toBe('fail');
    expect(lines['http-api']).toMatch(/\(401\)/);
    assertNoKey(r, wrong);
  });

  it('an HTTP endpoint of another region than the WebSocket one is named as the cause', async () => {
    emu = await useEmulator(dir);
    const other = await useEmulator(dir, { keys: ['sk-another-region-key-0000000000'] });
    try {
      const r = await runCli(['doctor'], { env: { ...emu.env, DASHSCOPE_HTTP_BASE_URL: other.emulator.httpUrl }, cwd: dir });
      expect(r.code).toBe(3);
      const { status, fixes } = report(r);
      expect(status['websocket']).toBe('ok');
      expect(status['http-api']).toBe('fail');
      expect(fixes['http-api']).toMatch(/the WebSocket endpoint accepted the key but .* did not: --http-endpoint/);
    } finally {
      await other.close();
    }
  });

  it('an unreachable endpoint fails the network checks: exit 5', async () => {
    const port = await closedPort();
    const env = {
      ...baseEnv(dir),
      DASHSCOPE_API_KEY: TEST_KEY,
      DASHSCOPE_WEBSOCKET_BASE_URL: `ws://127.0.0.1:${port}/api-ws/v1/inference`,
      DASHSCOPE_HTTP_BASE_URL: `http://127.0.0.1:${port}/api/v1`,
    };
    const r = await runCli(['doctor', '--timeout', '2'], { env, cwd: dir });
    expect(r.code).toBe(5);
    const { status, lines, fixes } = report(r);
    expect(status['websocket']).toBe('fail');
    expect(lines['websocket']).toMatch(/connection refused/);
    expect(fixes['websocket']).toMatch(/running/);
    expect(status['http-api']).toBe('fail');
    expect(status['clock']).toBe('skip');
    assertNoKey(r);
  });

  it('warns about a clock far from the service and says why it matters', async () => {
    emu = await useEmulator(dir);
    // An HTTP API whose clock is a day behind: list_voice answers, with an old Date header.
    fake = createHttpServer((req, res) => {
      req.resume();
      res.sendDate = false;
      res.writeHead(200, { 'content-type': 'application/json', date: new Date(Date.now() - 86_400_000).toUTCString() });
      res.end(JSON.stringify({ output: { voice_list: [] }, request_id: 'r1' }));
    });
    await new Promise<void>((resolve) => fake?.listen(0, '127.0.0.1', resolve));
    const address = fake.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const r = await runCli(['doctor'], { env: { ...emu.env, DASHSCOPE_HTTP_BASE_URL: `http://127.0.0.1:${port}/api/v1` }, cwd: dir });
    expect(r.code).toBe(0);
    const { status, lines, fixes } = report(r);
    expect(status['clock']).toBe('warn');
    expect(lines['clock']).toBe("the local clock is 1440 min ahead of the service's HTTP Date header");
    expect(fixes['clock']).toMatch(/temporary tokens \(st-…\) and upload policies expire by the server clock, and TLS/);
  });

  it('checks the workspace id and reports the handshake that carried it', async () => {
    emu = await useEmulator(dir);
    const ok = await runCli(['doctor'], { env: { ...emu.env, DASHSCOPE_WORKSPACE_ID: 'llm-abc123' }, cwd: dir });
    expect(ok.code).toBe(0);
    expect(report(ok).lines['workspace']).toBe('llm-abc123: the handshake with X-DashScope-WorkSpace succeeded');
    const odd = await runCli(['doctor', '--workspace', 'WS_1'], { env: emu.env, cwd: dir });
    expect(odd.code).toBe(0);
    expect(report(odd).status['workspace']).toBe('warn');
    const bad = await runCli(['doctor', '--workspace', 'llm abc'], { env: emu.env, cwd: dir });
    expect(bad.code).toBe(2);
    expect(report(bad).status['workspace']).toBe('fail');
  });

  it('a configuration file that does not parse: exit 2, and the other checks still run', async () => {
    emu = await useEmulator(dir);
    mkdirSync(join(dir, 'xdg', 'cosy'), { recursive: true });
    writeFileSync(join(dir, 'xdg', 'cosy', 'config.json'), '{"region": ');
    const r = await runCli(['doctor'], { env: { ...emu.env, XDG_CONFIG_HOME: join(dir, 'xdg') }, cwd: dir });
    expect(r.code).toBe(2);
    const { status, lines } = report(r);
    expect(status['config']).toBe('fail');
    expect(lines['config']).toMatch(/config\.json is not valid JSON/);
    expect(status['websocket']).toBe('ok');
  });

  it('reports the configuration files it found', async () => {
    emu = await useEmulator(dir);
    const xdg = join(dir, 'xdg');
    await runCli(['config', 'set', '--profile', 'sg', 'region', 'intl'], { env: { ...baseEnv(dir), XDG_CONFIG_HOME: xdg }, cwd: dir });
    await runCli(['config', 'set', '--project', 'voice', 'longanhuan'], { env: { ...baseEnv(dir), XDG_CONFIG_HOME: xdg }, cwd: dir });
    const r = await runCli(['doctor'], { env: { ...emu.env, XDG_CONFIG_HOME: xdg }, cwd: dir });
    expect(r.code).toBe(0);
    expect(report(r).lines['config']).toBe(`user ${join(xdg, 'cosy', 'config.json')} (0 settings, 1 profile); project ${join(dir, '.cosy.json')} (1 setting)`);
    const unknownProfile = await runCli(['doctor', '--profile', 'nope'], { env: { ...emu.env, XDG_CONFIG_HOME: xdg }, cwd: dir });
    expect(unknownProfile.code).toBe(2);
    expect(report(unknownProfile).lines['config']).toMatch(/no profile named "nope"; known profiles: sg/);
  });

  it('--json prints one document with every check {name, status, detail, fix}', async () => {
    emu = await useEmulator(dir);
    const r = await runCli(['doctor', '--json'], { env: emu.env, cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout.toString()) as { ok: boolean; exit_code: number; checks: Array<Record<string, unknown>> };
    expect(doc.ok).toBe(true);
    expect(doc.exit_code).toBe(0);
    expect(doc.checks.map((c) => c.name)).toEqual(CHECKS);
    for (const check of doc.checks) {
      expect(Object.keys(check)).toEqual(['name', 'status', 'detail', 'fix']);
      expect(['ok', 'warn', 'fail', 'skip']).toContain(check.status);
      expect(typeof check.detail).toBe('string');
      expect(check.fix === null || typeof check.fix === 'string').toBe(true);
    }
    assertNoKey(r);
  });

  it('--json on failure: the same single document with ok false and the exit code', async () => {
    const r = await runCli(['doctor', '--json'], { env: baseEnv(dir), cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('');
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0] ?? '') as { ok: boolean; exit_code: number; checks: Array<{ name: string; status: string; fix: string | null }> };
    expect(doc).toMatchObject({ ok: false, exit_code: 3 });
    expect(doc.checks.find((c) => c.name === 'api-key')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/DASHSCOPE_API_KEY/) });
  });

  it('--quiet prints only the problems', async () => {
    emu = await useEmulator(dir);
    const r = await runCli(['doctor', '--quiet', '--workspace', 'WS_1'], { env: emu.env, cwd: dir });
    expect(r.code).toBe(0);
    const statuses = Object.values(report(r).status);
    expect(statuses).toContain('warn');
    expect(statuses).not.toContain('ok');
    expect(r.stdout.toString()).not.toContain('doctor:');
  });
});
