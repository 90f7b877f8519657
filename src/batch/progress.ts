/**
 * Progress of a batch as it runs: a one-line bar on an interactive stderr (items, characters, failures, retries,
 * ETA), NDJSON events on stdout with `--progress json`, or nothing but failure lines. Messages printed while the
 * bar is up go above it. Writes only to the streams it is handed.
 */
import { describeItem } from './naming.js';
import type { ItemResult } from './run.js';
import type { PlannedItem } from './plan.js';
import type { CosyError } from '../errors.js';

/** How progress is shown: `bar` (TTY), `json` (events on stdout), `lines` (failures only), `none`. */
export type ProgressMode = 'bar' | 'json' | 'lines' | 'none';

/** Where progress goes. */
export interface ProgressIO {
  /** The terminal the bar is drawn on. */
  stderr: { write(text: string): unknown; columns?: number | undefined };
  /** Prints a line for people on stderr (the caller applies --quiet, colour and redaction). */
  say(text: string, level: 'info' | 'warn' | 'debug'): void;
  /** Whether `say` prints debug lines (--verbose); when not, they are not even formatted. */
  verbose: boolean;
  /** Writes one JSON event as a line on stdout. */
  event(value: Record<string, unknown>): void;
}

/** The totals progress is measured against. */
export interface ProgressTotals {
  /** Items this run will produce (synthesised or copied). */
  items: number;
  /** Billed characters this run will synthesise. */
  characters: number;
}

/** Shortest interval between two redraws of the bar, in ms. */
const REDRAW_MS = 100;
/** Terminal width assumed when the terminal does not say. */
const DEFAULT_COLUMNS = 80;
/** Width of the bar itself, in cells. */
const BAR_CELLS = 20;

/** "1:05" or "12s" from milliseconds. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** The batch's progress reporter. */
export class BatchProgress {
  readonly #mode: ProgressMode;
  readonly #io: ProgressIO;
  readonly #totals: ProgressTotals;
  readonly #started = performance.now();
  #items = 0;
  #characters = 0;
  #failed = 0;
  #retries = 0;
  #drawn = false;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;

  constructor(mode: ProgressMode, io: ProgressIO, totals: ProgressTotals) {
    this.#mode = mode;
    this.#io = io;
    this.#totals = totals;
  }

  /** The run begins. */
  start(info: Record<string, unknown>): void {
    if (this.#mode === 'json') this.#io.event({ event: 'start', ...info });
    if (this.#mode === 'bar') {
      this.#timer = setInterval(() => this.#redraw(), REDRAW_MS);
      this.#timer.unref();
      this.#draw();
    }
  }

  /** A task of an item will be retried. */
  retry(item: PlannedItem, error: CosyError, attempt: number, delayMs: number): void {
    this.#retries++;
    if (this.#mode === 'json') this.#io.event({ event: 'retry', id: item.id, line: item.line, attempt, delay_ms: delayMs, error: { code: error.code, message: error.message } });
    this.message(`${describeItem(item)}: ${error.message}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`, 'debug');
    this.#dirty = true;
  }

  /** An item ended. */
  itemFinished(result: ItemResult, synthesisedCharacters: number): void {
    const { item } = result;
    if (result.status !== 'not-started') this.#items++;
    this.#characters += synthesisedCharacters;
    if (result.status === 'failed') {
      this.#failed++;
      this.message(`${describeItem(item)} failed: ${result.error?.message ?? 'unknown error'}`, 'warn');
    } else if (result.status === 'done' || result.status === 'cached') {
      const how = result.status === 'cached' ? `copied from ${result.cachedFrom ?? '?'}` : `${result.characters} characters, ${result.attempts} attempt(s)`;
      this.message(`${describeItem(item)} → ${item.output} (${how})`, 'debug');
    }
    if (this.#mode === 'json') {
      this.#io.event({
        event: 'item',
        id: item.id,
        line: item.line,
        status: result.status,
        file: item.output,
        characters: result.characters,
        bytes: result.bytes,
        duration_ms: result.durationMs,
        attempts: result.attempts,
        task_ids: result.taskIds,
        ...(result.cachedFrom !== undefined ? { cached_from: result.cachedFrom } : {}),
        ...(result.error ? { error: { message: result.error.message, retryable: result.retryable } } : {}),
      });
    }
    this.#dirty = true;
  }

  /** Prints a line for people, above the bar when it is up. */
  message(text: string, level: 'info' | 'warn' | 'debug'): void {
    if (level === 'debug' && !this.#io.verbose) return;
    if (this.#drawn) {
      this.#io.stderr.write('\r\x1b[2K');
      this.#drawn = false;
    }
    this.#io.say(text, level);
    if (this.#mode === 'bar' && this.#timer) this.#draw();
  }

  /** The run ended: the bar is removed (the summary follows), a final event is sent. */
  finish(summary: Record<string, unknown>): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.#io.stderr.write('\r\x1b[2K');
    this.#drawn = false;
    if (this.#mode === 'json') this.#io.event({ event: 'summary', ...summary });
  }

  #redraw(): void {
    if (this.#dirty || this.#drawn) this.#draw();
  }

  /** The bar line: `[████░░░░] 12/40 items · 1,234/5,000 chars · 1 failed · 3 retries · ETA 14s`. */
  line(elapsedMs: number): string {
    const { items, characters } = this.#totals;
    const fraction = characters > 0 ? this.#characters / characters : items > 0 ? this.#items / items : 1;
    const filled = Math.min(BAR_CELLS, Math.round(fraction * BAR_CELLS));
    const parts = [
      `[${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)}] ${this.#items}/${items} items`,
      `${this.#characters.toLocaleString('en-US')}/${characters.toLocaleString('en-US')} chars`,
    ];
    if (this.#failed > 0) parts.push(`${this.#failed} failed`);
    if (this.#retries > 0) parts.push(`${this.#retries} retries`);
    if (fraction > 0 && fraction < 1) parts.push(`ETA ${formatDuration((elapsedMs * (1 - fraction)) / fraction)}`);
    else parts.push(formatDuration(elapsedMs));
    return parts.join(' · ');
  }

  #draw(): void {
    const width = this.#io.stderr.columns || DEFAULT_COLUMNS;
    const text = this.line(performance.now() - this.#started);
    this.#io.stderr.write(`\r\x1b[2K${[...text].slice(0, Math.max(10, width - 1)).join('')}`);
    this.#drawn = true;
    this.#dirty = false;
  }
}
