/**
 * Who a request belongs to: API keys (the configured ones, or any `sk-…`/`st-…` key when none are configured), and
 * the temporary tokens the emulator issued (protocol.md §6), each tied to the account of the key that made it.
 * Custom voices and uploaded files belong to an account; a token acts for its key's account until it expires.
 */
import { randomBytes } from 'node:crypto';
import { isAcceptedKey } from './handshake.js';

/** Lifetime of a token when the request names none, in seconds (protocol.md §6). */
export const DEFAULT_TOKEN_SECONDS = 60;
/** Longest lifetime a token may ask for, in seconds (protocol.md §6). */
export const MAX_TOKEN_SECONDS = 1800;
/** Prefix of temporary tokens. */
export const TOKEN_PREFIX = 'st-';

/** A token the emulator issued. */
interface IssuedToken {
  account: string;
  /** Epoch ms after which the token is refused. */
  expiresAt: number;
}

/** The accounts the emulator knows: keys and the tokens issued for them. */
export class Accounts {
  readonly #tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly keys: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The account `key` acts for, or undefined when it is refused: an issued token (refused once expired), else a key
   * the emulator accepts, which is its own account.
   */
  accountOf(key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    const token = this.#tokens.get(key);
    if (token !== undefined) return this.now() < token.expiresAt ? token.account : undefined;
    return isAcceptedKey(key, this.keys) ? key : undefined;
  }

  /**
   * Whether `key` may ask for a token: an accepted long-term key. Tokens do not make tokens (the service documents
   * only keys doing so, so a client that works here works there).
   */
  canIssueTokens(key: string | undefined): key is string {
    return key !== undefined && !key.startsWith(TOKEN_PREFIX) && isAcceptedKey(key, this.keys);
  }

  /** Issues a token for `account` living `seconds`; returns it and its expiry in Unix seconds. */
  issue(account: string, seconds: number): { token: string; expiresAt: number } {
    const token = `${TOKEN_PREFIX}${randomBytes(16).toString('hex')}`;
    const expiresAt = this.now() + seconds * 1000;
    // Kept after expiry: forgetting an expired token would let the any-`st-…` rule accept it again.
    this.#tokens.set(token, { account, expiresAt });
    return { token, expiresAt: Math.floor(expiresAt / 1000) };
  }
}
