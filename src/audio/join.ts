/**
 * Joins the audio of several consecutive synthesis tasks into one valid stream: later tasks lose their container
 * headers (WAV header, ID3v2 tag, Ogg Opus header pages) and Ogg pages are renumbered into one logical stream.
 */
import type { AudioFormat } from '../protocol/limits.js';
import { parseWavHeader } from './wav.js';
import { id3v2Length } from './mp3.js';
import { OGG_BOS, OGG_CONTINUED, OGG_EOS, OGG_NO_GRANULE, parseOggPages, rewriteOggPage, type OggPage } from './ogg.js';

/** How one format joins tasks; `first` says whether no audio has been written before this task. */
interface FormatJoiner {
  startTask(first: boolean): void;
  push(frame: Buffer): Buffer[];
  endTask(): Buffer[];
  finish(): Buffer[];
  /** An independent copy of the current state. */
  clone(): FormatJoiner;
}

/** Opaque state of an `AudioJoiner`, taken with `snapshot()` and put back with `restore()`. */
export interface AudioJoinerSnapshot {
  readonly state: 'idle' | 'task' | 'finished';
  readonly written: number;
  readonly joiner: FormatJoiner;
}

/**
 * Joins the audio of consecutive tasks into one stream. Call `startTask`, then `push` each frame and write what it
 * returns, then `endTask`; repeat per task; finally write what `finish` returns (once).
 */
export class AudioJoiner {
  private joiner: FormatJoiner;
  private state: 'idle' | 'task' | 'finished' = 'idle';
  private written = 0;

  constructor(format: AudioFormat) {
    this.joiner = joinerFor(format);
  }

  /** Bytes returned so far by every call. */
  get bytesWritten(): number {
    return this.written;
  }

  /** Begins the next task; throws when a task is already open or `finish` was called. */
  startTask(): void {
    if (this.state !== 'idle') throw new Error(`AudioJoiner.startTask while ${this.state}`);
    this.state = 'task';
    this.joiner.startTask(this.written === 0);
  }

  /** Takes one frame of the current task and returns the bytes to write now (some may be held back). */
  push(frame: Buffer): Buffer {
    if (this.state !== 'task') throw new Error(`AudioJoiner.push while ${this.state}`);
    return this.out(this.joiner.push(frame));
  }

  /** Ends the current task and returns any bytes it still has to write. */
  endTask(): Buffer {
    if (this.state !== 'task') throw new Error(`AudioJoiner.endTask while ${this.state}`);
    this.state = 'idle';
    return this.out(this.joiner.endTask());
  }

  /** Returns every held-back byte (ending an open task first); call once, at the very end. */
  finish(): Buffer {
    if (this.state === 'finished') throw new Error('AudioJoiner.finish called twice');
    const ending = this.state === 'task' ? this.joiner.endTask() : [];
    this.state = 'finished';
    return this.out([...ending, ...this.joiner.finish()]);
  }

  /** The joiner's state now, e.g. before a task, so a failed task can be retried after `restore`. */
  snapshot(): AudioJoinerSnapshot {
    return { state: this.state, written: this.written, joiner: this.joiner.clone() };
  }

  /** Puts back a state taken with `snapshot` (the snapshot stays reusable for further retries). */
  restore(snapshot: AudioJoinerSnapshot): void {
    this.state = snapshot.state;
    this.written = snapshot.written;
    this.joiner = snapshot.joiner.clone();
  }

  private out(parts: Buffer[]): Buffer {
    const bytes = parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
    this.written += bytes.length;
    return bytes;
  }
}

function joinerFor(format: AudioFormat): FormatJoiner {
  switch (format) {
    case 'pcm':
      return new PassThroughJoiner();
    case 'wav':
      return new LeadingHeaderJoiner((buf) => {
        const header = parseWavHeader(buf);
        return header.kind === 'ok' ? header.dataOffset : header.kind === 'need-more' ? 'need-more' : 0;
      });
    case 'mp3':
      return new LeadingHeaderJoiner((buf) => id3v2Length(buf));
    case 'opus':
      return new OggOpusJoiner();
  }
}

/** Raw PCM has no header: every byte passes through. */
class PassThroughJoiner implements FormatJoiner {
  startTask(): void {}
  push(frame: Buffer): Buffer[] {
    return [frame];
  }
  endTask(): Buffer[] {
    return [];
  }
  finish(): Buffer[] {
    return [];
  }
  clone(): FormatJoiner {
    return this;
  }
}

/**
 * Size of a header at the start of the bytes (0 when there is none) or 'need-more' when they are too few to tell.
 */
type HeaderMeasure = (buf: Buffer) => number | 'need-more';

/** Strips a leading header (WAV header, ID3v2 tag) from every task but the first, buffering it while it is split. */
class LeadingHeaderJoiner implements FormatJoiner {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** 'measure': looking for the header; 'skip': dropping the rest of a long header; 'pass': audio. */
  private mode: 'measure' | 'skip' | 'pass' = 'pass';
  private skipRemaining = 0;

  constructor(private readonly measure: HeaderMeasure) {}

  startTask(first: boolean): void {
    this.mode = first ? 'pass' : 'measure';
    this.pending = [];
    this.pendingBytes = 0;
  }

  push(frame: Buffer): Buffer[] {
    if (this.mode === 'pass') return [frame];
    if (this.mode === 'skip') {
      const dropped = Math.min(this.skipRemaining, frame.length);
      this.skipRemaining -= dropped;
      if (this.skipRemaining === 0) this.mode = 'pass';
      return dropped < frame.length ? [frame.subarray(dropped)] : [];
    }
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    const buffered = Buffer.concat(this.pending, this.pendingBytes);
    const size = this.measure(buffered);
    if (size === 'need-more') {
      this.pending = [buffered];
      return [];
    }
    this.pending = [];
    this.pendingBytes = 0;
    if (size >= buffered.length) {
      this.skipRemaining = size - buffered.length;
      this.mode = this.skipRemaining > 0 ? 'skip' : 'pass';
      return [];
    }
    this.mode = 'pass';
    return [buffered.subarray(size)];
  }

  endTask(): Buffer[] {
    // A header cut short by the end of the task carries no audio: it is dropped.
    this.pending = [];
    this.pendingBytes = 0;
    this.mode = 'pass';
    return [];
  }

  finish(): Buffer[] {
    return [];
  }

  clone(): FormatJoiner {
    const copy = new LeadingHeaderJoiner(this.measure);
    copy.pending = [...this.pending];
    copy.pendingBytes = this.pendingBytes;
    copy.mode = this.mode;
    copy.skipRemaining = this.skipRemaining;
    return copy;
  }
}

/** 48 kHz samples per Opus frame, by TOC configuration number (RFC 6716 §3.1). */
function opusFrameSamples(config: number): number {
  if (config < 12) return [480, 960, 1920, 2880][config % 4] ?? 0; // SILK: 10, 20, 40, 60 ms
  if (config < 16) return config % 2 === 0 ? 480 : 960; // hybrid: 10, 20 ms
  return [120, 240, 480, 960][config % 4] ?? 0; // CELT: 2.5, 5, 10, 20 ms
}

/** Decoded length of an Opus packet in 48 kHz samples, from its TOC (and frame count) byte; 0 if unreadable. */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const code = toc & 0x03;
  const frames = code === 0 ? 1 : code === 3 ? (packet[1] ?? 0) & 0x3f : 2;
  return frames * opusFrameSamples(toc >> 3);
}

const OPUS_HEAD = Buffer.from('OpusHead', 'latin1');
const OPUS_TAGS = Buffer.from('OpusTags', 'latin1');

/** An output page held back until we know whether it is the last one. */
interface HeldPage {
  raw: Buffer;
  granule: bigint;
  /** Set when the page ended its task: the granule of every sample its task decoded (untrimmed end). */
  taskEndGranule?: bigint;
}

/**
 * Joins Ogg Opus tasks into one logical stream: drops later tasks' OpusHead/OpusTags pages, renumbers pages,
 * offsets granules, and keeps BOS on the first page and EOS on the last. Holds back one page at a time.
 */
class OggOpusJoiner implements FormatJoiner {
  private pending: Buffer = Buffer.alloc(0);
  /** The current task's bytes could not be parsed as Ogg: they pass through unchanged. */
  private passThrough = false;
  private outSerial: number | undefined;
  private nextSequence = 0;
  private held: HeldPage | undefined;
  /** 48 kHz samples decoded from all previous tasks: this task's granule origin in the joined stream. */
  private granuleOffset = 0n;
  /** 48 kHz samples decoded from this task's audio packets so far. */
  private taskDecoded = 0n;
  /** Still inside this task's header pages. */
  private inHeaders = true;
  /** Drop this task's header pages (a stream header has already been written). */
  private dropHeaders = false;
  /** First bytes of a packet that continues on the next page (empty when the last page ended its packet). */
  private partialPacketStart: Buffer = Buffer.alloc(0);
  /** The partial packet is a header packet. */
  private partialIsHeader = false;

  startTask(): void {
    this.pending = Buffer.alloc(0);
    this.passThrough = false;
    this.taskDecoded = 0n;
    this.inHeaders = true;
    this.dropHeaders = this.outSerial !== undefined;
    this.partialPacketStart = Buffer.alloc(0);
    this.partialIsHeader = false;
  }

  push(frame: Buffer): Buffer[] {
    if (this.passThrough) return [frame];
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, frame]) : frame;
    const { pages, consumed, invalid } = parseOggPages(buf);
    const out: Buffer[] = [];
    for (const page of pages) out.push(...this.acceptPage(page));
    if (invalid !== undefined) {
      // Not Ogg after all: write what we hold and let the rest of this task through untouched.
      this.passThrough = true;
      this.pending = Buffer.alloc(0);
      out.push(...this.releaseHeld(), buf.subarray(consumed));
      return out;
    }
    this.pending = Buffer.from(buf.subarray(consumed));
    return out;
  }

  endTask(): Buffer[] {
    // A trailing partial page cannot be completed any more; it is dropped.
    this.pending = Buffer.alloc(0);
    if (this.held !== undefined && this.held.taskEndGranule === undefined && this.taskDecoded > 0n) {
      this.held.taskEndGranule = this.granuleOffset + this.taskDecoded;
    }
    this.granuleOffset += this.taskDecoded;
    this.taskDecoded = 0n;
    return [];
  }

  finish(): Buffer[] {
    const held = this.held;
    this.held = undefined;
    if (held === undefined) return [];
    const headerType = held.raw[5] ?? 0;
    return [rewriteOggPage(held.raw, { headerType: headerType | OGG_EOS })];
  }

  clone(): FormatJoiner {
    const copy = new OggOpusJoiner();
    copy.pending = this.pending;
    copy.passThrough = this.passThrough;
    copy.outSerial = this.outSerial;
    copy.nextSequence = this.nextSequence;
    copy.held = this.held === undefined ? undefined : { ...this.held };
    copy.granuleOffset = this.granuleOffset;
    copy.taskDecoded = this.taskDecoded;
    copy.inHeaders = this.inHeaders;
    copy.dropHeaders = this.dropHeaders;
    copy.partialPacketStart = this.partialPacketStart;
    copy.partialIsHeader = this.partialIsHeader;
    return copy;
  }

  /** Handles one parsed page of the current task; returns what can be written now. */
  private acceptPage(page: OggPage): Buffer[] {
    const header = this.inHeaders && this.isHeaderPage(page);
    this.trackPackets(page, header);
    if (!header) this.inHeaders = false;
    if (header && this.dropHeaders) return [];
    const outSerial = this.outSerial ?? page.serial;
    this.outSerial = outSerial;
    const granule = page.granule === OGG_NO_GRANULE ? OGG_NO_GRANULE : this.granuleOffset + page.granule;
    const sequence = this.nextSequence++;
    let headerType = page.headerType & ~OGG_EOS;
    if (sequence !== 0) headerType &= ~OGG_BOS;
    const unchanged =
      page.serial === outSerial &&
      page.sequence === sequence &&
      page.granule === granule &&
      page.headerType === headerType;
    const raw =
      unchanged && page.crcValid
        ? Buffer.from(page.raw)
        : rewriteOggPage(page.raw, { serial: outSerial, sequence, granule, headerType });
    const released = this.releaseHeld();
    this.held = { raw, granule };
    return released;
  }

  /** The held page ready to write (EOS clear; its granule untrimmed if it ended an earlier task), or nothing. */
  private releaseHeld(): Buffer[] {
    const held = this.held;
    this.held = undefined;
    if (held === undefined) return [];
    const end = held.taskEndGranule;
    if (end !== undefined && held.granule !== OGG_NO_GRANULE && end > held.granule) {
      // An intermediate task's end trimming would hide samples the decoder still produces mid-stream.
      return [rewriteOggPage(held.raw, { granule: end })];
    }
    return [held.raw];
  }

  /** Whether a page inside the header section belongs to OpusHead/OpusTags (detected by packet magic). */
  private isHeaderPage(page: OggPage): boolean {
    if ((page.headerType & OGG_BOS) !== 0) return true;
    if ((page.headerType & OGG_CONTINUED) !== 0 && this.partialPacketStart.length > 0) return this.partialIsHeader;
    const first = page.packets[0];
    return first !== undefined && isHeaderPacket(first);
  }

  /** Counts the decoded length of audio packets completed on this page and remembers a packet left unfinished. */
  private trackPackets(page: OggPage, header: boolean): void {
    const continued = (page.headerType & OGG_CONTINUED) !== 0 && this.partialPacketStart.length > 0;
    page.packets.forEach((piece, index) => {
      const start = index === 0 && continued ? Buffer.concat([this.partialPacketStart, piece]).subarray(0, 8) : piece;
      const complete = index < page.packets.length - 1 || page.lastPacketComplete;
      if (complete) {
        if (!header && !isHeaderPacket(start)) this.taskDecoded += BigInt(opusPacketSamples(start));
        return;
      }
      this.partialPacketStart = Buffer.from(start.subarray(0, 8));
      this.partialIsHeader = header;
    });
    if (page.lastPacketComplete) this.partialPacketStart = Buffer.alloc(0);
  }
}

function isHeaderPacket(packet: Buffer): boolean {
  const magic = packet.subarray(0, 8);
  return magic.equals(OPUS_HEAD) || magic.equals(OPUS_TAGS);
}
