/**
 * The emulator's HTTP API (`/api/v1/...`): a table of routes matched by method and exact path, each answering in the
 * service's JSON style. Unknown routes get 404 NotFound. New endpoints (voice enrollment, uploads, tokens) are added
 * as routes without touching the server.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTP_API_PATH } from './handshake.js';

/** What a route handler gets besides the request and response. */
export interface RouteContext {
  /** The request path below `/api/v1`, e.g. `/services/audio/tts/customization`. */
  path: string;
  /** The parsed query string. */
  query: URLSearchParams;
  /** The request id to put in the response. */
  requestId: string;
}

/** Handles one matched request; may be async. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, context: RouteContext) => void | Promise<void>;

/** One route: method and path below `/api/v1`. */
export interface Route {
  method: string;
  path: string;
  handle: RouteHandler;
}

/** The body of every JSON error of the HTTP API. */
export interface ApiErrorBody {
  code: string;
  message: string;
  request_id: string;
}

/** A JSON error body with a fresh request id. */
export function apiError(code: string, message: string, requestId: string = randomUUID()): ApiErrorBody {
  return { code, message, request_id: requestId };
}

/** Sends `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Status of an unknown route. */
const NOT_FOUND = 404;
/** Status of a handler that threw. */
const INTERNAL = 500;

/** A request listener dispatching to `routes`. */
export function createHttpRouter(routes: readonly Route[]): (req: IncomingMessage, res: ServerResponse) => void {
  return function routeRequest(req, res) {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const requestId = randomUUID();
    // A base URL written with a trailing slash gives `/api/v1//services/…`; gateways commonly fold repeated slashes
    // and a trailing one, and the service's behaviour is not documented, so the emulator folds them too.
    const pathname = url.pathname.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
    const under = pathname.startsWith(`${HTTP_API_PATH}/`) ? pathname.slice(HTTP_API_PATH.length) : undefined;
    const route = under === undefined ? undefined : routes.find((r) => r.method === req.method && r.path === under);
    if (route === undefined || under === undefined) {
      req.resume();
      sendJson(res, NOT_FOUND, apiError('NotFound', `No route for ${req.method ?? 'GET'} ${url.pathname}.`, requestId));
      return;
    }
    const context: RouteContext = { path: under, query: url.searchParams, requestId };
    Promise.resolve()
      .then(() => route.handle(req, res, context))
      .catch(function onRouteError(err: unknown) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        sendJson(res, INTERNAL, apiError('InternalError', message, requestId));
      });
  };
}
