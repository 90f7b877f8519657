/**
 * Temporary files that must not survive the process, even when it exits abruptly (a second Ctrl-C).
 */
import { unlinkSync } from 'node:fs';

const pending = new Set<string>();
let installed = false;

/** Registers a temporary file to delete at exit unless released first. */
export function trackTempFile(path: string): void {
  pending.add(path);
  if (!installed) {
    installed = true;
    process.on('exit', removeAllSync);
  }
}

/** Stops tracking a file (it was renamed into place or already removed). */
export function releaseTempFile(path: string): void {
  pending.delete(path);
}

/** Deletes every tracked file now, synchronously. */
export function removeAllSync(): void {
  for (const path of pending) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  pending.clear();
}
