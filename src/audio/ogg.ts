/**
 * Ogg page helpers (RFC 3533): CRC-32, building, incremental parsing and rewriting of pages. Pure: no I/O.
 */

/** Header-type flag: the page's first packet continues one from the previous page. */
export const OGG_CONTINUED = 0x01;
/** Header-type flag: first page of a logical stream (beginning of stream). */
export const OGG_BOS = 0x02;
/** Header-type flag: last page of a logical stream (end of stream). */
export const OGG_EOS = 0x04;

/** Size of the fixed part of a page header, before the segment table. */
export const OGG_HEADER_SIZE = 27;
/** Most lacing values one page can carry. */
export const OGG_MAX_SEGMENTS = 255;
/** Granule position meaning "no packet finishes on this page". */
export const OGG_NO_GRANULE = -1n;

const CAPTURE = Buffer.from('OggS', 'latin1');
const CRC_OFFSET = 22;

const CRC_TABLE: Uint32Array = buildCrcTable();

function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) {
      r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    }
    table[i] = r >>> 0;
  }
  return table;
}

/** Ogg CRC-32 of `data` (polynomial 0x04c11db7, no reflection, initial value 0, no final xor). */
export function oggCrc32(data: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < data.length; i++) {
    // Both indexes are in range by construction; `?? 0` only satisfies noUncheckedIndexedAccess.
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ (data[i] ?? 0)) & 0xff] ?? 0)) >>> 0;
  }
  return crc;
}

/** What a new page is made of: whole packets plus the page header fields. */
export interface OggPageSpec {
  headerType: number;
  /** Granule position; signed, `-1n` when no packet finishes on the page. */
  granule: bigint;
  serial: number;
  sequence: number;
  /** Complete packets, in order; each ends on this page. */
  packets: readonly Buffer[];
}

/** Lacing values for complete packets: 255s then the remainder (0 when a packet is an exact multiple of 255). */
export function lacingValues(packetLengths: readonly number[]): number[] {
  const lacing: number[] = [];
  for (const length of packetLengths) {
    let remaining = length;
    while (remaining >= 255) {
      lacing.push(255);
      remaining -= 255;
    }
    lacing.push(remaining);
  }
  return lacing;
}

/** Builds one Ogg page holding `packets`, with its CRC; throws a RangeError when they need more than 255 segments. */
export function buildOggPage(spec: OggPageSpec): Buffer {
  const lacing = lacingValues(spec.packets.map((p) => p.length));
  if (lacing.length > OGG_MAX_SEGMENTS) {
    throw new RangeError(`Ogg page needs ${lacing.length} segments; at most ${OGG_MAX_SEGMENTS} fit`);
  }
  const bodyLength = spec.packets.reduce((sum, p) => sum + p.length, 0);
  const page = Buffer.alloc(OGG_HEADER_SIZE + lacing.length + bodyLength);
  CAPTURE.copy(page, 0);
  page[4] = 0; // stream structure version
  page[5] = spec.headerType & 0xff;
  page.writeBigInt64LE(BigInt.asIntN(64, spec.granule), 6);
  page.writeUInt32LE(spec.serial >>> 0, 14);
  page.writeUInt32LE(spec.sequence >>> 0, 18);
  page[26] = lacing.length;
  Buffer.from(lacing).copy(page, OGG_HEADER_SIZE);
  let offset = OGG_HEADER_SIZE + lacing.length;
  for (const packet of spec.packets) {
    packet.copy(page, offset);
    offset += packet.length;
  }
  page.writeUInt32LE(oggCrc32(page), CRC_OFFSET);
  return page;
}

/** One parsed Ogg page. Buffers are views into the parsed input, not copies. */
export interface OggPage {
  headerType: number;
  /** Signed granule position; `-1n` means no packet finishes on this page. */
  granule: bigint;
  serial: number;
  sequence: number;
  /** CRC stored in the page. */
  crc: number;
  /** Whether the stored CRC matches the page contents. */
  crcValid: boolean;
  /** The lacing values (segment table). */
  segments: number[];
  /**
   * The body split at packet boundaries. The first piece continues a packet from the previous page when
   * `headerType & OGG_CONTINUED`; the last piece is unfinished when `lastPacketComplete` is false.
   */
  packets: Buffer[];
  /** Whether the last piece of `packets` ends its packet on this page. */
  lastPacketComplete: boolean;
  /** The page body (all segments). */
  body: Buffer;
  /** The whole page, header included. */
  raw: Buffer;
}

/** Result of parsing a buffer into pages: whole pages found, bytes they span, and why parsing stopped if invalid. */
export interface OggParseResult {
  pages: OggPage[];
  /** Bytes of the input covered by `pages`; the rest is an incomplete page (or invalid). */
  consumed: number;
  /** Set when the bytes at `consumed` are not an Ogg page; parsing stopped there. */
  invalid?: string;
}

/** Splits a page body into packet pieces according to its lacing values. */
function splitPackets(body: Buffer, segments: readonly number[]): { packets: Buffer[]; lastPacketComplete: boolean } {
  const packets: Buffer[] = [];
  let start = 0;
  let offset = 0;
  let lastPacketComplete = true;
  for (const lace of segments) {
    offset += lace;
    if (lace < 255) {
      packets.push(body.subarray(start, offset));
      start = offset;
      lastPacketComplete = true;
    } else {
      lastPacketComplete = false;
    }
  }
  if (!lastPacketComplete) packets.push(body.subarray(start, offset));
  return { packets, lastPacketComplete };
}

/** Parses every complete page at the start of `buf`; an incomplete trailing page is left for the next call. */
export function parseOggPages(buf: Buffer): OggParseResult {
  const pages: OggPage[] = [];
  let offset = 0;
  for (;;) {
    const available = buf.length - offset;
    const prefix = Math.min(available, CAPTURE.length);
    if (prefix > 0 && !buf.subarray(offset, offset + prefix).equals(CAPTURE.subarray(0, prefix))) {
      return { pages, consumed: offset, invalid: `no Ogg capture pattern at byte ${offset}` };
    }
    if (available < OGG_HEADER_SIZE) break;
    if (buf[offset + 4] !== 0) {
      return { pages, consumed: offset, invalid: `unsupported Ogg version ${buf[offset + 4] ?? 0} at byte ${offset}` };
    }
    const segmentCount = buf[offset + 26] ?? 0;
    const headerLength = OGG_HEADER_SIZE + segmentCount;
    if (available < headerLength) break;
    const segments = Array.from(buf.subarray(offset + OGG_HEADER_SIZE, offset + headerLength));
    const bodyLength = segments.reduce((sum, lace) => sum + lace, 0);
    if (available < headerLength + bodyLength) break;
    const raw = buf.subarray(offset, offset + headerLength + bodyLength);
    const body = raw.subarray(headerLength);
    const crc = raw.readUInt32LE(CRC_OFFSET);
    pages.push({
      headerType: raw[5] ?? 0,
      granule: raw.readBigInt64LE(6),
      serial: raw.readUInt32LE(14),
      sequence: raw.readUInt32LE(18),
      crc,
      crcValid: crc === pageCrc(raw),
      segments,
      ...splitPackets(body, segments),
      body,
      raw,
    });
    offset += raw.length;
  }
  return { pages, consumed: offset };
}

/** CRC of a page computed as if its CRC field were zero. */
function pageCrc(raw: Buffer): number {
  const copy = Buffer.from(raw);
  copy.writeUInt32LE(0, CRC_OFFSET);
  return oggCrc32(copy);
}

/** Header fields `rewriteOggPage` can change. */
export interface OggPageChanges {
  serial?: number;
  sequence?: number;
  granule?: bigint;
  headerType?: number;
}

/** A copy of the page `raw` with the given header fields replaced and the CRC recomputed. */
export function rewriteOggPage(raw: Buffer, changes: OggPageChanges): Buffer {
  if (raw.length < OGG_HEADER_SIZE || !raw.subarray(0, 4).equals(CAPTURE)) {
    throw new Error('rewriteOggPage: not an Ogg page');
  }
  const page = Buffer.from(raw);
  if (changes.headerType !== undefined) page[5] = changes.headerType & 0xff;
  if (changes.granule !== undefined) page.writeBigInt64LE(BigInt.asIntN(64, changes.granule), 6);
  if (changes.serial !== undefined) page.writeUInt32LE(changes.serial >>> 0, 14);
  if (changes.sequence !== undefined) page.writeUInt32LE(changes.sequence >>> 0, 18);
  page.writeUInt32LE(0, CRC_OFFSET);
  page.writeUInt32LE(oggCrc32(page), CRC_OFFSET);
  return page;
}
