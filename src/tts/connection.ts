/**
 * One WebSocket connection to the service: opens it with the right headers and a handshake timeout, turns
 * handshake rejections into typed errors, and exposes incoming frames as a pull queue with backpressure
 * (the socket is paused while too many received bytes wait to be consumed).
 */
import WebSocket from 'ws';
import type { WebSocketProxy } from '../proxy.js';
import type { IncomingMessage } from 'node:http';
import { AuthError, NetworkError, ServiceError, TimeoutError, isAbortError } from '../errors.js';
import { parseApiError } from '../protocol/api-error.js';
import { RECEIVE_HIGH_WATER_BYTES } from './timeouts.js';

/** A frame received from the server, or the end of the connection. */
export type Frame =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; data: Buffer }
  | { kind: 'closed'; code: number; reason: string; error?: Error }
  | { kind: 'interrupt'; error: unknown; tag: string };

/** What a connection needs to open. */
export interface ConnectionOptions {
  url: string;
  apiKey: string;
  userAgent: string;
  workspace?: string | undefined;
  connectTimeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The proxy to tunnel through, if any (src/proxy.ts). */
  proxy?: WebSocketProxy | undefined;
}

let nextConnectionId = 1;

/** An open WebSocket to the service. */
export class Connection {
  /** Sequence number of this connection within the process, for logs. */
  readonly id = nextConnectionId++;
  /** When the upgrade completed (ms since epoch). */
  readonly openedAt = Date.now();
  /** Last time a task ended on this connection or a frame arrived (ms since epoch). */
  lastActivity = Date.now();

  readonly #ws: WebSocket;
  readonly #queue: Frame[] = [];
  #queuedBytes = 0;
  #waiter: ((frame: Frame) => void) | undefined;
  #closed: Frame | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.#onClose(code, reason.toString('utf8')));
    ws.on('error', (err) => this.#onError(err));
  }

  /**
   * Opens a connection.
   * @throws AuthError on 401/403 at the handshake, ServiceError on 429/5xx, NetworkError or TimeoutError otherwise.
   */
  static open(options: ConnectionOptions): Promise<Connection> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${options.apiKey}`,
      'user-agent': options.userAgent,
    };
    if (options.workspace) headers['X-DashScope-WorkSpace'] = options.workspace;
    return new Promise<Connection>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(abortReason(options.signal));
        return;
      }
      const ws = new WebSocket(options.url, {
        headers,
        handshakeTimeout: options.connectTimeoutMs,
        perMessageDeflate: false,
        maxPayload: 64 * 1024 * 1024,
        ...(options.proxy !== undefined ? { agent: options.proxy.agent } : {}),
      });
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = (): void => {
        ws.terminate();
        settle(() => reject(abortReason(options.signal)));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      ws.once('unexpected-response', (_req, res) => {
        readBody(res).then((body) => {
          ws.terminate();
          settle(() => reject(handshakeError(res.statusCode ?? 0, body, options.url, options.proxy)));
        }, () => undefined);
      });
      ws.once('open', () => settle(() => resolve(new Connection(ws))));
      ws.once('error', (err) => {
        settle(() => reject(connectError(err, options.url, options.connectTimeoutMs, options.proxy)));
      });
    });
  }

  /** Whether the socket can still send. */
  get isOpen(): boolean {
    return this.#closed === undefined && this.#ws.readyState === WebSocket.OPEN;
  }

  /** Sends one text frame; resolves when it was handed to the OS. */
  send(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject(new NetworkError('the connection to the service is closed'));
        return;
      }
      this.#ws.send(text, (err) => {
        if (err) reject(new NetworkError(`sending to the service failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  /** The next frame, waiting for it if necessary. After the connection ends, always the `closed` frame. */
  next(): Promise<Frame> {
    const frame = this.#queue.shift();
    if (frame !== undefined) {
      if (frame.kind === 'binary') this.#queuedBytes -= frame.data.length;
      if (this.#ws.isPaused && this.#queuedBytes < RECEIVE_HIGH_WATER_BYTES / 2) this.#ws.resume();
      return Promise.resolve(frame);
    }
    if (this.#closed) return Promise.resolve(this.#closed);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /**
   * Queues a synthetic frame that makes the reader stop with `error` (a sender failure, a timer, an abort).
   * `tag` names the task it belongs to, so a stale interrupt never reaches a later task.
   */
  interrupt(error: unknown, tag: string): void {
    this.#push({ kind: 'interrupt', error, tag });
  }

  /** Closes the connection (normal closure). Safe to call more than once. */
  close(): void {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) {
      this.#ws.close(1000);
      // Do not wait for the server's close frame forever.
      setTimeout(() => this.#ws.terminate(), 1000).unref();
    }
  }

  /** Drops the connection at once. */
  terminate(): void {
    this.#ws.terminate();
  }

  #push(frame: Frame): void {
    if (frame.kind !== 'interrupt') this.lastActivity = Date.now();
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(frame);
      return;
    }
    this.#queue.push(frame);
    if (frame.kind === 'binary') {
      this.#queuedBytes += frame.data.length;
      if (this.#queuedBytes > RECEIVE_HIGH_WATER_BYTES && !this.#ws.isPaused) this.#ws.pause();
    }
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) this.#push({ kind: 'binary', data: buf });
    else this.#push({ kind: 'text', data: buf.toString('utf8') });
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = { kind: 'closed', code, reason };
    this.#push(this.#closed);
  }

  #onError(err: Error): void {
    if (this.#closed) return;
    this.#closed = { kind: 'closed', code: 1006, reason: err.message, error: err };
    this.#push(this.#closed);
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < 64 * 1024) chunks.push(c);
      size += c.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}


/** The typed error for a rejected WebSocket upgrade (`proxy`: the proxy it went through, if any). */
export function handshakeError(status: number, body: string, url: string, proxy?: WebSocketProxy): Error {
  const { code, message } = parseApiError(body);
  const detail = [code, message].filter(Boolean).join(': ');
  const host = safeHost(url);
  if (status === 407 && proxy !== undefined) {
    return new AuthError(`the proxy ${proxy.name} ${proxy.withCredentials ? 'refused the credentials of its URL' : 'wants credentials'} (HTTP 407) for ${host}`, {
      status,
      code: 'PROXY_AUTH',
      hint: proxy.withCredentials
        ? 'check the user and password in --proxy or HTTPS_PROXY/HTTP_PROXY (special characters must be percent-encoded)'
        : 'put them in the proxy URL: --proxy http://user:password@host:port (or in HTTPS_PROXY/HTTP_PROXY)',
    });
  }
  if (status === 401 || status === 403) {
    return new AuthError(
      `the service rejected the API key (HTTP ${status}${detail ? `, ${detail}` : ''}) at ${host}`,
      {
        status,
        code: 'AUTH_REJECTED',
        hint:
          'keys are region-specific: a Beijing (cn) key does not work on the Singapore (intl) endpoint and vice versa. ' +
          'Check DASHSCOPE_API_KEY and --region/--endpoint; a workspace key also needs the right --workspace',
      },
    );
  }
  if (status === 429 || status >= 500) {
    return new ServiceError(code || `HTTP${status}`, message || `HTTP ${status} at the WebSocket handshake`, { status });
  }
  return new NetworkError(`the WebSocket upgrade to ${host} failed with HTTP ${status}${detail ? ` (${detail})` : ''}`, {
    code: 'HANDSHAKE',
    hint: status === 404 ? 'the endpoint URL path is wrong; it should end in /api-ws/v1/inference' : undefined,
  });
}

/** The error for a failed connection attempt; `proxy` is the proxy the attempt went through, if any. */
function connectError(err: Error, url: string, timeoutMs: number, proxy?: WebSocketProxy): Error {
  if (isAbortError(err)) return err;
  const host = proxy === undefined ? safeHost(url) : `the proxy ${proxy.name} (on the way to ${safeHost(url)})`;
  const code = (err as { code?: unknown }).code;
  if (/Opening handshake has timed out/i.test(err.message)) {
    return new TimeoutError(`could not connect to ${host} within ${timeoutMs} ms`, {
      hint: 'check the network, a proxy or firewall, or raise --connect-timeout',
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new NetworkError(`cannot resolve the host of ${host} (${String(code)})`, {
      code: 'DNS',
      cause: err,
      hint: 'check the endpoint spelling and DNS, or whether this machine is offline',
    });
  }
  if (code === 'ECONNREFUSED') {
    return new NetworkError(`connection refused by ${host}`, {
      code: 'REFUSED',
      cause: err,
      hint: proxy === undefined ? 'is the endpoint (or the emulator) running?' : 'is the proxy running? check --proxy or HTTPS_PROXY/HTTP_PROXY',
    });
  }
  if (typeof code === 'string' && /CERT|SSL|TLS/.test(code)) {
    return new NetworkError(`TLS failure connecting to ${host}: ${err.message}`, {
      code: 'TLS',
      cause: err,
      hint: 'the local certificate store may be broken; NODE_EXTRA_CA_CERTS can add a CA',
    });
  }
  return new NetworkError(`cannot connect to ${host}: ${err.message}`, { cause: err });
}

/** The URL without credentials or query (query strings may carry api_key). */
export function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
