/**
 * `POST /api/v1/tokens` (protocol.md §6): a long-term key asks for a temporary token, optionally with
 * `?expire_in_seconds=` (1–1800, default 60). The token works wherever the key does, WebSocket handshake included,
 * for the key's account, until it expires; a connection opened before expiry keeps working (checked at the
 * handshake only).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_TOKEN_SECONDS, MAX_TOKEN_SECONDS, type Accounts } from './accounts.js';
import { presentedKey } from './handshake.js';
import { apiError, sendJson, type RouteContext, type RouteHandler } from './http-router.js';
import { MESSAGES } from './service-errors.js';

/** Path of the token endpoint below /api/v1. */
export const TOKENS_PATH = '/tokens';

/** The route handler issuing tokens for the keys `accounts` accepts. */
export function tokensHandler(accounts: Accounts, log: (line: string) => void): RouteHandler {
  return function issueToken(req: IncomingMessage, res: ServerResponse, context: RouteContext): void {
    req.resume();
    const { key } = presentedKey(req.headers, req.url);
    const account = accounts.canIssueTokens(key) ? accounts.accountOf(key) : undefined;
    if (account === undefined) {
      sendJson(res, 401, apiError('InvalidApiKey', MESSAGES.invalidApiKey, context.requestId));
      return;
    }
    const raw = context.query.get('expire_in_seconds');
    const seconds = raw === null || raw === '' ? DEFAULT_TOKEN_SECONDS : Number(raw);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TOKEN_SECONDS) {
      // Our wording: the service's text for this is not documented.
      const message = `Invalid parameter 'expire_in_seconds': expected a whole number from 1 to ${MAX_TOKEN_SECONDS}.`;
      sendJson(res, 400, apiError('InvalidParameter', message, context.requestId));
      return;
    }
    const { token, expiresAt } = accounts.issue(account, seconds);
    log(`token issued, valid for ${seconds} s`);
    sendJson(res, 200, { token, expires_at: expiresAt });
  };
}
