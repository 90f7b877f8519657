import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildWavHeader, parseWavHeader, WAV_SIZE_PLACEHOLDER } from '../../../src/audio/wav.js';
import { ExitCode, UsageError } from '../../../src/errors.js';
import { removeAllSync } from '../../../src/temp-files.js';
import { FileSink, ReaderGoneError, StreamSink } from '../../../src/tts/audio-sink.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cosy-sink-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const files = (): string[] => readdirSync(dir).sort();
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A streamed WAV: header with the "unknown length" placeholder sizes, then `dataBytes` of samples. */
function streamedWav(dataBytes: number): Buffer {
  const header = buildWavHeader({ sampleRate: 16000, dataBytes: WAV_SIZE_PLACEHOLDER });
  const data = Buffer.alloc(dataBytes);
  for (let i = 0; i < dataBytes; i++) data[i] = i % 251;
  return Buffer.concat([header, data]);
}

describe('FileSink', () => {
  it('writes to a hidden .cosy-partial file in the target folder, and nothing under the name until commit', async () => {
    const target = join(dir, 'out.mp3');
    const sink = await FileSink.create(target, { wav: false });
    expect(sink.path).toBe(target);
    expect(dirname(sink.tempPath)).toBe(dir);
    expect(basename(sink.tempPath)).toMatch(/^\.out\.mp3\.[0-9a-f]{8}\.cosy-partial$/);
    expect(sink.canRewind).toBe(true);
    await sink.write(Buffer.from('abc'));
    await sink.write(Buffer.from('def'));
    expect(sink.bytesWritten).toBe(6);
    expect(existsSync(target)).toBe(false);
    expect(files()).toEqual([basename(sink.tempPath)]);
    expect(readFileSync(sink.tempPath, 'utf8')).toBe('abcdef');

    await sink.commit();
    expect(files()).toEqual(['out.mp3']);
    expect(readFileSync(target, 'utf8')).toBe('abcdef');
    // abort after commit is harmless: the committed file stays.
    await sink.abort();
    expect(files()).toEqual(['out.mp3']);
  });

  it('two sinks for the same target use different temporary files', async () => {
    const a = await FileSink.create(join(dir, 'same.wav'), { wav: false });
    const b = await FileSink.create(join(dir, 'same.wav'), { wav: false });
    expect(a.tempPath).not.toBe(b.tempPath);
    await a.abort();
    await b.abort();
    expect(files()).toEqual([]);
  });

  it('commit replaces an existing file atomically; abort leaves it untouched', async () => {
    const target = join(dir, 'keep.mp3');
    writeFileSync(target, 'old contents');
    const aborted = await FileSink.create(target, { wav: false });
    await aborted.write(Buffer.from('new but failed'));
    await aborted.abort();
    expect(files()).toEqual(['keep.mp3']);
    expect(readFileSync(target, 'utf8')).toBe('old contents');

    const committed = await FileSink.create(target, { wav: false });
    await committed.write(Buffer.from('new'));
    expect(readFileSync(target, 'utf8')).toBe('old contents');
    await committed.commit();
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(files()).toEqual(['keep.mp3']);
  });

  it('abort removes the temporary file and is safe to call twice', async () => {
    const sink = await FileSink.create(join(dir, 'x.pcm'), { wav: false });
    await sink.write(Buffer.alloc(1000, 1));
    await sink.abort();
    await sink.abort();
    expect(files()).toEqual([]);
    await expect(sink.write(Buffer.from('late'))).rejects.toThrow();
    await expect(sink.commit()).rejects.toThrow();
    expect(files()).toEqual([]);
  });

  it('abort right after create leaves nothing behind', async () => {
    const sink = await FileSink.create(join(dir, 'x.mp3'), { wav: false });
    expect(files()).toHaveLength(1);
    await sink.abort();
    expect(files()).toEqual([]);
  });

  it('rewind truncates to the offset; later writes continue from there', async () => {
    const target = join(dir, 'r.pcm');
    const sink = await FileSink.create(target, { wav: false });
    await sink.write(Buffer.from('header|'));
    const offset = sink.bytesWritten;
    await sink.write(Buffer.from('first attempt, longer than the second'));
    await sink.rewind(offset);
    expect(sink.bytesWritten).toBe(offset);
    expect(readFileSync(sink.tempPath, 'utf8')).toBe('header|');
    await sink.write(Buffer.from('second'));
    await sink.rewind(offset);
    await sink.write(Buffer.from('third'));
    await sink.commit();
    expect(readFileSync(target, 'utf8')).toBe('header|third');
  });

  it('rewind to 0 gives an empty file', async () => {
    const target = join(dir, 'zero.pcm');
    const sink = await FileSink.create(target, { wav: false });
    await sink.write(Buffer.from('gone'));
    await sink.rewind(0);
    await sink.commit();
    expect(readFileSync(target).length).toBe(0);
  });

  it('fixes both WAV size fields at commit (streamed placeholders)', async () => {
    const target = join(dir, 'out.wav');
    const sink = await FileSink.create(target, { wav: true });
    const wav = streamedWav(3200);
    // Several writes, one splitting the header.
    await sink.write(wav.subarray(0, 10));
    await sink.write(wav.subarray(10, 100));
    await sink.write(wav.subarray(100));
    await sink.commit();
    const bytes = readFileSync(target);
    expect(bytes.length).toBe(44 + 3200);
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    expect(bytes.readUInt32LE(40)).toBe(3200);
    const header = parseWavHeader(bytes);
    expect(header).toMatchObject({ kind: 'ok', dataOffset: 44, dataSize: 3200, riffSize: 3236, sampleRate: 16000 });
    // The audio itself is untouched.
    expect(bytes.subarray(44).equals(wav.subarray(44))).toBe(true);
  });

  it('fixes WAV sizes after a rewind shortened the file', async () => {
    const target = join(dir, 'short.wav');
    const sink = await FileSink.create(target, { wav: true });
    await sink.write(streamedWav(8000));
    await sink.rewind(44 + 1000);
    await sink.commit();
    const bytes = readFileSync(target);
    expect(bytes.length).toBe(1044);
    expect(bytes.readUInt32LE(4)).toBe(1036);
    expect(bytes.readUInt32LE(40)).toBe(1000);
  });

  it('does not touch non-WAV output at commit', async () => {
    const target = join(dir, 'raw.pcm');
    const sink = await FileSink.create(target, { wav: false });
    const wavLooking = streamedWav(100);
    await sink.write(wavLooking);
    await sink.commit();
    expect(readFileSync(target).equals(wavLooking)).toBe(true);
  });

  it('a missing target folder is a UsageError and creates nothing', async () => {
    const target = join(dir, 'no', 'such', 'folder', 'out.mp3');
    let err: unknown;
    try {
      await FileSink.create(target, { wav: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: 'OUTPUT', exitCode: ExitCode.Usage });
    expect((err as Error).message).toBe(`cannot write ${target}: the folder does not exist`);
    expect(files()).toEqual([]);
  });

  it('a target folder that is a file is a UsageError', async () => {
    writeFileSync(join(dir, 'plain-file'), 'x');
    await expect(FileSink.create(join(dir, 'plain-file', 'out.mp3'), { wav: false })).rejects.toBeInstanceOf(UsageError);
    expect(files()).toEqual(['plain-file']);
  });

  it('a commit that fails (a .wav sink given bytes that are not WAV) leaves nothing after abort', async () => {
    const target = join(dir, 'broken.wav');
    const sink = await FileSink.create(target, { wav: true });
    await sink.write(Buffer.from('definitely not a RIFF header, just text'));
    await expect(sink.commit()).rejects.toThrow(/not a WAV file/);
    expect(existsSync(target)).toBe(false);
    await sink.abort();
    expect(files()).toEqual([]);
  });

  it('a temporary file still open at exit is removed by the exit hook', async () => {
    const sink = await FileSink.create(join(dir, 'interrupted.mp3'), { wav: false });
    await sink.write(Buffer.from('partial'));
    removeAllSync();
    expect(files()).toEqual([]);
    await sink.abort();
  });

  it('a committed file is not removed by the exit hook', async () => {
    const sink = await FileSink.create(join(dir, 'done.mp3'), { wav: false });
    await sink.write(Buffer.from('complete'));
    await sink.commit();
    removeAllSync();
    expect(files()).toEqual(['done.mp3']);
  });
});

describe('StreamSink', () => {
  it('writes bytes in order and counts them', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const sink = new StreamSink(stream);
    expect(sink.canRewind).toBe(false);
    await sink.write(Buffer.from('ab'));
    await sink.write(Buffer.from('cd'));
    expect(sink.bytesWritten).toBe(4);
    await sink.commit();
    await tick();
    expect(Buffer.concat(chunks).toString()).toBe('abcd');
    await expect(sink.rewind()).rejects.toThrow(/cannot be rewound/);
    await expect(sink.abort()).resolves.toBeUndefined();
  });

  it('honours backpressure: write() resolves only after the reader drained the stream', async () => {
    const stream = new PassThrough({ highWaterMark: 16 });
    const sink = new StreamSink(stream);
    let resolved = false;
    const pending = sink.write(Buffer.alloc(64, 7)).then(() => {
      resolved = true;
    });
    for (let i = 0; i < 5; i++) await tick();
    expect(resolved).toBe(false);
    expect(stream.writableNeedDrain).toBe(true);

    // Read slowly: a little at a time; the write completes only once everything buffered is consumed.
    const read: Buffer[] = [];
    for (let i = 0; i < 20 && !resolved; i++) {
      const chunk = stream.read(8) as Buffer | null;
      if (chunk) read.push(chunk);
      await tick();
    }
    await pending;
    expect(resolved).toBe(true);
    expect(Buffer.concat(read).length).toBeGreaterThan(0);
  });

  it('commit waits for a pending drain', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    const sink = new StreamSink(stream);
    void sink.write(Buffer.alloc(32));
    let committed = false;
    const commit = sink.commit().then(() => {
      committed = true;
    });
    for (let i = 0; i < 5; i++) await tick();
    expect(committed).toBe(false);
    stream.resume();
    await commit;
    expect(committed).toBe(true);
  });

  const epipe = (): NodeJS.ErrnoException => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

  it('EPIPE while a write waits for drain → ReaderGoneError', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    const sink = new StreamSink(stream);
    const pending = sink.write(Buffer.alloc(64));
    await tick();
    stream.destroy(epipe());
    await expect(pending).rejects.toBeInstanceOf(ReaderGoneError);
    // And every later write.
    await expect(sink.write(Buffer.from('more'))).rejects.toBeInstanceOf(ReaderGoneError);
  });

  it('EPIPE reported by the destination → later writes fail with ReaderGoneError', async () => {
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        cb(epipe());
      },
    });
    const sink = new StreamSink(stream);
    await sink.write(Buffer.from('first')).catch(() => undefined);
    await tick();
    await expect(sink.write(Buffer.from('second'))).rejects.toBeInstanceOf(ReaderGoneError);
    // Committing after the reader left does not hang.
    await expect(sink.commit()).resolves.toBeUndefined();
  });

  it('a stream closed while a write waits → ReaderGoneError', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    const sink = new StreamSink(stream);
    const pending = sink.write(Buffer.alloc(64));
    await tick();
    stream.destroy();
    await expect(pending).rejects.toBeInstanceOf(ReaderGoneError);
  });

  it.each([
    ['right after destroy()', 0],
    ['once the destroyed stream has closed', 3],
  ])('writing to a destroyed stream → ReaderGoneError (%s)', async (_name, ticks) => {
    const stream = new PassThrough();
    const sink = new StreamSink(stream);
    stream.destroy();
    for (let i = 0; i < ticks; i++) await tick();
    const err = await sink.write(Buffer.from('late')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReaderGoneError);
  });

  it('a stream error other than EPIPE becomes an output error that keeps its cause', async () => {
    const boom = Object.assign(new Error('disk on fire'), { code: 'EIO' });
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        cb(boom);
      },
    });
    const sink = new StreamSink(stream);
    await sink.write(Buffer.from('x')).catch(() => undefined);
    await tick();
    const err = await sink.write(Buffer.from('y')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe('cannot write the output stream: input/output error');
    expect((err as UsageError).cause).toBe(boom);
  });
});
