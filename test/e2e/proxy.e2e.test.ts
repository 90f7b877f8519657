/**
 * Proxies end to end: the built cosy reaching the emulator through a local HTTP proxy, chosen by --proxy or by the
 * environment (HTTP_PROXY/HTTPS_PROXY/NO_PROXY), for the WebSocket and the HTTP API; proxy credentials; failures
 * naming the proxy; and the emulator on this machine never proxied outside the test seam.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { e2eFixture } from '../helpers/fixture.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';

const fx = e2eFixture();
let proxy: TestProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** `host:port` of a URL. */
const hostOf = (url: string): string => new URL(url).host;

/** The seam that lets loopback (the tests' emulator) be proxied. */
const SEAM = { COSY_TEST_PROXY_LOOPBACK: '1' };

describe('proxy', () => {
  it('tunnels the WebSocket through --proxy and synthesises normally', async () => {
    const { env, emulator } = await fx.start();
    proxy = await startProxy();
    const r = await runCli(['say', 'Through a proxy.', '-o', 'x.mp3', '--proxy', proxy.url, '--verbose'], { env: { ...env, ...SEAM }, cwd: fx.dir });
    expect(r.stderr).toContain(`WebSocket through the proxy ${proxy.url}`);
    expect(r.code).toBe(0);
    expect(proxy.targets).toEqual([hostOf(emulator.websocketUrl)]);
    expect(emulator.tasks[0]?.texts.join('')).toBe('Through a proxy.');
  });

  it('takes the proxy from HTTP_PROXY for ws:// (HTTPS_PROXY would be for wss://), and NO_PROXY turns it off', async () => {
    const { env, emulator } = await fx.start();
    proxy = await startProxy();
    const viaEnv = await runCli(['say', 'From the environment.', '-o', 'a.mp3'], { env: { ...env, ...SEAM, HTTP_PROXY: proxy.url }, cwd: fx.dir });
    expect(viaEnv.code).toBe(0);
    expect(proxy.targets).toEqual([hostOf(emulator.websocketUrl)]);
    const httpsOnly = await runCli(['say', 'Not for ws.', '-o', 'b.mp3'], { env: { ...env, ...SEAM, HTTPS_PROXY: proxy.url }, cwd: fx.dir });
    expect(httpsOnly.code).toBe(0);
    const excluded = await runCli(['say', 'Excluded.', '-o', 'c.mp3'], { env: { ...env, ...SEAM, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }, cwd: fx.dir });
    expect(excluded.code).toBe(0);
    expect(proxy.targets).toHaveLength(1);
  });

  it('sends the HTTP API (voice enrollment) through the proxy too', async () => {
    const { env, emulator } = await fx.start();
    proxy = await startProxy();
    const r = await runCli(['voices', '--custom', '--json', '--proxy', proxy.url], { env: { ...env, ...SEAM }, cwd: fx.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(proxy.targets.length).toBeGreaterThan(0);
    expect(proxy.targets.every((t) => t.includes(hostOf(emulator.httpUrl)))).toBe(true);
  });

  it('authenticates with the credentials of the proxy URL and never prints them', async () => {
    const { env } = await fx.start();
    proxy = await startProxy('ana:s3cret-pw');
    const withCredentials = proxy.url.replace('http://', 'http://ana:s3cret-pw@');
    // DEBUG=* too: the proxy libraries' own logging must not print the URL with its password.
    const ok = await runCli(['say', 'Authenticated.', '-o', 'x.mp3', '--verbose'], { env: { ...env, ...SEAM, HTTP_PROXY: withCredentials, DEBUG: '*' }, cwd: fx.dir });
    expect(ok.code).toBe(0);
    expect(ok.stderr).not.toContain('s3cret-pw');
    const refused = await runCli(['say', 'No credentials.', '-o', 'y.mp3', '--proxy', proxy.url], { env: { ...env, ...SEAM }, cwd: fx.dir });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`the proxy ${proxy.url} wants credentials (HTTP 407)`);
    expect(refused.stderr).not.toContain('retry');
    const wrong = await runCli(['say', 'Wrong password.', '-o', 'z.mp3', '--proxy', proxy.url.replace('http://', 'http://ana:nope@')], { env: { ...env, ...SEAM }, cwd: fx.dir });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain(`the proxy ${proxy.url} refused the credentials of its URL (HTTP 407)`);
    expect(wrong.stderr).not.toContain('nope');
    expect(existsSync(join(fx.dir, 'y.mp3'))).toBe(false);
  });

  it('names the proxy when it cannot be reached (exit 5), and refuses a proxy URL it cannot use (exit 2)', async () => {
    const { env } = await fx.start();
    const dead = await runCli(['say', 'Nobody there.', '-o', 'x.mp3', '--proxy', 'http://127.0.0.1:9', '--retries', '0'], { env: { ...env, ...SEAM }, cwd: fx.dir });
    expect(dead.code).toBe(5);
    expect(dead.stderr).toContain('connection refused by the proxy http://127.0.0.1:9 (on the way to');
    expect(dead.stderr).toContain('hint: is the proxy running?');
    for (const [value, message] of [
      ['socks5://127.0.0.1:1080', '--proxy: socks5:// proxies are not supported'],
      ['not a url', '--proxy: "not a url" is not a URL'],
    ]) {
      const r = await runCli(['say', 'Hi.', '-o', 'x.mp3', '--proxy', value as string], { env, cwd: fx.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it('cosy doctor reports the proxy and checks the handshake and the HTTP API through it', async () => {
    const { env, emulator } = await fx.start();
    proxy = await startProxy();
    const r = await runCli(['doctor', '--proxy', proxy.url], { env: { ...env, ...SEAM }, cwd: fx.dir });
    const out = r.stdout.toString();
    expect(out).toMatch(new RegExp(`^ok\\s+proxy\\s+WebSocket via ${proxy.url.replaceAll('.', '\\.')} \\(from --proxy\\); HTTP API via `, 'm'));
    expect(out).toMatch(/^ok\s+websocket\s+handshake with/m);
    expect(out).toMatch(/^ok\s+http-api\s+/m);
    expect(proxy.targets[0]).toBe(hostOf(emulator.websocketUrl));
    expect(proxy.targets.length).toBeGreaterThanOrEqual(2);
    const direct = await runCli(['doctor'], { env, cwd: fx.dir });
    expect(direct.stdout.toString()).toMatch(/^skip\s+proxy\s+none: direct connections$/m);
  });

  it('never sends the emulator on this machine through a proxy (a CI runner behind a corporate proxy)', async () => {
    const { env, emulator } = await fx.start();
    const dead = 'http://127.0.0.1:9';
    const r = await runCli(['say', 'Local.', '-o', 'x.mp3'], { env: { ...env, HTTP_PROXY: dead, HTTPS_PROXY: dead, ALL_PROXY: dead }, cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(emulator.tasks).toHaveLength(1);
    const inProcess = await runCli(['say', '--emulator', 'Built in.', '-o', 'y.mp3'], { env: { ...env, HTTP_PROXY: dead }, cwd: fx.dir });
    expect(inProcess.code).toBe(0);
  });
});
