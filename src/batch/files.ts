/**
 * File chores of a batch: the sha256 of an output, atomic copies for cached items, checking that a recorded output
 * is still intact, and removing the temporary files a killed run left next to its outputs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { releaseTempFile, trackTempFile } from '../temp-files.js';

/** Suffix of the temporary files FileSink and copies write before renaming into place. */
const PARTIAL_SUFFIX = '.cosy-partial';

/** The sha256 of a file, as hex. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Whether `path` still holds exactly the recorded bytes (size first, then sha256). */
export async function isIntact(path: string, bytes: number, sha256: string): Promise<boolean> {
  try {
    const s = await stat(path);
    if (!s.isFile() || s.size !== bytes) return false;
    return (await hashFile(path)) === sha256;
  } catch {
    return false;
  }
}

/** Copies `from` to `to` atomically: a temporary file in the target folder, renamed into place. */
export async function copyAtomic(from: string, to: string): Promise<void> {
  const temp = join(dirname(to), `.${basename(to)}.${randomBytes(4).toString('hex')}${PARTIAL_SUFFIX}`);
  trackTempFile(temp);
  try {
    await copyFile(from, temp);
    await rename(temp, to);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  } finally {
    releaseTempFile(temp);
  }
}

/**
 * Removes temporary files that a killed run left for these outputs (`.NAME.xxxxxxxx.cosy-partial` next to NAME);
 * returns how many. Only the given outputs are touched, so shards sharing a folder leave each other alone.
 */
export async function removeStalePartials(outputs: readonly string[]): Promise<number> {
  const byDir = new Map<string, Set<string>>();
  for (const path of outputs) {
    const names = byDir.get(dirname(path)) ?? new Set<string>();
    names.add(basename(path));
    byDir.set(dirname(path), names);
  }
  let removed = 0;
  for (const [dir, names] of byDir) {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const m = /^\.(.+)\.[0-9a-f]{8}\.cosy-partial$/.exec(entry);
      if (m?.[1] !== undefined && names.has(m[1])) {
        await unlink(join(dir, entry)).catch(() => undefined);
        removed++;
      }
    }
  }
  return removed;
}
