import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBuffer } from 'music-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioJoiner, opusPacketSamples } from '../../../src/audio/join.js';
import { OGG_BOS, OGG_CONTINUED, OGG_EOS, oggCrc32, parseOggPages, type OggPage } from '../../../src/audio/ogg.js';
import { buildWavHeader, fixWavSizes, parseWavHeader } from '../../../src/audio/wav.js';
import { createAudioSynth } from '../../../src/emulator/audio-synth.js';
import type { AudioFormat } from '../../../src/protocol/limits.js';

/** One task's frames rendered by the emulator's synth: sentences of the given lengths, then the closing frames. */
function task(format: AudioFormat, sampleRate: number, sentencesMs: number[]): Buffer[] {
  const s = createAudioSynth({ format, sampleRate, bitRate: 32, volume: 80, pitch: 1 });
  return [...sentencesMs.flatMap((ms, i) => s.render(ms, `sentence ${i}`)), ...s.finish()];
}

/** Runs frames of consecutive tasks through a joiner; returns the output and the size of every write. */
function joinTasks(format: AudioFormat, tasks: Buffer[][]): { output: Buffer; writes: number[] } {
  const joiner = new AudioJoiner(format);
  const parts: Buffer[] = [];
  for (const frames of tasks) {
    joiner.startTask();
    for (const frame of frames) parts.push(joiner.push(frame));
    parts.push(joiner.endTask());
  }
  parts.push(joiner.finish());
  return { output: Buffer.concat(parts), writes: parts.map((p) => p.length) };
}

/** The same bytes cut into pieces of `size` bytes (frames that ignore page or header boundaries). */
function rechunk(frames: Buffer[], size: number): Buffer[] {
  const all = Buffer.concat(frames);
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < all.length; offset += size) pieces.push(all.subarray(offset, offset + size));
  return pieces;
}

function countOccurrences(haystack: Buffer, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

function pagesOf(buf: Buffer): OggPage[] {
  const { pages, consumed, invalid } = parseOggPages(buf);
  expect(invalid).toBeUndefined();
  expect(consumed).toBe(buf.length);
  return pages;
}

/** Checks what makes a single logical Ogg Opus stream; returns its pages. */
function expectOneOpusStream(buf: Buffer): OggPage[] {
  const pages = pagesOf(buf);
  expect(pages.every((p) => p.crcValid)).toBe(true);
  expect(new Set(pages.map((p) => p.serial)).size).toBe(1);
  expect(pages.map((p) => p.sequence)).toEqual(pages.map((_, i) => i));
  expect(pages.filter((p) => (p.headerType & OGG_BOS) !== 0).map((p) => p.sequence)).toEqual([0]);
  expect(pages.filter((p) => (p.headerType & OGG_EOS) !== 0).map((p) => p.sequence)).toEqual([pages.length - 1]);
  expect(countOccurrences(buf, 'OpusHead')).toBe(1);
  expect(countOccurrences(buf, 'OpusTags')).toBe(1);
  const granules = pages.map((p) => p.granule);
  for (let i = 1; i < granules.length; i++) expect(granules[i]).toBeGreaterThanOrEqual(granules[i - 1] ?? 0n);
  return pages;
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cosy-join-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AudioJoiner: pcm', () => {
  it('passes every byte through', () => {
    const tasks = [task('pcm', 16000, [300]), task('pcm', 16000, [200, 100])];
    expect(joinTasks('pcm', tasks).output.equals(Buffer.concat(tasks.flat()))).toBe(true);
  });
});

describe('AudioJoiner: wav', () => {
  it('keeps one RIFF header and yields a file lasting the sum of the tasks after fixWavSizes', async () => {
    const tasks = [task('wav', 22050, [1200, 800]), task('wav', 22050, [1500])];
    const { output } = joinTasks('wav', tasks);
    expect(countOccurrences(output, 'RIFF')).toBe(1);
    expect(countOccurrences(output, 'WAVE')).toBe(1);
    // The first task passes through unchanged; the second loses exactly its 44-byte header.
    const first = Buffer.concat(tasks[0] ?? []);
    expect(output.subarray(0, first.length).equals(first)).toBe(true);
    expect(output.subarray(first.length).equals(Buffer.concat(tasks[1] ?? []).subarray(44))).toBe(true);

    const path = join(dir, 'joined.wav');
    await writeFile(path, output);
    await fixWavSizes(path);
    const fixed = await readFile(path);
    const header = parseWavHeader(fixed);
    expect(header).toMatchObject({ kind: 'ok', dataOffset: 44, dataSize: Math.round(3.5 * 22050) * 2 });
    const meta = await parseBuffer(fixed, { mimeType: 'audio/wav' }, { duration: true });
    // music-metadata 11 warns "Data chunk size exceeds file size" for every WAV whose data chunk is last; the
    // warning that would reveal wrong sizes is "data chunk length exceeding file length".
    expect(meta.quality.warnings.map((w) => w.message)).not.toContain('data chunk length exceeding file length');
    expect(meta.format.duration).toBeCloseTo(3.5, 3);
  });

  it.each([1, 2, 3, 20, 43, 44, 45, 100])('strips a later header that arrives in pieces of %i bytes', (size) => {
    const tasks = [task('wav', 8000, [100]), rechunk(task('wav', 8000, [250]), size)];
    const { output } = joinTasks('wav', tasks);
    expect(output.length).toBe(44 + (800 + 2000) * 2);
    expect(output.subarray(44 + 1600).equals(Buffer.concat(tasks[1] ?? []).subarray(44))).toBe(true);
  });

  it('strips a later header that has extra chunks before data', () => {
    const extended = Buffer.concat([
      buildWavHeader({ sampleRate: 8000, dataBytes: 0xffffffff }).subarray(0, 36),
      Buffer.from('LIST\u0004\u0000\u0000\u0000INFO', 'latin1'),
      Buffer.from('data\u00ff\u00ff\u00ff\u00ff', 'latin1'),
    ]);
    const audio = Buffer.from([1, 2, 3, 4, 5, 6]);
    const first = Buffer.concat([buildWavHeader({ sampleRate: 8000, dataBytes: 0xffffffff }), audio]);
    const second = [extended.subarray(0, 40), Buffer.concat([extended.subarray(40), audio.subarray(0, 2)]), audio.subarray(2)];
    expect(joinTasks('wav', [[first], second]).output.equals(Buffer.concat([first, audio]))).toBe(true);
  });

  it('drops a later task that ends inside its header, and keeps the header of a task after an empty first one', () => {
    const header = buildWavHeader({ sampleRate: 8000, dataBytes: 0xffffffff });
    const audio = Buffer.alloc(10, 7);
    expect(joinTasks('wav', [[Buffer.concat([header, audio])], [header.subarray(0, 30)]]).output.length).toBe(54);
    expect(joinTasks('wav', [[], [Buffer.concat([header, audio])]]).output.length).toBe(54);
  });
});

describe('AudioJoiner: mp3', () => {
  /** An ID3v2.3 tag with a TIT2 frame, padded to `size` bytes in total. */
  function id3Tag(size: number): Buffer {
    const body = Buffer.alloc(size - 10);
    Buffer.from('TIT2\u0000\u0000\u0000\u0005\u0000\u0000\u0000test', 'latin1').copy(body);
    const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
    for (let i = 0; i < 4; i++) header[9 - i] = ((size - 10) >> (7 * i)) & 0x7f;
    return Buffer.concat([header, body]);
  }

  it.each([
    ['whole', 64, 100_000],
    ['split inside its header', 64, 5],
    ['longer than a frame', 20_000, 4096],
  ])('strips a leading ID3v2 tag from later tasks (%s) and keeps the first task intact', async (_name, tagSize, chunk) => {
    const firstTask = [id3Tag(40), ...task('mp3', 44100, [1200, 800])];
    const secondTask = rechunk([id3Tag(tagSize), ...task('mp3', 44100, [1500])], chunk);
    const { output } = joinTasks('mp3', [firstTask, secondTask]);
    expect(countOccurrences(output, 'ID3')).toBe(1);
    const first = Buffer.concat(firstTask);
    expect(output.subarray(0, first.length).equals(first)).toBe(true);
    expect(output.subarray(first.length).equals(Buffer.concat(secondTask).subarray(tagSize))).toBe(true);
    const meta = await parseBuffer(output, { mimeType: 'audio/mpeg' }, { duration: true });
    expect(meta.format.codec).toBe('MPEG 1 Layer 3');
    expect(Math.abs((meta.format.duration ?? 0) - 3.5)).toBeLessThan(0.05);
  });

  it('passes a later task without a tag through unchanged', () => {
    const tasks = [task('mp3', 16000, [500]), task('mp3', 16000, [700])];
    expect(joinTasks('mp3', tasks).output.equals(Buffer.concat(tasks.flat()))).toBe(true);
  });
});

describe('AudioJoiner: opus', () => {
  it('joins two tasks into one logical stream lasting the sum of both', async () => {
    const tasks = [task('opus', 24000, [1200, 800]), task('opus', 24000, [1500])];
    const { output } = joinTasks('opus', tasks);
    const pages = expectOneOpusStream(output);
    const input = tasks.flat().map((frame) => pagesOf(frame)).flat();
    expect(pages).toHaveLength(input.length - 2); // the second stream's OpusHead and OpusTags pages are gone
    const meta = await parseBuffer(output, { mimeType: 'audio/ogg' }, { duration: true });
    expect(meta.quality.warnings).toEqual([]);
    expect(meta.format.codec).toBe('Opus');
    // Each join adds the earlier stream's trimmed tail and the later stream's pre-skip: at most 20 ms.
    expect(meta.format.duration).toBeGreaterThanOrEqual(3.5);
    expect(meta.format.duration).toBeLessThanOrEqual(3.52 + 1e-9);
  });

  it('offsets granules by the samples every earlier task decoded', () => {
    const lengths = [400, 1000, 600];
    const pages = expectOneOpusStream(joinTasks('opus', lengths.map((ms) => task('opus', 48000, [ms]))).output);
    // Each synth task decodes ms/20 + 1 packets of 960 samples; the final granule keeps the last stream's trimming.
    const decodedBefore = (lengths[0] ?? 0) / 20 + 1 + (lengths[1] ?? 0) / 20 + 1;
    expect(pages.at(-1)?.granule).toBe(BigInt((decodedBefore + (lengths[2] ?? 0) / 20) * 960 + 312));
    // Every page's granule equals the samples decoded from all packets up to and including it.
    let decoded = 0;
    for (const page of pages.slice(2, -1)) {
      decoded += page.packets.reduce((n, packet) => n + opusPacketSamples(packet), 0);
      expect(page.granule).toBe(BigInt(decoded));
    }
  });

  it.each([1, 13, 100, 4096])('gives the same output when frames are cut into %i-byte pieces', (size) => {
    const tasks = [task('opus', 16000, [300, 200]), task('opus', 16000, [700]), task('opus', 16000, [100])];
    const expected = joinTasks('opus', tasks).output;
    expect(joinTasks('opus', tasks.map((frames) => rechunk(frames, size))).output.equals(expected)).toBe(true);
  });

  it('holds back exactly one page', () => {
    const frames = task('opus', 48000, [1000]);
    const joiner = new AudioJoiner('opus');
    joiner.startTask();
    let written = 0;
    let pushed = 0;
    for (const frame of frames) {
      written += joiner.push(frame).length;
      pushed += frame.length;
      expect(written).toBe(pushed - frame.length); // everything but the page just pushed
    }
    expect(joiner.endTask().length).toBe(0);
    const tail = joiner.finish();
    expect(tail.length).toBe(frames.at(-1)?.length);
    expect(pagesOf(tail)[0]?.headerType).toBe(OGG_EOS);
  });

  it('passes a single task through unchanged', () => {
    const frames = task('opus', 8000, [500, 500]);
    expect(joinTasks('opus', [frames]).output.equals(Buffer.concat(frames))).toBe(true);
  });

  it('drops header pages by packet magic even without BOS, including an OpusTags packet spanning pages', () => {
    const opusHead = Buffer.concat([Buffer.from('OpusHead'), Buffer.from([1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0])]);
    const longTags = Buffer.concat([Buffer.from('OpusTags'), Buffer.alloc(600)]);
    const audio = Buffer.from([0xf8, 0xff, 0xfe]);
    const second = [
      handPage(0, 0, 0n, [19], opusHead), // a header page without the BOS flag
      handPage(0, 1, -1n, [255, 255], longTags.subarray(0, 510)),
      handPage(OGG_CONTINUED, 2, 0n, [98], longTags.subarray(510)),
      handPage(0, 3, 960n, [3], audio),
    ];
    const first = task('opus', 48000, [100]);
    const { output } = joinTasks('opus', [first, second]);
    const pages = expectOneOpusStream(output);
    expect(pages.at(-1)?.packets.map((p) => p.toString('hex'))).toEqual(['f8fffe']);
    expect(pages).toHaveLength(pagesOf(Buffer.concat(first)).length + 1);
  });

  it('lets bytes that are not Ogg through untouched rather than losing them', () => {
    const first = task('opus', 48000, [100]);
    const junk = Buffer.from('this is not an ogg stream');
    const { output } = joinTasks('opus', [first, [junk]]);
    expect(output.subarray(-junk.length).equals(junk)).toBe(true);
    expect(output.length).toBe(Buffer.concat(first).length + junk.length);
  });
});

/** A page with explicit lacing values (so a packet may continue on the next page) and a correct CRC. */
function handPage(headerType: number, sequence: number, granule: bigint, lacing: number[], body: Buffer): Buffer {
  const page = Buffer.concat([Buffer.alloc(27), Buffer.from(lacing), body]);
  page.write('OggS', 0, 'latin1');
  page[5] = headerType;
  page.writeBigInt64LE(granule, 6);
  page.writeUInt32LE(99, 14);
  page.writeUInt32LE(sequence, 18);
  page[26] = lacing.length;
  page.writeUInt32LE(oggCrc32(page), 22);
  return page;
}

describe('AudioJoiner: retries and misuse', () => {
  it.each(['wav', 'mp3', 'opus'] as const)('%s: restoring a snapshot replays a failed task as if it never ran', (format) => {
    const rate = format === 'mp3' ? 22050 : 16000;
    const tasks = [task(format, rate, [300]), task(format, rate, [500, 200]), task(format, rate, [400])];
    const expected = joinTasks(format, tasks).output;

    const joiner = new AudioJoiner(format);
    const kept: Buffer[] = [];
    joiner.startTask();
    for (const frame of tasks[0] ?? []) kept.push(joiner.push(frame));
    kept.push(joiner.endTask());
    const snapshot = joiner.snapshot();
    const writtenBefore = joiner.bytesWritten;
    for (let attempt = 0; attempt < 2; attempt++) {
      // A failed attempt: part of the task, then the caller rewinds its output and restores the joiner.
      joiner.startTask();
      for (const frame of (tasks[1] ?? []).slice(0, 2)) joiner.push(frame);
      joiner.restore(snapshot);
      expect(joiner.bytesWritten).toBe(writtenBefore);
    }
    for (const frames of tasks.slice(1)) {
      joiner.startTask();
      for (const frame of frames) kept.push(joiner.push(frame));
      kept.push(joiner.endTask());
    }
    kept.push(joiner.finish());
    expect(Buffer.concat(kept).equals(expected)).toBe(true);
  });

  it('a snapshot taken while a header is half-buffered is unaffected by later pushes', () => {
    const header = buildWavHeader({ sampleRate: 8000, dataBytes: 0xffffffff });
    const audio = Buffer.alloc(6, 9);
    const joiner = new AudioJoiner('wav');
    joiner.startTask();
    joiner.push(Buffer.concat([header, audio]));
    joiner.endTask();
    joiner.startTask();
    expect(joiner.push(header.subarray(0, 20)).length).toBe(0);
    const snapshot = joiner.snapshot();
    expect(joiner.push(Buffer.concat([header.subarray(20), audio])).equals(audio)).toBe(true);
    joiner.restore(snapshot);
    expect(joiner.push(Buffer.concat([header.subarray(20), audio])).equals(audio)).toBe(true);
  });

  it('rejects calls out of order', () => {
    const joiner = new AudioJoiner('pcm');
    expect(() => joiner.push(Buffer.alloc(1))).toThrow(/push while idle/);
    expect(() => joiner.endTask()).toThrow(/endTask while idle/);
    joiner.startTask();
    expect(() => joiner.startTask()).toThrow(/startTask while task/);
    joiner.finish();
    expect(() => joiner.finish()).toThrow(/twice/);
    expect(() => joiner.startTask()).toThrow(/finished/);
  });

  it('finish() ends an open task and releases the held Ogg page', () => {
    const frames = task('opus', 48000, [200]);
    const joiner = new AudioJoiner('opus');
    joiner.startTask();
    const out = [...frames.map((f) => joiner.push(f)), joiner.finish()];
    expect(Buffer.concat(out).equals(Buffer.concat(frames))).toBe(true);
  });
});

describe('opusPacketSamples', () => {
  it.each([
    ['CELT FB 20 ms, code 0', 960, [0xf8]],
    ['CELT FB 20 ms, code 3 with one frame', 960, [0xfb, 0x41]],
    ['CELT 2.5 ms, code 0', 120, [0x80]],
    ['CELT 5 ms, two frames (code 1)', 480, [0x89]],
    ['CELT 10 ms, code 2', 960, [0x92]],
    ['SILK 10 ms', 480, [0x00]],
    ['SILK 40 ms', 1920, [0x10]],
    ['SILK 60 ms, code 3 with 2 frames', 5760, [0x1b, 0x02]],
    ['hybrid 10 ms', 480, [0x60]],
    ['hybrid 20 ms', 960, [0x68]],
    ['empty packet', 0, []],
  ])('%s lasts %i samples', (_name, samples, bytes) => {
    expect(opusPacketSamples(Buffer.from(bytes))).toBe(samples);
  });
});
