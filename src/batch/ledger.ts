/**
 * The batch ledger: an append-only JSONL file in the output folder recording, per item, when it started and how it
 * ended (task ids, billed characters, bytes, audio duration, sha256, attempts, error). A rerun folds it to learn
 * which items are done. A process killed mid-write leaves at most a torn last line, which readers skip and the
 * next writer cuts off; an item that started but never ended counts as not done.
 */
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { CosyError, ExitCode } from '../errors.js';
import { redact } from '../secrets.js';
import { LEDGER_FILE } from './defaults.js';
import type { ShardSpec } from './shard.js';

/** Start of every ledger file name. */
export const LEDGER_PREFIX = LEDGER_FILE.replace(/\.jsonl$/, '');

/** The ledger file of a run: one per shard, so that shards sharing a folder never write the same file. */
export function ledgerFileName(shard?: ShardSpec): string {
  return shard && shard.count > 1 ? `${LEDGER_PREFIX}.shard-${shard.index}-of-${shard.count}.jsonl` : LEDGER_FILE;
}

/** An error as the ledger records it. */
export interface LedgerError {
  code: string;
  message: string;
  service_code?: string | undefined;
}

/** A run began. */
export interface RunEntry {
  event: 'run';
  at: string;
  manifest: string;
  items: number;
  shard: string | null;
}

/** An item was handed to the service. */
export interface StartEntry {
  event: 'start';
  at: string;
  id: string;
  key: string;
  file: string;
}

/** An item's audio is complete under `file`. */
export interface DoneEntry {
  event: 'done';
  at: string;
  id: string;
  key: string;
  file: string;
  task_ids: string[];
  /** Billed characters (0 when the audio was copied from an identical request). */
  characters: number;
  bytes: number;
  duration_ms: number | null;
  sha256: string;
  attempts: number;
  /** Id of the item whose audio was copied, when it was. */
  cached_from?: string | undefined;
}

/** An item failed. */
export interface FailedEntry {
  event: 'failed';
  at: string;
  id: string;
  key: string;
  file: string;
  error: LedgerError;
  /** Whether a later run may succeed without changes (throttling, network, server faults, interruption). */
  retryable: boolean;
  attempts: number;
  task_ids: string[];
}

/** One line of the ledger. */
export type LedgerEntry = RunEntry | StartEntry | DoneEntry | FailedEntry;
/** The entries that describe one item. */
export type ItemEntry = StartEntry | DoneEntry | FailedEntry;

/** Entries read from ledger text, and the lines that could not be read. */
export interface ReadLedger {
  entries: LedgerEntry[];
  /** 1-based numbers of lines that are not valid entries. */
  unreadable: number[];
  /** Whether the text ends in a line without its newline (a write cut short). */
  torn: boolean;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Checks the shape of one parsed line; parse at the edge, trust inside. */
function toEntry(value: unknown): LedgerEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (!isString(o['at'])) return undefined;
  switch (o['event']) {
    case 'run':
      return isString(o['manifest']) && isCount(o['items']) ? (o as unknown as RunEntry) : undefined;
    case 'start':
      return isString(o['id']) && isString(o['key']) && isString(o['file']) ? (o as unknown as StartEntry) : undefined;
    case 'done':
      return isString(o['id']) && isString(o['key']) && isString(o['file']) && isString(o['sha256']) && isCount(o['bytes']) &&
        isCount(o['characters']) && isCount(o['attempts']) && Array.isArray(o['task_ids'])
        ? (o as unknown as DoneEntry)
        : undefined;
    case 'failed': {
      const error = o['error'] as Record<string, unknown> | null | undefined;
      return isString(o['id']) && isString(o['key']) && isString(o['file']) && typeof o['retryable'] === 'boolean' &&
        typeof error === 'object' && error !== null && isString(error['code']) && isString(error['message'])
        ? (o as unknown as FailedEntry)
        : undefined;
    }
    default:
      return undefined;
  }
}

/** Parses ledger text; unreadable lines (a torn last line, a hand edit) are skipped and counted. */
export function parseLedger(text: string): ReadLedger {
  const torn = text.length > 0 && !text.endsWith('\n');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const entries: LedgerEntry[] = [];
  const unreadable: number[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let entry: LedgerEntry | undefined;
    try {
      entry = toEntry(JSON.parse(line));
    } catch {
      entry = undefined;
    }
    if (entry) entries.push(entry);
    else unreadable.push(index + 1);
  });
  return { entries, unreadable, torn };
}

/** The latest entry of every item id, in ledger order (entries must be in the order they were written). */
export function foldLedger(entries: readonly LedgerEntry[]): Map<string, ItemEntry> {
  const latest = new Map<string, ItemEntry>();
  for (const entry of entries) {
    if (entry.event !== 'run') latest.set(entry.id, entry);
  }
  return latest;
}

/** Every ledger of an output folder (all shards), merged in time order; notes say what was skipped. */
export async function readLedgers(outDir: string): Promise<{ entries: LedgerEntry[]; notes: string[] }> {
  let names: string[];
  try {
    names = (await readdir(outDir)).filter((n) => n.startsWith(LEDGER_PREFIX) && n.endsWith('.jsonl')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], notes: [] };
    throw err;
  }
  const all: { entry: LedgerEntry; order: number }[] = [];
  const notes: string[] = [];
  for (const name of names) {
    const read = parseLedger(await readFile(join(outDir, name), 'utf8'));
    for (const entry of read.entries) all.push({ entry, order: all.length });
    if (read.unreadable.length > 0) {
      notes.push(`${name}: skipped ${read.unreadable.length} unreadable line(s) (${read.unreadable.slice(0, 5).join(', ')}${read.unreadable.length > 5 ? ', …' : ''})${read.torn ? '; the last one was cut short by an interrupted run' : ''}`);
    }
  }
  // ISO timestamps sort as text; equal ones keep file order.
  all.sort((a, b) => (a.entry.at < b.entry.at ? -1 : a.entry.at > b.entry.at ? 1 : a.order - b.order));
  return { entries: all.map((e) => e.entry), notes };
}

/** Writing the ledger failed (disk full, folder removed): the batch cannot go on. Exit 6 (partial output). */
export class LedgerWriteError extends CosyError {
  constructor(cause: unknown) {
    super(`cannot write the batch ledger: ${cause instanceof Error ? cause.message : String(cause)}`, 'LEDGER', ExitCode.Partial, { cause });
  }
}

/** Appends entries to one ledger file, one `write` per line, in call order. */
export class LedgerWriter {
  readonly path: string;
  readonly #handle: FileHandle;
  #queue: Promise<void> = Promise.resolve();
  #failure: Error | undefined;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  /** Opens (or creates) a ledger for appending, first cutting off a torn last line left by a killed run. */
  static async open(path: string): Promise<LedgerWriter> {
    const handle = await open(path, 'a+');
    try {
      const { size } = await handle.stat();
      if (size > 0) {
        const tail = Buffer.alloc(Math.min(size, 64 * 1024));
        await handle.read(tail, 0, tail.length, size - tail.length);
        if (tail[tail.length - 1] !== 0x0a) {
          const lastNewline = tail.lastIndexOf(0x0a);
          // A torn line longer than the tail read is implausible (entries are short); keep the file as it is then.
          if (lastNewline >= 0 || tail.length === size) await handle.truncate(lastNewline >= 0 ? size - tail.length + lastNewline + 1 : 0);
        }
      }
    } catch (err) {
      await handle.close();
      throw err;
    }
    return new LedgerWriter(path, handle);
  }

  /**
   * Appends one entry; resolves when it reached the file (the kernel: a killed process cannot lose it). Registered
   * secrets are masked, as on cosy's streams: an error message quoting the key must not keep it on disk.
   * @throws LedgerWriteError
   */
  append(entry: LedgerEntry): Promise<void> {
    const line = `${redact(JSON.stringify(entry))}\n`;
    const next = this.#queue.then(async () => {
      if (this.#failure) throw this.#failure;
      try {
        await this.#handle.write(line);
      } catch (err) {
        this.#failure = new LedgerWriteError(err);
        throw this.#failure;
      }
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Waits for pending appends, flushes to disk and closes. */
  async close(): Promise<void> {
    await this.#queue;
    await this.#handle.sync().catch(() => undefined);
    await this.#handle.close();
  }
}
