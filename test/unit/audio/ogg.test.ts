import { describe, expect, it } from 'vitest';
import {
  buildOggPage,
  lacingValues,
  oggCrc32,
  OGG_BOS,
  OGG_CONTINUED,
  OGG_EOS,
  parseOggPages,
  rewriteOggPage,
  type OggPageChanges,
} from '../../../src/audio/ogg.js';

/** Bit-at-a-time reference CRC (poly 0x04c11db7, MSB first, init 0, no final xor), independent of the table. */
function referenceCrc(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    for (let bit = 7; bit >= 0; bit--) {
      const inBit = (byte >> bit) & 1;
      const top = (crc >>> 31) & 1;
      crc = (crc << 1) >>> 0;
      if ((top ^ inBit) === 1) crc = (crc ^ 0x04c11db7) >>> 0;
    }
  }
  return crc;
}

/** A page with arbitrary lacing values, assembled by hand (so packets may continue across pages). */
function handPage(headerType: number, sequence: number, lacing: number[], fill: number): Buffer {
  const bodyLength = lacing.reduce((a, b) => a + b, 0);
  const page = Buffer.alloc(27 + lacing.length + bodyLength, fill);
  page.write('OggS', 0, 'latin1');
  page[4] = 0;
  page[5] = headerType;
  page.writeBigInt64LE(-1n, 6);
  page.writeUInt32LE(77, 14);
  page.writeUInt32LE(sequence, 18);
  page.writeUInt32LE(0, 22);
  page[26] = lacing.length;
  Buffer.from(lacing).copy(page, 27);
  page.writeUInt32LE(referenceCrc(page), 22);
  return page;
}

function bytes(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff));
}

describe('oggCrc32', () => {
  it('matches the CRC-32 (MSB-first, init 0, no xor-out) check value of "123456789"', () => {
    // CRC-32/POSIX check value is 0x765e7680 with xor-out 0xffffffff; Ogg omits the xor-out.
    expect(oggCrc32(Buffer.from('123456789'))).toBe((0x765e7680 ^ 0xffffffff) >>> 0);
    expect(oggCrc32(Buffer.from('123456789'))).toBe(0x89a1897f);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['one zero byte', Buffer.from([0])],
    ['one 0xff byte', Buffer.from([0xff])],
    ['text', Buffer.from('The quick brown fox jumps over the lazy dog')],
    ['ramp', bytes(4096, 7)],
  ])('agrees with a bitwise reference for %s', (_name, data) => {
    expect(oggCrc32(data)).toBe(referenceCrc(data));
  });
});

describe('lacingValues', () => {
  it.each([
    [[0], [0]],
    [[1], [1]],
    [[254], [254]],
    [[255], [255, 0]],
    [[256], [255, 1]],
    [[510], [255, 255, 0]],
    [[600, 3], [255, 255, 90, 3]],
    [[], []],
  ])('packets %j lace as %j', (lengths, expected) => {
    expect(lacingValues(lengths)).toEqual(expected);
  });
});

describe('buildOggPage / parseOggPages', () => {
  it.each([
    [[]],
    [[0]],
    [[1]],
    [[254]],
    [[255]],
    [[256]],
    [[765]],
    [[3, 300, 255, 17]],
  ])('round-trips packets of lengths %j', (lengths) => {
    const packets = lengths.map((length, i) => bytes(length, i));
    const raw = buildOggPage({ headerType: OGG_BOS, granule: 123456789012n, serial: 0xdeadbeef, sequence: 42, packets });
    const { pages, consumed, invalid } = parseOggPages(raw);
    expect(invalid).toBeUndefined();
    expect(consumed).toBe(raw.length);
    expect(pages).toHaveLength(1);
    const page = pages[0];
    expect(page?.headerType).toBe(OGG_BOS);
    expect(page?.granule).toBe(123456789012n);
    expect(page?.serial).toBe(0xdeadbeef);
    expect(page?.sequence).toBe(42);
    expect(page?.segments).toEqual(lacingValues(lengths));
    expect(page?.packets.map((p) => Buffer.from(p))).toEqual(packets);
    expect(page?.lastPacketComplete).toBe(true);
    expect(page?.crcValid).toBe(true);
    expect(page?.crc).toBe(referenceCrc(Buffer.concat([raw.subarray(0, 22), Buffer.alloc(4), raw.subarray(26)])));
    expect(page?.raw.equals(raw)).toBe(true);
  });

  it('writes the fixed header fields at their RFC 3533 offsets', () => {
    const raw = buildOggPage({ headerType: OGG_EOS, granule: -1n, serial: 0x01020304, sequence: 5, packets: [bytes(3, 1)] });
    expect(raw.toString('latin1', 0, 4)).toBe('OggS');
    expect(raw[4]).toBe(0);
    expect(raw[5]).toBe(OGG_EOS);
    expect(raw.subarray(6, 14).equals(Buffer.alloc(8, 0xff))).toBe(true);
    expect(raw.readUInt32LE(14)).toBe(0x01020304);
    expect(raw.readUInt32LE(18)).toBe(5);
    expect(raw[26]).toBe(1);
    expect(raw[27]).toBe(3);
    expect(raw.length).toBe(27 + 1 + 3);
  });

  it('refuses packets that need more than 255 segments', () => {
    expect(() => buildOggPage({ headerType: 0, granule: 0n, serial: 1, sequence: 0, packets: [Buffer.alloc(255 * 255)] })).toThrow(
      RangeError,
    );
    expect(() => buildOggPage({ headerType: 0, granule: 0n, serial: 1, sequence: 0, packets: [Buffer.alloc(255 * 254 + 254)] })).not.toThrow();
  });

  it('parses incrementally whatever the chunking, leaving partial pages unconsumed', () => {
    const stream = Buffer.concat(
      [[10], [300, 2], [1000]].map((lengths, sequence) =>
        buildOggPage({ headerType: 0, granule: BigInt(sequence), serial: 9, sequence, packets: lengths.map((l) => bytes(l, sequence)) }),
      ),
    );
    for (const chunk of [1, 7, 27, 100, 333, stream.length]) {
      let pending = Buffer.alloc(0);
      const sequences: number[] = [];
      for (let offset = 0; offset < stream.length; offset += chunk) {
        pending = Buffer.concat([pending, stream.subarray(offset, offset + chunk)]);
        const result = parseOggPages(pending);
        expect(result.invalid).toBeUndefined();
        sequences.push(...result.pages.map((p) => p.sequence));
        expect(result.pages.every((p) => p.crcValid)).toBe(true);
        pending = pending.subarray(result.consumed);
      }
      expect(sequences).toEqual([0, 1, 2]);
      expect(pending.length).toBe(0);
    }
  });

  it.each([
    ['not Ogg at all', Buffer.from('RIFF0000WAVEfmt ')],
    ['a bad capture pattern prefix', Buffer.from('Ogx')],
    ['an unknown stream structure version', Buffer.concat([Buffer.from('OggS'), Buffer.alloc(23, 1)])],
  ])('reports %s as invalid', (_name, buf) => {
    const result = parseOggPages(buf);
    expect(result.pages).toEqual([]);
    expect(result.consumed).toBe(0);
    expect(result.invalid).toMatch(/byte 0/);
  });

  it('stops at invalid bytes after a good page', () => {
    const page = buildOggPage({ headerType: 0, granule: 0n, serial: 1, sequence: 0, packets: [bytes(5, 0)] });
    const result = parseOggPages(Buffer.concat([page, Buffer.from('garbage')]));
    expect(result.pages).toHaveLength(1);
    expect(result.consumed).toBe(page.length);
    expect(result.invalid).toMatch(new RegExp(`byte ${page.length}`));
  });

  it.each([['O'], ['Og'], ['OggS'], ['OggS\u0000\u0000']])('waits for more bytes after %j', (prefix) => {
    expect(parseOggPages(Buffer.from(prefix, 'latin1'))).toEqual({ pages: [], consumed: 0 });
  });

  it('detects a corrupted page through its CRC', () => {
    const raw = buildOggPage({ headerType: 0, granule: 0n, serial: 1, sequence: 0, packets: [bytes(50, 3)] });
    raw[40] = (raw[40] ?? 0) ^ 0x01;
    expect(parseOggPages(raw).pages[0]?.crcValid).toBe(false);
  });

  it('splits packets continued across pages', () => {
    const first = handPage(0, 0, [255, 255, 10, 255], 0xaa); // packet of 520, then an unfinished one
    const second = handPage(OGG_CONTINUED, 1, [255, 255], 0xbb); // still unfinished
    const third = handPage(OGG_CONTINUED, 2, [4, 6], 0xcc); // finishes it, then a 6-byte packet
    const { pages } = parseOggPages(Buffer.concat([first, second, third]));
    expect(pages.map((p) => p.packets.map((x) => x.length))).toEqual([[520, 255], [510], [4, 6]]);
    expect(pages.map((p) => p.lastPacketComplete)).toEqual([false, false, true]);
    expect(pages.map((p) => p.granule)).toEqual([-1n, -1n, -1n]);
    expect(pages.every((p) => p.crcValid)).toBe(true);
  });
});

describe('rewriteOggPage', () => {
  const original = buildOggPage({ headerType: OGG_BOS, granule: 960n, serial: 1, sequence: 3, packets: [bytes(20, 9)] });

  it.each([
    ['serial', { serial: 0xfffffffe }],
    ['sequence', { sequence: 99 }],
    ['large granule', { granule: 1n << 40n }],
    ['no-granule marker', { granule: -1n }],
    ['header type', { headerType: OGG_EOS | OGG_CONTINUED }],
    ['every field', { serial: 5, sequence: 6, granule: 7n, headerType: 0 }],
  ])('applies a new %s and recomputes the CRC', (_name, changes: OggPageChanges) => {
    const rewritten = rewriteOggPage(original, changes);
    const page = parseOggPages(rewritten).pages[0];
    expect(page?.crcValid).toBe(true);
    expect(page?.serial).toBe(changes.serial ?? 1);
    expect(page?.sequence).toBe(changes.sequence ?? 3);
    expect(page?.granule).toBe(changes.granule ?? 960n);
    expect(page?.headerType).toBe(changes.headerType ?? OGG_BOS);
    expect(page?.body.equals(bytes(20, 9))).toBe(true);
  });

  it('leaves its input untouched', () => {
    const copy = Buffer.from(original);
    rewriteOggPage(original, { serial: 123, sequence: 9 });
    expect(original.equals(copy)).toBe(true);
  });

  it('throws on something that is not a page', () => {
    expect(() => rewriteOggPage(Buffer.from('not an ogg page at all, really'), { sequence: 1 })).toThrow(/not an Ogg page/);
  });
});
