/**
 * The proxy libraries, in a module of their own so that they load only when a proxy is in use (src/proxy.ts
 * imports this lazily): https-proxy-agent tunnels WebSockets (an http.Agent for ws), undici's ProxyAgent carries
 * fetch. Both send the proxy URL's credentials as Basic authentication.
 */
import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { fetch as undiciFetch, ProxyAgent } from 'undici';

/** An agent that tunnels through `proxy` with CONNECT. */
export function proxyAgent(proxy: URL): Agent {
  return new HttpsProxyAgent(proxy, { keepAlive: false });
}

/** A fetch whose requests go through `proxy`. */
export function proxiedFetch(proxy: URL): typeof fetch {
  const dispatcher = new ProxyAgent(proxy.href);
  const send = (input: string | URL, init?: RequestInit): ReturnType<typeof undiciFetch> =>
    undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
  // undici's Response is the same class as the global one in spirit but typed apart.
  return send as unknown as typeof fetch;
}
