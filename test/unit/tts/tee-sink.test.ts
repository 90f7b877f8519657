import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSink, ReaderGoneError, TeeSink, type AudioSink } from '../../../src/tts/audio-sink.js';

/** A forward-only sink that records what it was given; `goneAfter` bytes later its reader goes away. */
class Recorder implements AudioSink {
  readonly chunks: Buffer[] = [];
  bytesWritten = 0;
  committed = false;
  constructor(private readonly goneAfter = Infinity) {}
  get canRewind(): boolean {
    return false;
  }
  async write(data: Buffer): Promise<void> {
    if (this.bytesWritten >= this.goneAfter) throw new ReaderGoneError();
    this.chunks.push(Buffer.from(data));
    this.bytesWritten += data.length;
  }
  rewind(): Promise<void> {
    return Promise.reject(new Error('cannot rewind'));
  }
  async commit(): Promise<void> {
    this.committed = true;
  }
  async abort(): Promise<void> {}
}

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

async function tee(second: Recorder): Promise<{ sink: TeeSink; path: string }> {
  dir = mkdtempSync(join(tmpdir(), 'cosy-tee-'));
  const path = join(dir, 'out.pcm');
  return { sink: new TeeSink(await FileSink.create(path, { wav: false }), second), path };
}

describe('TeeSink', () => {
  it('writes the same bytes to the file and the second output', async () => {
    const second = new Recorder();
    const { sink, path } = await tee(second);
    await sink.write(Buffer.from('abc'));
    await sink.write(Buffer.from('def'));
    await sink.commit();
    expect(readFileSync(path, 'utf8')).toBe('abcdef');
    expect(Buffer.concat(second.chunks).toString()).toBe('abcdef');
    expect(second.committed).toBe(true);
  });

  it('rewinds the file like the file alone, and gives the player only what it has not had (no repeat)', async () => {
    const second = new Recorder();
    const { sink, path } = await tee(second);
    expect(sink.canRewind).toBe(true);
    await sink.write(Buffer.from('AAA'));
    await sink.write(Buffer.from('bbbb')); // a task that fails after this
    await sink.rewind(3);
    await sink.write(Buffer.from('BB')); // the retry, shorter than what was played so far
    await sink.write(Buffer.from('BBCC'));
    await sink.commit();
    expect(readFileSync(path, 'utf8')).toBe('AAABBBBCC');
    expect(Buffer.concat(second.chunks).toString()).toBe('AAAbbbbCC');
  });

  it('keeps writing the file when the player goes away', async () => {
    const second = new Recorder(4);
    const { sink, path } = await tee(second);
    for (const part of ['abcd', 'efgh', 'ijkl']) await sink.write(Buffer.from(part));
    await sink.commit();
    expect(readFileSync(path, 'utf8')).toBe('abcdefghijkl');
    expect(Buffer.concat(second.chunks).toString()).toBe('abcd');
  });
});
