/**
 * Checks a local cloning sample before anything is sent (protocol.md §3.4): WAV (16-bit), MP3 or M4A, at most
 * 10 MB, at least 16 kHz, at most 60 s (10–20 s recommended), mono or stereo. The metadata comes from the
 * music-metadata library; the decisions are a pure function so they can be tested without files.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseFile } from 'music-metadata';
import { UsageError } from '../errors.js';
import { CLONE_AUDIO } from './enrollment-rules.js';

/** Containers the service accepts for cloning. */
export type CloneContainer = 'wav' | 'mp3' | 'm4a';

/** What cosy knows about an audio file. */
export interface AudioFacts {
  /** File size in bytes. */
  bytes: number;
  /** music-metadata's container name (`WAVE`, `MPEG`, `M4A/isom/…`), undefined when it found none. */
  container: string | undefined;
  /** music-metadata's codec name (`PCM`, `MPEG 1 Layer 3`, `MPEG-4/AAC`). */
  codec: string | undefined;
  sampleRate: number | undefined;
  channels: number | undefined;
  bitsPerSample: number | undefined;
  /** Seconds. */
  duration: number | undefined;
}

/** The verdict on a sample: errors stop cosy; warnings are shown and cloning goes on. */
export interface AudioVerdict {
  container: CloneContainer | undefined;
  /** MIME type for the upload. */
  contentType: string;
  errors: string[];
  warnings: string[];
}

/** MIME types of the accepted containers. */
export const CONTENT_TYPES: Readonly<Record<CloneContainer, string>> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
};

/** Which accepted container music-metadata's description means, or undefined. */
export function containerOf(facts: { container?: string | undefined; codec?: string | undefined }): CloneContainer | undefined {
  const container = facts.container?.toLowerCase() ?? '';
  const codec = facts.codec?.toLowerCase() ?? '';
  if (container === 'wave') return 'wav';
  if (container === 'mpeg' && codec.includes('layer 3')) return 'mp3';
  if (/^(m4a|mp4|isom|mp42|m4b)/u.test(container) && codec.includes('aac')) return 'm4a';
  return undefined;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Decides whether a sample can be cloned from, from its facts. Pure. */
export function judgeCloneAudio(facts: AudioFacts): AudioVerdict {
  const errors: string[] = [];
  const warnings: string[] = [];
  const container = containerOf(facts);
  if (facts.bytes > CLONE_AUDIO.maxBytes) {
    errors.push(`it is ${megabytes(facts.bytes)}; the service accepts at most ${megabytes(CLONE_AUDIO.maxBytes)}`);
  }
  if (container === undefined) {
    const what = facts.container === undefined ? 'not an audio file cosy can read' : `${facts.container}${facts.codec ? ` (${facts.codec})` : ''} audio`;
    errors.push(`it is ${what}; the service accepts WAV (16-bit PCM), MP3 or M4A`);
    return { container, contentType: 'application/octet-stream', errors, warnings };
  }
  if (container === 'wav' && (facts.codec !== 'PCM' || facts.bitsPerSample !== CLONE_AUDIO.wavBitsPerSample)) {
    const bits = facts.bitsPerSample !== undefined ? `${facts.bitsPerSample}-bit` : 'unknown-depth';
    errors.push(`it is ${bits} ${facts.codec ?? ''} WAV; the service accepts 16-bit PCM WAV`.replace(/\s+/gu, ' '));
  }
  if (facts.sampleRate === undefined) {
    errors.push('its sample rate cannot be read');
  } else if (facts.sampleRate < CLONE_AUDIO.minSampleRate) {
    errors.push(`its sample rate is ${facts.sampleRate} Hz; the service needs at least ${CLONE_AUDIO.minSampleRate} Hz`);
  }
  const [low, high] = CLONE_AUDIO.recommendedSeconds;
  if (facts.duration === undefined) {
    warnings.push('its duration cannot be read; the service accepts up to 60 s and recommends 10-20 s');
  } else if (facts.duration > CLONE_AUDIO.maxSeconds) {
    errors.push(`it lasts ${facts.duration.toFixed(1)} s; the service accepts at most ${CLONE_AUDIO.maxSeconds} s`);
  } else if (facts.duration < CLONE_AUDIO.minSeconds) {
    errors.push(
      `it lasts ${facts.duration.toFixed(1)} s; the service needs at least ${CLONE_AUDIO.minSeconds} s of continuous speech (${low}-${high} s recommended)`,
    );
  } else if (facts.duration < low || facts.duration > high) {
    warnings.push(`it lasts ${facts.duration.toFixed(1)} s; ${low}-${high} s of clean speech give the best clone`);
  }
  if (facts.channels !== undefined && facts.channels > 1) {
    warnings.push(`it has ${facts.channels} channels; the service uses only the first one`);
  }
  return { container, contentType: CONTENT_TYPES[container], errors, warnings };
}

/** Reads the facts of a local audio file with music-metadata. */
export async function readAudioFacts(path: string): Promise<AudioFacts> {
  let bytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${path} is not a file`);
    bytes = info.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    const { format } = await parseFile(path, { duration: true, skipCovers: true });
    return {
      bytes,
      container: format.container,
      codec: format.codec,
      sampleRate: format.sampleRate,
      channels: format.numberOfChannels,
      bitsPerSample: format.bitsPerSample,
      duration: format.duration,
    };
  } catch {
    return { bytes, container: undefined, codec: undefined, sampleRate: undefined, channels: undefined, bitsPerSample: undefined, duration: undefined };
  }
}

/**
 * Checks a local sample and returns the verdict (warnings included).
 * @throws UsageError listing every problem when the service would refuse the file.
 */
export async function checkCloneAudio(path: string): Promise<AudioVerdict & { facts: AudioFacts }> {
  const facts = await readAudioFacts(path);
  const verdict = judgeCloneAudio(facts);
  if (verdict.errors.length > 0) {
    throw new UsageError(`${basename(path)} cannot be used for cloning: ${verdict.errors.join('; ')}`, {
      code: 'BAD_AUDIO',
      hint: 'use 10-20 s of clean speech, one speaker, as 16-bit WAV, MP3 or M4A at 16 kHz or more, at most 10 MB',
    });
  }
  return { ...verdict, facts };
}
