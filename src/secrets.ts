/**
 * The secrets of this process (API keys, proxy passwords): registered once where they are read, and masked in
 * everything cosy writes for people or scripts — its two streams (cli/output.ts) and the files it keeps, such as a
 * batch ledger.
 */
const secrets = new Set<string>();

/** Registers a secret (an API key) so it is never printed. */
export function registerSecret(secret: string): void {
  if (secret.length >= 6) secrets.add(secret);
}

/** `text` with every registered secret replaced by a masked form. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(`${s.slice(0, 3)}…(redacted)`);
  }
  return out;
}
