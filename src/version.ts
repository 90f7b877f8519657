/**
 * cosy's version and the user-agent it sends, in the SDKs' convention (protocol.md §2.1).
 */
import { readFileSync } from 'node:fs';
import { platform, release, arch } from 'node:os';

function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && typeof (pkg as { version?: unknown }).version === 'string') {
      return (pkg as { version: string }).version;
    }
  } catch {
    // fall through
  }
  return '0.0.0';
}

/** The package version. */
export const VERSION = readVersion();

/** `cosy/<ver>; node/<ver>; platform/<os>; processor/<arch>`. */
export function userAgent(): string {
  return `cosy/${VERSION}; node/${process.versions.node}; platform/${platform()}-${release()}; processor/${arch()}`;
}
