/**
 * The WebSocket handshake as the service checks it (pure): which paths serve inference, where the API key comes
 * from (Authorization header, or `?api_key=` like the browser demo), which keys are accepted, and the headers the
 * emulator records for tests.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The inference path; a trailing slash is accepted too (PY-SDK omits it, JAVA-SDK and the docs add it). */
export const INFERENCE_PATH = '/api-ws/v1/inference';
/** Prefix of the HTTP API. */
export const HTTP_API_PATH = '/api/v1';
/** Prefixes of keys accepted when no key list is configured: API keys and temporary tokens. */
export const KEY_PREFIXES = ['sk-', 'st-'] as const;

/** The handshake headers a task records. */
export interface HandshakeHeaders {
  /** The Authorization scheme exactly as sent (`Bearer`, `bearer`), or undefined without the header. */
  authorizationScheme: string | undefined;
  userAgent: string | undefined;
  workspace: string | undefined;
  dataInspection: string | undefined;
}

/** The key a client presented and how. */
export interface PresentedKey {
  key: string | undefined;
  scheme: string | undefined;
}

/** A request URL parsed against a dummy origin (only path and query matter). */
function parseUrl(url: string | undefined): URL {
  return new URL(url ?? '/', 'http://emulator.invalid');
}

/** Whether an upgrade request targets the inference endpoint. */
export function isInferencePath(url: string | undefined): boolean {
  const path = parseUrl(url).pathname;
  return path === INFERENCE_PATH || path === `${INFERENCE_PATH}/`;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The key from `Authorization: Bearer <key>` (scheme case-insensitive) or, failing that, `?api_key=`. */
export function presentedKey(headers: IncomingHttpHeaders, url: string | undefined): PresentedKey {
  const authorization = headerValue(headers, 'authorization');
  const m = authorization === undefined ? null : /^\s*(\S+)\s+(\S+)\s*$/u.exec(authorization);
  if (m !== null && m[1]?.toLowerCase() === 'bearer') return { key: m[2], scheme: m[1] };
  const query = parseUrl(url).searchParams.get('api_key');
  return { key: query === null || query === '' ? undefined : query, scheme: m?.[1] };
}

/** Whether the emulator accepts `key`: one of `keys`, or when none are configured any `sk-…`/`st-…` key. */
export function isAcceptedKey(key: string | undefined, keys: readonly string[]): boolean {
  if (key === undefined) return false;
  if (keys.length > 0) return keys.includes(key);
  return KEY_PREFIXES.some((prefix) => key.length > prefix.length && key.startsWith(prefix));
}

/** The headers recorded for every task of a connection. */
export function handshakeHeaders(headers: IncomingHttpHeaders, presented: PresentedKey): HandshakeHeaders {
  return {
    authorizationScheme: presented.scheme,
    userAgent: headerValue(headers, 'user-agent'),
    workspace: headerValue(headers, 'x-dashscope-workspace'),
    dataInspection: headerValue(headers, 'x-dashscope-datainspection'),
  };
}
