import { describe, expect, it } from 'vitest';
import { AuthError, NetworkError, ProtocolError, ServiceError, TimeoutError } from '../../../src/errors.js';
import { errorForStatus, HttpClient, withRetries, type HttpClientOptions } from '../../../src/voices/http-client.js';
import { parseApiError } from '../../../src/protocol/api-error.js';

/** A fetch that answers from a list (one per call) and records the requests. */
function fakeFetch(answers: Array<Response | Error>): { fetch: typeof fetch; calls: Array<{ url: string; init: RequestInit | undefined }> } {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    const next = answers.shift();
    if (next === undefined) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function client(answers: Array<Response | Error>, options: Partial<HttpClientOptions> = {}) {
  const fake = fakeFetch(answers);
  const sleeps: number[] = [];
  const c = new HttpClient({
    baseUrl: 'https://dashscope.example/api/v1/',
    apiKey: 'sk-secret',
    userAgent: 'cosy/test',
    fetch: fake.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { c, calls: fake.calls, sleeps };
}

describe('HttpClient', () => {
  it('sends the SDK headers and the JSON body, and returns the parsed answer', async () => {
    const { c, calls } = client([json(200, { output: { ok: 1 } })], { workspace: 'ws-1' });
    const body = await c.request({ method: 'POST', path: '/services/x', body: { a: 1 }, headers: { 'X-Extra': 'yes' } });
    expect(body).toEqual({ output: { ok: 1 } });
    expect(calls[0]?.url).toBe('https://dashscope.example/api/v1/services/x');
    expect(calls[0]?.init?.headers).toMatchObject({
      Authorization: 'Bearer sk-secret',
      'user-agent': 'cosy/test',
      'X-DashScope-WorkSpace': 'ws-1',
      'Content-Type': 'application/json; charset=utf-8',
      Accept: 'application/json; charset=utf-8',
      'X-Extra': 'yes',
    });
    expect(calls[0]?.init?.body).toBe('{"a":1}');
  });

  it('puts the query on GET requests and sends no body or workspace header when unset', async () => {
    const { c, calls } = client([json(200, {})]);
    await c.request({ method: 'GET', path: '/uploads', query: { action: 'getPolicy', model: 'voice-enrollment' } });
    expect(calls[0]?.url).toBe('https://dashscope.example/api/v1/uploads?action=getPolicy&model=voice-enrollment');
    expect(calls[0]?.init?.body).toBeUndefined();
    expect(Object.keys(calls[0]?.init?.headers ?? {})).not.toContain('X-DashScope-WorkSpace');
  });

  it.each([401, 403])('turns %i into an AuthError with a region hint and does not retry', async (status) => {
    const { c, calls } = client([json(status, { code: 'InvalidApiKey', message: 'Invalid API-key provided.', request_id: 'r1' })]);
    const err = await c.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).exitCode).toBe(3);
    expect((err as AuthError).message).toContain('InvalidApiKey: Invalid API-key provided. (request r1)');
    expect((err as AuthError).hint).toMatch(/--region cn/);
    expect(calls).toHaveLength(1);
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    const { c, calls, sleeps } = client([json(429, { code: 'Throttling.RateQuota', message: 'slow down' }), json(503, { code: 'ModelUnavailable', message: 'busy' }), json(200, { ok: true })]);
    expect(await c.request({ method: 'GET', path: '/x' })).toEqual({ ok: true });
    expect(calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] ?? 0);
  });

  it('gives up after the retries with the last ServiceError', async () => {
    const { c, calls } = client([json(500, { code: 'InternalError', message: 'a' }), json(500, { code: 'InternalError', message: 'b' })], { retries: 1 });
    const err = await c.request({ method: 'GET', path: '/x' }, 'the thing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).message).toBe('the service refused the thing: InternalError: b');
    expect((err as ServiceError).status).toBe(500);
    expect(calls).toHaveLength(2);
  });

  it('does not retry a 400 and keeps the service code and message', async () => {
    const { c, calls } = client([json(400, { code: 'InvalidParameter', message: 'bad prefix', request_id: 'abc' })]);
    const err = (await c.request({ method: 'POST', path: '/x', body: {} }).catch((e: unknown) => e)) as ServiceError;
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.serviceCode).toBe('InvalidParameter');
    expect(err.serviceMessage).toBe('bad prefix');
    expect(err.retryable).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('reports a 2xx body that is not JSON as a ProtocolError', async () => {
    const { c } = client([new Response('<html>', { status: 200 })]);
    await expect(c.request({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(ProtocolError);
  });

  it('turns connection failures into retried NetworkErrors', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const { c, calls } = client([refused, refused, refused]);
    const err = await c.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).message).toBe('cannot reach dashscope.example: ECONNREFUSED');
    expect(calls).toHaveLength(3);
  });

  it('times out a request that takes too long', async () => {
    const hanging = (async (_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as typeof fetch;
    const c = new HttpClient({ baseUrl: 'https://h.example/api/v1', apiKey: 'k', userAgent: 'u', fetch: hanging, timeoutMs: 20, retries: 0 });
    const err = await c.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).exitCode).toBe(5);
  });

  it('stops at once when the user aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted');
    const hanging = (async (_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as typeof fetch;
    const c = new HttpClient({ baseUrl: 'https://h.example/api/v1', apiKey: 'k', userAgent: 'u', fetch: hanging, signal: controller.signal });
    const pending = c.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    controller.abort(reason);
    expect(await pending).toBe(reason);
  });
});

describe('parseApiError and errorForStatus', () => {
  it.each([
    ['{"code":"InvalidParameter","message":"m","request_id":"r"}', { code: 'InvalidParameter', message: 'm', requestId: 'r' }],
    ['{"error_code":"E","error_message":"x"}', { code: 'E', message: 'x', requestId: undefined }],
    ['Bad Gateway', { code: '', message: 'Bad Gateway', requestId: undefined }],
    ['[]', { code: '', message: '[]', requestId: undefined }],
  ])('reads %s', (text, expected) => {
    expect(parseApiError(text)).toEqual(expected);
  });

  it('maps statuses to error classes', () => {
    expect(errorForStatus(401, { code: '', message: '', requestId: undefined }, 'x')).toBeInstanceOf(AuthError);
    const e = errorForStatus(502, { code: '', message: '', requestId: undefined }, 'x') as ServiceError;
    expect(e).toBeInstanceOf(ServiceError);
    expect(e.message).toBe('the service refused x: HTTP 502');
    expect(e.retryable).toBe(true);
  });
});

describe('withRetries', () => {
  it('does not retry errors that are not retryable', async () => {
    let n = 0;
    await expect(
      withRetries(
        async () => {
          n++;
          throw new Error('plain');
        },
        { retries: 3, sleep: async () => undefined },
      ),
    ).rejects.toThrow('plain');
    expect(n).toBe(1);
  });
});
