/**
 * Duration of audio as it streams in, frame by frame, for timing subtitles from the audio actually received:
 * exact for pcm and wav (byte counts), from MPEG frame headers for mp3, and from Ogg granule positions for opus.
 * Bytes that span two frames are carried over; the meter never holds more than one incomplete frame or page.
 */
import type { AudioFormat } from '../protocol/limits.js';
import { decodeMp3Header, id3v2Length } from './mp3.js';
import { parseOggPages } from './ogg.js';
import { parseWavHeader } from './wav.js';

const PCM_BYTES_PER_SAMPLE = 2;
const OPUS_GRANULE_RATE = 48_000;

/** Measures the duration of one task's audio stream, chunk by chunk. */
export class FrameDurationMeter {
  readonly #format: AudioFormat;
  readonly #sampleRate: number;
  #carry: Buffer = Buffer.alloc(0);
  #headerDone = false;
  #lastGranule = 0n;
  #totalMs = 0;

  constructor(format: AudioFormat, sampleRate: number) {
    this.#format = format;
    this.#sampleRate = sampleRate;
  }

  /** Milliseconds measured so far. */
  get totalMs(): number {
    return this.#totalMs;
  }

  /** Adds a chunk of the stream; returns the milliseconds of audio it completed. */
  push(chunk: Buffer): number {
    let ms = 0;
    switch (this.#format) {
      case 'pcm':
        ms = this.#pcm(chunk);
        break;
      case 'wav':
        ms = this.#wav(chunk);
        break;
      case 'mp3':
        ms = this.#mp3(chunk);
        break;
      case 'opus':
        ms = this.#opus(chunk);
        break;
    }
    this.#totalMs += ms;
    return ms;
  }

  #pcm(chunk: Buffer): number {
    const data = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    const whole = data.length - (data.length % PCM_BYTES_PER_SAMPLE);
    this.#carry = data.subarray(whole);
    return (whole / PCM_BYTES_PER_SAMPLE / this.#sampleRate) * 1000;
  }

  #wav(chunk: Buffer): number {
    if (this.#headerDone) return this.#pcm(chunk);
    const data = Buffer.concat([this.#carry, chunk]);
    const header = parseWavHeader(data);
    if (header.kind === 'need-more') {
      this.#carry = data;
      return 0;
    }
    this.#headerDone = true;
    this.#carry = Buffer.alloc(0);
    // Not a WAV header after all: count everything as samples rather than lose time.
    return this.#pcm(header.kind === 'ok' ? data.subarray(header.dataOffset) : data);
  }

  #mp3(chunk: Buffer): number {
    let data = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    if (!this.#headerDone) {
      const tag = id3v2Length(data);
      if (tag === 'need-more') {
        this.#carry = data;
        return 0;
      }
      if (data.length < tag) {
        this.#carry = data;
        return 0;
      }
      data = data.subarray(tag);
      this.#headerDone = true;
    }
    let offset = 0;
    let ms = 0;
    while (offset < data.length) {
      const frame = decodeMp3Header(data, offset);
      if (frame.kind === 'need-more') break;
      if (frame.kind === 'invalid') {
        offset++; // resynchronise on the next frame header
        continue;
      }
      if (offset + frame.frameLength > data.length) break;
      ms += (frame.samplesPerFrame / frame.header.sampleRate) * 1000;
      offset += frame.frameLength;
    }
    this.#carry = Buffer.from(data.subarray(offset));
    return ms;
  }

  #opus(chunk: Buffer): number {
    const data = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    const { pages, consumed } = parseOggPages(data);
    let ms = 0;
    for (const page of pages) {
      if (page.granule < 0n || page.granule <= this.#lastGranule) continue;
      ms += (Number(page.granule - this.#lastGranule) / OPUS_GRANULE_RATE) * 1000;
      this.#lastGranule = page.granule;
    }
    this.#carry = Buffer.from(data.subarray(consumed));
    return ms;
  }
}
