/**
 * Reads streaming text from stdin for `cosy stream`: raw bytes decoded as UTF-8 across chunk boundaries, fenced
 * code optionally dropped, coalesced into fragments (StreamChunker) and grouped into tasks (TaskFeeder). A quiet
 * period (`flushMs`) sends what is pending; a longer silence (`idleMs`) ends the current task before the service's
 * 23-second timeout would, and the next text starts a new task.
 */
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { CLIENT_IDLE_BUDGET_MS, STREAM_FLUSH_MS } from '../protocol/limits.js';
import { CodeFenceFilter } from '../text/code-fence-filter.js';
import { looksLikeSsml } from '../text/ssml/detect.js';
import { StreamChunker } from '../text/stream-chunker.js';
import type { TaskFeeder } from '../tts/task-feeder.js';
import { firstInvalidUtf8 } from '../text/utf8.js';

/** Default quiet period after which pending text is sent (ms). */
export const DEFAULT_FLUSH_MS = STREAM_FLUSH_MS;
/** Default silence on stdin after which the current task is finished (ms): below the service's 23 s. */
export const DEFAULT_IDLE_MS = CLIENT_IDLE_BUDGET_MS;

/** Options of the reader. */
export interface StreamInputOptions {
  flushMs: number;
  idleMs: number;
  skipCode: boolean;
  /** Called with each fragment as it is handed to the feeder (for --echo). */
  onFragment?: ((fragment: string) => void) | undefined;
  /** Called when the current task is ended because stdin went idle. */
  onIdle?: (() => void) | undefined;
}

/** What the reader saw. */
export interface StreamInputSummary {
  bytes: number;
  /** performance.now() when the first byte arrived. */
  firstByteAt: number | undefined;
  /** Whether reading stopped because of an interrupt rather than end of input. */
  interrupted: boolean;
}

/** Counted characters waiting for a task above which stdin is no longer read (about half a task's limit). */
export const PENDING_HIGH_CHARS = 100_000;
/** Counted characters waiting below which reading resumes. */
export const PENDING_LOW_CHARS = 50_000;

/**
 * Reads `stdin` until it ends or `stop` fires, feeding `feeder`; ends the feeder in every case. Reading pauses
 * while more than PENDING_HIGH_CHARS wait to be sent, so a fast producer cannot fill memory.
 * @throws UsageError on invalid UTF-8, NUL bytes, SSML input, or input without any text.
 */
export function readStreamInput(stdin: Readable, feeder: TaskFeeder, options: StreamInputOptions, stop: AbortSignal): Promise<StreamInputSummary> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const chunker = new StreamChunker();
  const fences = options.skipCode ? new CodeFenceFilter() : undefined;
  const summary: StreamInputSummary = { bytes: 0, firstByteAt: undefined, interrupted: false };
  let sawText = false;
  let head = '';
  let headDecided = false;
  let flushTimer: NodeJS.Timeout | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let lastBytes: Buffer = Buffer.alloc(0);

  const send = (fragments: string[]): void => {
    for (const f of fragments) {
      options.onFragment?.(f);
      feeder.push(f);
    }
  };
  const onQuiet = (): void => send(chunker.flush());
  const onIdle = (): void => {
    send(chunker.flush());
    if (feeder.taskOpen) {
      options.onIdle?.();
      feeder.endTask();
    }
  };
  /** Text that will be spoken: the task begins now (run-task overlaps with the rest of the sentence arriving). */
  const take = (text: string): void => {
    if (text.trim() !== '') {
      sawText = true;
      feeder.prime();
    }
    send(chunker.push(text));
  };
  const accept = (text: string): void => {
    const kept = fences ? fences.push(text) : text;
    if (kept === '') return;
    if (!headDecided) {
      head += kept;
      const trimmed = head.replace(/^[\s\uFEFF]+/, '');
      if (trimmed.length < 6 && '<speak'.startsWith(trimmed)) return;
      headDecided = true;
      if (looksLikeSsml(trimmed) || trimmed === '<speak') {
        throw new UsageError('cosy stream does not take SSML: SSML must be sent as one message', {
          hint: 'use cosy say for SSML documents (cosy say -f doc.xml -o out.mp3)',
        });
      }
      const all = head.replace(/^\uFEFF/, '');
      head = '';
      take(all);
      return;
    }
    take(kept);
  };

  return new Promise<StreamInputSummary>((resolve, reject) => {
    let finished = false;
    const cleanup = (): void => {
      clearTimeout(flushTimer);
      clearTimeout(idleTimer);
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      stop.removeEventListener('abort', onStop);
    };
    const finish = (err?: unknown): void => {
      if (finished) return;
      finished = true;
      cleanup();
      if (err === undefined) {
        try {
          const tail = decoder.decode();
          if (tail) accept(tail);
          if (fences) {
            const rest = fences.flush();
            if (rest) accept(rest);
          }
          if (!headDecided && head !== '') {
            headDecided = true;
            if (head.trim() !== '') sawText = true;
            send(chunker.push(head.replace(/^\uFEFF/, '')));
            head = '';
          }
        } catch (e) {
          err = decodeError(e, summary.bytes, lastBytes);
        }
      }
      if (err === undefined) send(chunker.flush());
      feeder.end();
      if (err !== undefined) {
        reject(err);
        return;
      }
      if (!sawText && !summary.interrupted) {
        reject(new UsageError('stdin closed without any text: there is nothing to speak', {
          hint: 'pipe text in, e.g. llm "tell me a story" | cosy stream --play',
        }));
        return;
      }
      resolve(summary);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      summary.firstByteAt ??= performance.now();
      summary.bytes += bytes.length;
      lastBytes = bytes;
      try {
        if (bytes.includes(0)) {
          throw new UsageError(`stdin contains a NUL byte near byte ${summary.bytes - bytes.length + bytes.indexOf(0)}: it looks like binary data, not text`, {
            code: 'INVALID_TEXT',
          });
        }
        accept(decoder.decode(bytes, { stream: true }));
      } catch (e) {
        stdin.pause();
        finish(e instanceof UsageError ? e : decodeError(e, summary.bytes, bytes));
        return;
      }
      clearTimeout(flushTimer);
      if (chunker.pending !== '') flushTimer = setTimeout(onQuiet, options.flushMs);
      clearTimeout(idleTimer);
      if (feeder.pendingChars >= PENDING_HIGH_CHARS) {
        // Text arrives faster than it is spoken (a file piped in): stop reading until the tasks have taken most of
        // it, so memory does not grow with the input. This is not a quiet input: no idle timer meanwhile.
        stdin.pause();
        void feeder.whenBelow(PENDING_LOW_CHARS).then(() => {
          if (finished) return;
          idleTimer = setTimeout(onIdle, options.idleMs);
          stdin.resume();
        });
        return;
      }
      idleTimer = setTimeout(onIdle, options.idleMs);
    };
    const onEnd = (): void => finish();
    const onError = (e: Error): void => finish(new UsageError(`cannot read stdin: ${e.message}`));
    const onStop = (): void => {
      summary.interrupted = true;
      stdin.pause();
      finish();
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onError);
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
  });
}

function decodeError(e: unknown, totalBytes: number, lastChunk: Buffer): UsageError {
  const inChunk = firstInvalidUtf8(lastChunk);
  const offset = inChunk < 0 ? totalBytes : totalBytes - lastChunk.length + inChunk;
  return new UsageError(`stdin is not valid UTF-8 text (near byte ${offset})`, {
    code: 'INVALID_TEXT',
    cause: e,
    hint: 'cosy stream reads UTF-8 text; convert other encodings first, e.g. iconv -f GB18030 -t UTF-8',
  });
}
