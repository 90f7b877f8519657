/**
 * cosy's version and the user-agent it sends, in the SDKs' convention (protocol.md §2.1).
 */
import { readFileSync } from 'node:fs';
import { platform, release, arch } from 'node:os';

/** Reads the version from cosy's package.json, looking upwards from this module (dist/ or a bundle chunk). */
function readVersion(): string {
  let url = new URL('./', import.meta.url);
  for (let depth = 0; depth < 4; depth++) {
    url = new URL('../', url);
    try {
      const pkg: unknown = JSON.parse(readFileSync(new URL('package.json', url), 'utf8'));
      if (typeof pkg === 'object' && pkg !== null) {
        const { name, version } = pkg as { name?: unknown; version?: unknown };
        if (name === 'cosy' && typeof version === 'string') return version;
      }
    } catch {
      // not here: keep looking
    }
  }
  return '0.0.0';
}

/** Set by the bundler (scripts/bundle.mjs), so the bundled CLI reads no file at start-up; unset under tsc/vitest. */
declare const __COSY_VERSION__: string | undefined;

/** The package version. */
export const VERSION = typeof __COSY_VERSION__ === 'string' ? __COSY_VERSION__ : readVersion();

/** `cosy/<ver>; node/<ver>; platform/<os>; processor/<arch>`. */
export function userAgent(): string {
  return `cosy/${VERSION}; node/${process.versions.node}; platform/${platform()}-${release()}; processor/${arch()}`;
}
