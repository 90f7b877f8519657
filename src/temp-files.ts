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

/**
 * Writes a small file atomically: a temporary file in the same folder, renamed into place. Nothing appears under
 * `path` unless the whole content was written. A symbolic link at `path` (a dotfiles setup) is written through: the
 * file it points to is replaced, and the link stays.
 */
export async function writeFileAtomic(linkOrPath: string, data: string | Uint8Array): Promise<void> {
  const { writeFile, rename, unlink, realpath } = await import('node:fs/promises');
  const { dirname, basename, join } = await import('node:path');
  const path = await realpath(linkOrPath).catch(() => linkOrPath);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.cosy-partial`);
  trackTempFile(temp);
  try {
    await writeFile(temp, data, { flag: 'wx' });
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  } finally {
    releaseTempFile(temp);
  }
}
