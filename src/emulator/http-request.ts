/**
 * Request-side helpers of the emulator's HTTP API: the API key check (the same rules as the WebSocket handshake,
 * answered with the service's 401 JSON) and reading a request body with a size limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Accounts } from './accounts.js';
import { presentedKey } from './handshake.js';
import { apiError, sendJson } from './http-router.js';
import { MESSAGES } from './service-errors.js';

/** Status of a rejected key. */
const UNAUTHORIZED = 401;

/**
 * The caller's account when its key or token is accepted; otherwise answers 401 `InvalidApiKey` (the handshake's
 * body) and returns undefined.
 */
export function authorize(req: IncomingMessage, res: ServerResponse, accounts: Accounts, requestId: string): string | undefined {
  const account = accounts.accountOf(presentedKey(req.headers, req.url).key);
  if (account !== undefined) return account;
  req.resume();
  sendJson(res, UNAUTHORIZED, apiError('InvalidApiKey', MESSAGES.invalidApiKey, requestId));
  return undefined;
}

/** A body over the limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The whole request body, or BodyTooLargeError as soon as it passes `limit` bytes (the rest is drained unread).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

/** The first value of a request header. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
