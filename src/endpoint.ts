/**
 * Endpoint URLs: the secure scheme anywhere, the plain one only to this machine (the API key would otherwise travel
 * unencrypted). Checked where an endpoint is used and where one is configured.
 */
import { UsageError } from './errors.js';

/** Whether a hostname is the local machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h.endsWith('.localhost');
}

/**
 * Checks an endpoint URL: the secure scheme anywhere, the plain one only for loopback hosts.
 * @throws UsageError naming the option and the rule.
 */
export function checkEndpoint(url: string, kind: 'websocket' | 'http', source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${source}: ${JSON.stringify(url)} is not a URL`);
  }
  const [secure, plain] = kind === 'websocket' ? ['wss:', 'ws:'] : ['https:', 'http:'];
  if (parsed.protocol === plain) {
    if (!isLoopbackHost(parsed.hostname)) {
      throw new UsageError(`${source}: ${plain}// is allowed only for this machine (loopback); use ${secure}// for ${parsed.hostname}`, {
        hint: 'plain connections would send the API key unencrypted',
      });
    }
  } else if (parsed.protocol !== secure) {
    throw new UsageError(`${source}: expected a ${secure}// URL, got ${parsed.protocol}//`);
  }
  if (parsed.username || parsed.password) throw new UsageError(`${source}: credentials in the URL are not allowed`);
  return kind === 'http' ? url.replace(/\/+$/, '') : url;
}
