/**
 * A small client for the DashScope HTTP API on Node's global fetch: base URL, the SDKs' headers (bearer key,
 * user-agent, workspace), JSON in and out, a timeout per attempt, the service's JSON errors turned into cosy's typed
 * errors, and bounded retries of retryable failures (the policy of tts/retry.ts).
 */
import { AuthError, isAbortError, NetworkError, ProtocolError, ServiceError, TimeoutError, type CosyError } from '../errors.js';
import { parseApiError, type ApiErrorFields } from '../protocol/api-error.js';
import { abortableSleep, DEFAULT_RETRIES, isRetryable, retryDelayMs } from '../tts/retry.js';

/** Time one HTTP request may take, unless the caller says otherwise. */
export const DEFAULT_HTTP_TIMEOUT_MS = 120_000;

/** How to reach the HTTP API. */
export interface HttpClientOptions {
  /** API base, e.g. `https://dashscope.aliyuncs.com/api/v1` (no trailing slash needed). */
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  /** Sent as `X-DashScope-WorkSpace` when set. */
  workspace?: string | undefined;
  /** Per attempt; default DEFAULT_HTTP_TIMEOUT_MS. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt of a retryable failure; default DEFAULT_RETRIES. */
  retries?: number | undefined;
  /** Aborts every request (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** The fetch to use; default the global one (tests inject their own). */
  fetch?: typeof fetch | undefined;
  /** Receives one line per request and retry, for --verbose. */
  log?: ((line: string) => void) | undefined;
  /** Waits between retries; default a timer that the signal cancels. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/** One request: method, path below the base, optional query, JSON body and extra headers. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string> | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
}




/** HTTP statuses that mean "wrong key, wrong region, or no access". */
const AUTH_STATUSES = new Set([401, 403]);

/** The typed error for a non-2xx response. */
export function errorForStatus(status: number, fields: ApiErrorFields, what: string): CosyError {
  const label = [fields.code, fields.message].filter((s) => s !== '').join(': ') || `HTTP ${status}`;
  const suffix = fields.requestId !== undefined ? ` (request ${fields.requestId})` : '';
  if (AUTH_STATUSES.has(status)) {
    return new AuthError(`the service rejected the API key (${status}): ${label}${suffix}`, {
      code: 'AUTH',
      status,
      hint:
        'check the key, and that it belongs to the region you use: Beijing keys work with --region cn, Singapore keys ' +
        'with --region intl (and the account must have access to voice enrollment)',
    });
  }
  return new ServiceError(fields.code, fields.message, {
    status,
    message: `the service refused ${what}: ${label}${suffix}`,
  });
}

/** The DashScope HTTP API client. */
export class HttpClient {
  readonly #options: HttpClientOptions;

  constructor(options: HttpClientOptions) {
    this.#options = options;
  }

  /** The abort signal requests follow (Ctrl-C). */
  get signal(): AbortSignal | undefined {
    return this.#options.signal;
  }

  /**
   * Sends a request (retrying retryable failures) and returns the parsed JSON body of the 2xx response.
   * @throws AuthError on 401/403, ServiceError on other non-2xx answers, NetworkError/TimeoutError, ProtocolError
   * when a 2xx body is not JSON.
   */
  async request(request: HttpRequest, what = 'the request'): Promise<unknown> {
    return withRetries(() => this.#attempt(request, what), {
      retries: this.#options.retries ?? DEFAULT_RETRIES,
      signal: this.#options.signal,
      sleep: this.#options.sleep,
      log: this.#options.log,
    });
  }

  /** The URL of a path below the base, with the query. */
  urlFor(path: string, query?: Record<string, string>): string {
    const base = this.#options.baseUrl.replace(/\/+$/u, '');
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url.toString();
  }

  async #attempt(request: HttpRequest, what: string): Promise<unknown> {
    const o = this.#options;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${o.apiKey}`,
      Accept: 'application/json; charset=utf-8',
      'user-agent': o.userAgent,
      ...(o.workspace !== undefined && o.workspace !== '' ? { 'X-DashScope-WorkSpace': o.workspace } : {}),
      ...(request.body !== undefined ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
      ...request.headers,
    };
    const url = this.urlFor(request.path, request.query);
    const timeoutMs = o.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = o.signal !== undefined ? AbortSignal.any([o.signal, timeout]) : timeout;
    o.log?.(`${request.method} ${url}`);
    let response: Response;
    let text: string;
    try {
      response = await (o.fetch ?? fetch)(url, {
        method: request.method,
        headers,
        body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
        signal,
      });
      text = await response.text();
    } catch (err) {
      throw networkFailure(err, url, timeoutMs, timeout, o.signal);
    }
    if (response.status < 200 || response.status > 299) throw errorForStatus(response.status, parseApiError(text), what);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ProtocolError(`the service answered ${what} with something that is not JSON (HTTP ${response.status})`, {
        hint: 'check --http-endpoint: it should be the DashScope API base, e.g. https://dashscope.aliyuncs.com/api/v1',
      });
    }
  }
}

/** Turns a fetch failure into an abort (rethrown as is), a TimeoutError or a NetworkError. */
export function networkFailure(err: unknown, url: string, timeoutMs: number, timeout: AbortSignal, user?: AbortSignal): unknown {
  if (user?.aborted) return user.reason ?? err;
  if (timeout.aborted || (err instanceof Error && err.name === 'TimeoutError')) {
    return new TimeoutError(`no answer from ${new URL(url).host} within ${Math.round(timeoutMs / 1000)} s`, { cause: err });
  }
  if (isAbortError(err)) return err;
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const reason = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
  return new NetworkError(`cannot reach ${new URL(url).host}: ${reason}`, {
    cause: err,
    hint: 'check the network and --http-endpoint (or DASHSCOPE_HTTP_BASE_URL)',
  });
}

/** Retry settings of withRetries. */
export interface RetryOptions {
  retries: number;
  signal?: AbortSignal | undefined;
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  log?: ((line: string) => void) | undefined;
}

/** Runs `attempt`, repeating it after retryable failures up to `retries` times with the backoff of tts/retry.ts. */
export async function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= options.retries || !isRetryable(err) || options.signal?.aborted) throw err;
      const delay = retryDelayMs(n);
      options.log?.(`${(err as Error).message}; retry ${n + 1} of ${options.retries} in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay, options.signal);
    }
  }
}
