/**
 * Where audio goes: a file written atomically (temporary file in the target folder, renamed on success, removed on
 * failure; WAV sizes fixed before the rename), or a stream such as stdout written as each frame arrives with
 * backpressure honoured.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { fixWavSizes } from '../audio/wav.js';
import { releaseTempFile, trackTempFile } from '../temp-files.js';

/** A destination for audio bytes. */
export interface AudioSink {
  /** Writes bytes in order; resolves when they may be followed by more (backpressure). */
  write(data: Buffer): Promise<void>;
  /** Bytes written so far. */
  readonly bytesWritten: number;
  /** Whether `rewind` can take bytes back (files can; pipes cannot). */
  readonly canRewind: boolean;
  /** Discards everything after `offset` (only when canRewind). */
  rewind(offset: number): Promise<void>;
  /** Completes the output (rename into place / end of data). */
  commit(): Promise<void>;
  /** Abandons the output: nothing remains under the requested name. Safe after commit or twice. */
  abort(): Promise<void>;
}

/** The reader of a stream went away (EPIPE): not a failure of cosy, but nothing more can be written. */
export class ReaderGoneError extends Error {
  constructor() {
    super('the reader of the output closed the pipe');
    this.name = 'ReaderGoneError';
  }
}

/** Writes to a temporary file next to `path` and renames it into place on commit. */
export class FileSink implements AudioSink {
  readonly path: string;
  readonly tempPath: string;
  readonly #isWav: boolean;
  #handle: FileHandle | undefined;
  #written = 0;
  #done = false;
  /** Test seam: writing past this many bytes fails as a full disk would (ENOSPC). */
  #failAfterBytes: number | undefined;

  private constructor(path: string, handle: FileHandle, tempPath: string, isWav: boolean) {
    this.path = path;
    this.#handle = handle;
    this.tempPath = tempPath;
    this.#isWav = isWav;
  }

  /**
   * Creates the temporary file in the target folder (same filesystem, so the final rename is atomic).
   * @throws UsageError when the folder does not exist or is not writable.
   */
  static async create(path: string, options: { wav: boolean; failAfterBytes?: number | undefined }): Promise<FileSink> {
    const dir = dirname(path);
    const tempPath = join(dir, `.${basename(path)}.${randomBytes(4).toString('hex')}.cosy-partial`);
    try {
      const handle = await open(tempPath, 'wx', 0o644);
      trackTempFile(tempPath);
      const sink = new FileSink(path, handle, tempPath, options.wav);
      sink.#failAfterBytes = options.failAfterBytes;
      return sink;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' ? 'the folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only filesystem' : (err as Error).message;
      throw new UsageError(`cannot write ${path}: ${reason}`, { code: 'OUTPUT', cause: err });
    }
  }

  get bytesWritten(): number {
    return this.#written;
  }

  get canRewind(): boolean {
    return true;
  }

  async write(data: Buffer): Promise<void> {
    const handle = this.#handle;
    if (!handle) throw new Error('write after the file was closed');
    let off = 0;
    try {
      if (this.#failAfterBytes !== undefined && this.#written + data.length > this.#failAfterBytes) {
        throw Object.assign(new Error('no space left on device (simulated)'), { code: 'ENOSPC' });
      }
      while (off < data.length) {
        const { bytesWritten } = await handle.write(data, off, data.length - off, this.#written + off);
        off += bytesWritten;
      }
    } catch (err) {
      throw outputError(err, this.path);
    }
    this.#written += data.length;
  }

  async rewind(offset: number): Promise<void> {
    if (!this.#handle) throw new Error('rewind after the file was closed');
    await this.#handle.truncate(offset);
    this.#written = offset;
  }

  async commit(): Promise<void> {
    const handle = this.#handle;
    if (!handle || this.#done) throw new Error('commit after the file was closed');
    await handle.sync();
    await handle.close();
    this.#handle = undefined;
    if (this.#isWav) await fixWavSizes(this.tempPath);
    await rename(this.tempPath, this.path);
    releaseTempFile(this.tempPath);
    this.#done = true;
  }

  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
    releaseTempFile(this.tempPath);
  }
}

/**
 * The sink for an output path, decided by what is there now:
 * - nothing, or a regular file: a FileSink (written atomically; through a symbolic link, the file it points to is
 *   replaced, not the link);
 * - a named pipe, a device or a socket (`-o /dev/stdout`, `mkfifo`): written directly, as a stream, since renaming a
 *   file over it would destroy it;
 * - a folder: a usage error, before anything is sent.
 */
export async function openOutputFile(path: string, options: { wav: boolean; failAfterBytes?: number | undefined }): Promise<AudioSink> {
  let kind: 'none' | 'file' | 'folder' | 'special';
  try {
    const info = await stat(path);
    kind = info.isFile() ? 'file' : info.isDirectory() ? 'folder' : 'special';
  } catch {
    kind = 'none';
  }
  if (kind === 'folder') {
    throw new UsageError(`cannot write ${path}: it is a folder`, { code: 'OUTPUT', hint: 'name a file, e.g. -o ' + join(path, 'out.mp3') });
  }
  if (kind === 'special') return DeviceSink.open(path);
  const target = kind === 'file' ? await realpath(path).catch(() => path) : path;
  return FileSink.create(target, options);
}

/** Writes to a stream (stdout or a player's stdin) as frames arrive. */
export class StreamSink implements AudioSink {
  readonly #stream: Writable;
  #written = 0;
  #gone = false;
  #error: Error | undefined;

  constructor(stream: Writable) {
    this.#stream = stream;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.#gone = true;
      else this.#error = err;
    });
  }

  get bytesWritten(): number {
    return this.#written;
  }

  get canRewind(): boolean {
    return false;
  }

  write(data: Buffer): Promise<void> {
    if (this.#error) return Promise.reject(outputError(this.#error, 'the output stream'));
    if (this.#gone || this.#stream.destroyed) return Promise.reject(new ReaderGoneError());
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        cleanup();
        reject(err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' ? new ReaderGoneError() : outputError(err, 'the output stream'));
      };
      const onDrain = (): void => {
        cleanup();
        resolve();
      };
      const onClose = (): void => {
        cleanup();
        reject(new ReaderGoneError());
      };
      const cleanup = (): void => {
        this.#stream.off('error', onError);
        this.#stream.off('drain', onDrain);
        this.#stream.off('close', onClose);
      };
      this.#written += data.length;
      const ok = this.#stream.write(data, (err) => {
        if (err) onError(err as NodeJS.ErrnoException);
      });
      if (ok) {
        resolve();
        return;
      }
      this.#stream.once('error', onError);
      this.#stream.once('drain', onDrain);
      this.#stream.once('close', onClose);
    });
  }

  rewind(): Promise<void> {
    return Promise.reject(new Error('a stream cannot be rewound'));
  }

  /** Waits until everything written has been flushed to the stream's destination. */
  commit(): Promise<void> {
    if (this.#gone) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.#stream.writableNeedDrain) this.#stream.once('drain', () => resolve());
      else resolve();
    });
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}

/** A named pipe or a device written directly (no temporary file, no rename): see openOutputFile. */
export class DeviceSink extends StreamSink {
  readonly #device: WriteStream;

  private constructor(device: WriteStream) {
    super(device);
    this.#device = device;
  }

  static async open(path: string): Promise<DeviceSink> {
    const device = createWriteStream(path, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      device.once('open', () => resolve());
      device.once('error', (err) => reject(new UsageError(`cannot write ${path}: ${err.message}`, { code: 'OUTPUT', cause: err })));
    });
    return new DeviceSink(device);
  }

  /** Flushes and closes the pipe or device. */
  override async commit(): Promise<void> {
    await super.commit();
    await new Promise<void>((resolve) => this.#device.end(() => resolve()));
  }

  override async abort(): Promise<void> {
    this.#device.destroy();
  }
}

/** A write failure as cosy's output error (exit 2): the disk is full, or the output cannot be written. */
export function outputError(err: unknown, where: string): Error {
  if (err instanceof UsageError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOSPC' ? 'no space left on the device' : code === 'EDQUOT' ? 'disk quota exceeded' : code === 'EIO' ? 'input/output error' : (err as Error).message;
  return new UsageError(`cannot write ${where}: ${reason}`, {
    code: code === 'ENOSPC' || code === 'EDQUOT' ? 'DISK_FULL' : 'OUTPUT',
    cause: err,
    hint: code === 'ENOSPC' || code === 'EDQUOT' ? 'free some space or write elsewhere; nothing was left under the requested name' : undefined,
  });
}

/**
 * Writes to a file and a second, forward-only output (a player) at once. The file decides whether a retry can take
 * bytes back; after a rewind the second output is given only what lies beyond what it already had, so a listener
 * never hears the retried part twice. When the second output's reader goes away (the player was closed), the file
 * is still written to the end.
 */
export class TeeSink implements AudioSink {
  /** Where the next write lands in the file (moves back on rewind). */
  #position = 0;
  /** Bytes the second output has been given; never taken back. */
  #forwarded = 0;
  #secondGone = false;

  constructor(
    readonly file: AudioSink,
    readonly second: AudioSink,
  ) {}

  get bytesWritten(): number {
    return this.file.bytesWritten;
  }

  get canRewind(): boolean {
    return this.file.canRewind;
  }

  async write(data: Buffer): Promise<void> {
    await this.file.write(data);
    const start = this.#position;
    this.#position += data.length;
    if (this.#secondGone || this.#position <= this.#forwarded) return;
    const fresh = this.#forwarded > start ? data.subarray(this.#forwarded - start) : data;
    this.#forwarded = this.#position;
    try {
      await this.second.write(fresh);
    } catch (err) {
      if (!(err instanceof ReaderGoneError)) throw err;
      this.#secondGone = true;
    }
  }

  async rewind(offset: number): Promise<void> {
    await this.file.rewind(offset);
    this.#position = offset;
  }

  /** Completes the file first (it is in place as soon as the audio is), then waits for the second output. */
  async commit(): Promise<void> {
    await this.file.commit();
    await this.second.commit();
  }

  async abort(): Promise<void> {
    await Promise.all([this.file.abort(), this.second.abort()]);
  }
}
