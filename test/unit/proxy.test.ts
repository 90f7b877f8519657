import { afterEach, describe, expect, it } from 'vitest';
import { describeProxy, parseProxyUrl, PROXY_LOOPBACK_ENV, resolveProxies } from '../../src/proxy.js';

const REMOTE = { websocketUrl: 'wss://dashscope.aliyuncs.com/api-ws/v1/inference', httpUrl: 'https://dashscope.aliyuncs.com/api/v1' };
const LOCAL = { websocketUrl: 'ws://127.0.0.1:8765/api-ws/v1/inference', httpUrl: 'http://localhost:8765/api/v1' };
const VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];

/** Sets proxy variables for one test (proxy-from-env reads process.env). */
function setEnv(values: Record<string, string>): void {
  for (const name of VARS) delete process.env[name];
  Object.assign(process.env, values);
}

const saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const name of VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const href = (url: URL | undefined): string | undefined => url?.href;

describe('resolveProxies', () => {
  it('uses nothing without --proxy or proxy variables', () => {
    setEnv({});
    expect(resolveProxies(REMOTE, undefined, process.env)).toEqual({ webSocket: undefined, http: undefined });
  });

  it('takes HTTPS_PROXY for wss:// and https:// (the WebSocket follows its HTTP twin), and NO_PROXY wins', () => {
    setEnv({ HTTPS_PROXY: 'http://proxy.corp:3128' });
    const both = resolveProxies(REMOTE, undefined, process.env);
    expect([href(both.webSocket), href(both.http)]).toEqual(['http://proxy.corp:3128/', 'http://proxy.corp:3128/']);
    setEnv({ HTTP_PROXY: 'http://proxy.corp:3128' });
    expect(resolveProxies(REMOTE, undefined, process.env)).toEqual({ webSocket: undefined, http: undefined });
    setEnv({ https_proxy: 'proxy.corp:3128', no_proxy: '.aliyuncs.com' });
    expect(resolveProxies(REMOTE, undefined, process.env)).toEqual({ webSocket: undefined, http: undefined });
  });

  it('lets --proxy override the environment, for both endpoints', () => {
    setEnv({ HTTPS_PROXY: 'http://env.proxy:1' });
    const routes = resolveProxies(REMOTE, 'http://flag.proxy:2', process.env);
    expect([href(routes.webSocket), href(routes.http)]).toEqual(['http://flag.proxy:2/', 'http://flag.proxy:2/']);
  });

  it('never proxies this machine, whatever is set, except under the test seam', () => {
    setEnv({ HTTP_PROXY: 'http://proxy.corp:3128', ALL_PROXY: 'http://proxy.corp:3128' });
    expect(resolveProxies(LOCAL, 'http://flag.proxy:2', process.env)).toEqual({ webSocket: undefined, http: undefined });
    const seam = resolveProxies(LOCAL, undefined, { ...process.env, [PROXY_LOOPBACK_ENV]: '1' });
    expect([href(seam.webSocket), href(seam.http)]).toEqual(['http://proxy.corp:3128/', 'http://proxy.corp:3128/']);
  });

  it('names a bad proxy variable like a bad flag', () => {
    setEnv({ HTTPS_PROXY: 'socks5://proxy.corp:1080' });
    expect(() => resolveProxies(REMOTE, undefined, process.env)).toThrow(/proxy environment variable.*socks5:\/\/ proxies are not supported/);
  });
});

describe('parseProxyUrl and describeProxy', () => {
  it('accepts http and https proxies and describes them without credentials', () => {
    const url = parseProxyUrl('http://ana:pw@proxy.corp:3128', '--proxy');
    expect(describeProxy(url)).toBe('http://proxy.corp:3128');
    expect(describeProxy(parseProxyUrl('https://proxy.corp', '--proxy'))).toBe('https://proxy.corp');
    expect(describeProxy(parseProxyUrl('proxy.corp:3128', '--proxy'))).toBe('http://proxy.corp:3128');
  });

  it.each([
    ['socks5://proxy:1080', '--proxy: socks5:// proxies are not supported'],
    ['ftp://proxy.corp:21', '--proxy: ftp:// proxies are not supported'],
    ['http://ana:pw@', '--proxy: "http://…@" is not a URL'],
  ])('refuses %j', (value, message) => {
    expect(() => parseProxyUrl(value, '--proxy')).toThrow(message);
  });
});
