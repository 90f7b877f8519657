/**
 * Proxies: which proxy, if any, carries a connection to the service. `--proxy URL` sets one for every connection;
 * otherwise the conventional environment variables decide per URL (HTTPS_PROXY/HTTP_PROXY/ALL_PROXY, lower case too,
 * and NO_PROXY; the WebSocket schemes follow their HTTP twins, wss → HTTPS_PROXY), read by proxy-from-env. This
 * machine itself (the emulator) is never reached through a proxy, as Go's HTTP client does.
 *
 * Only HTTP proxies are supported (CONNECT tunnels, also to an `https://` proxy); credentials in the proxy URL are
 * sent as Basic authentication and never printed.
 */
import type { Agent } from 'node:http';
import { getProxyForUrl } from 'proxy-from-env';
import { isLoopbackHost } from './endpoint.js';
import { UsageError } from './errors.js';

/** Test seam: when "1", loopback URLs may be proxied too (the tests' proxy and emulator both run on loopback). */
export const PROXY_LOOPBACK_ENV = 'COSY_TEST_PROXY_LOOPBACK';

/** A proxy a WebSocket goes through: the agent that tunnels, and the proxy's name for messages. */
export interface WebSocketProxy {
  agent: Agent;
  /** Scheme, host and port (describeProxy). */
  name: string;
  /** Whether the proxy URL carries credentials. */
  withCredentials: boolean;
}

/** How connections reach the service: a proxy per endpoint, or none. */
export interface ProxyRoutes {
  /** The proxy of the WebSocket endpoint. */
  webSocket: URL | undefined;
  /** The proxy of the HTTP API. */
  http: URL | undefined;
}

/**
 * Checks a proxy URL (from `source`): http or https (`host:port` alone means http, as in curl), with a host.
 * @throws UsageError naming the source.
 */
export function parseProxyUrl(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new UsageError(`${source}: ${JSON.stringify(redactProxy(value))} is not a URL`, { hint: 'write it as http://host:port' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: ${url.protocol}// proxies are not supported`, { hint: 'use an HTTP proxy: http://host:port (or https://)' });
  }
  if (url.hostname === '') throw new UsageError(`${source}: the proxy URL has no host`);
  return url;
}

/** A proxy URL for messages: scheme, host and port only (no credentials). */
export function describeProxy(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** `value` with any user:password@ part removed, for messages about a proxy URL that did not parse. */
function redactProxy(value: string): string {
  return value.replace(/\/\/[^/@]*@/u, '//…@');
}

/** The proxy for one endpoint URL: the explicit one, else the environment's; never for loopback (see the seam). */
function proxyForUrl(target: string, explicit: URL | undefined, env: NodeJS.ProcessEnv): URL | undefined {
  const host = new URL(target).hostname;
  if (isLoopbackHost(host) && env[PROXY_LOOPBACK_ENV] !== '1') return undefined;
  if (explicit !== undefined) return explicit;
  // The WebSocket schemes take their HTTP twins' variables (wss → HTTPS_PROXY), as curl and the SDKs' HTTP stacks
  // do. proxy-from-env reads process.env; in the CLI `env` is process.env (tests of these rules spawn cosy).
  const fromEnv = getProxyForUrl(target.replace(/^ws(s?):/u, 'http$1:'));
  return fromEnv === '' ? undefined : parseProxyUrl(fromEnv, 'the proxy environment variable (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY)');
}

/** The proxies of both endpoints, from `--proxy` (`explicit`) or the environment. */
export function resolveProxies(
  endpoints: { websocketUrl: string; httpUrl: string },
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
): ProxyRoutes {
  const flag = explicit === undefined || explicit === '' ? undefined : parseProxyUrl(explicit, '--proxy');
  return {
    webSocket: proxyForUrl(endpoints.websocketUrl, flag, env),
    http: proxyForUrl(endpoints.httpUrl, flag, env),
  };
}

/**
 * Loads the proxy libraries. They log through `debug`, which DEBUG=* switches on and which would print the proxy URL
 * with its credentials; `debug` reads DEBUG once, when it loads, so it loads with DEBUG hidden.
 */
async function loadProxyAgents(): Promise<typeof import('./proxy-agents.js')> {
  const saved = process.env['DEBUG'];
  delete process.env['DEBUG'];
  try {
    return await import('./proxy-agents.js');
  } finally {
    if (saved !== undefined) process.env['DEBUG'] = saved;
  }
}

/** The WebSocket side of `proxy`: an agent that tunnels through it (the proxy libraries load only when used). */
export async function webSocketProxy(proxy: URL): Promise<WebSocketProxy> {
  const { proxyAgent } = await loadProxyAgents();
  return { agent: proxyAgent(proxy), name: describeProxy(proxy), withCredentials: proxy.username !== '' || proxy.password !== '' };
}

/** A fetch that goes through `proxy` (the proxy libraries load only when used). */
export async function proxyFetch(proxy: URL): Promise<typeof fetch> {
  const { proxiedFetch } = await loadProxyAgents();
  return proxiedFetch(proxy);
}
