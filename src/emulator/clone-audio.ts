/**
 * How the emulator judges cloning audio. Audio it holds (uploads to its temporary storage) is decoded with
 * music-metadata: unreadable, oversized, low-rate or silent audio fails create_voice at once with the documented
 * `Audio.*` codes (HTTP 400; some doc versions say 430). Audio it cannot fetch (http(s) URLs) is taken on trust.
 * Audio that decodes but cannot make a voice — shorter than 5 s or longer than 60 s, or carrying the configured
 * reject marker in its URL or bytes — is accepted and the voice ends UNDEPLOYED after the deployment delay.
 */
import { parseBuffer } from 'music-metadata';
import { parseWavHeader } from '../audio/wav.js';
import { containerOf } from '../voices/audio-check.js';
import { CLONE_AUDIO } from '../voices/enrollment-rules.js';

/** The marker that makes the emulator fail a clone (UNDEPLOYED) unless configured otherwise. */
export const DEFAULT_REJECT_AUDIO_MARKER = 'cosy-reject-audio';

/** The outcome of judging cloning audio: the status the voice will reach, or an error to answer at once. */
export type CloneAudioJudgement =
  | { ok: true; outcome: 'OK' | 'UNDEPLOYED' }
  | { ok: false; code: string; message: string };

/** Audio to judge: its URL and, when the emulator holds the file, its bytes and type. */
export interface CloneAudioSource {
  url: string;
  bytes?: Buffer | undefined;
  contentType?: string | undefined;
}

/** Whether 16-bit PCM WAV data is all zero (digital silence). */
function isSilentWav(bytes: Buffer): boolean {
  const header = parseWavHeader(bytes);
  if (header.kind !== 'ok' || header.bitsPerSample !== 16) return false;
  const end = Math.min(bytes.length, header.dataOffset + header.dataSize);
  for (let i = header.dataOffset; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Judges cloning audio as the emulated service does (see the file comment). */
export async function judgeCloneAudio(source: CloneAudioSource, marker: string): Promise<CloneAudioJudgement> {
  const marked = marker !== '' && (source.url.includes(marker) || (source.bytes?.includes(marker) ?? false));
  if (source.bytes === undefined) return { ok: true, outcome: marked ? 'UNDEPLOYED' : 'OK' };
  const bytes = source.bytes;
  if (bytes.length > CLONE_AUDIO.maxBytes) {
    return { ok: false, code: 'Audio.FileSizeExceed', message: 'Audio file size exceeds the limit of 10MB.' };
  }
  let format;
  try {
    ({ format } = await parseBuffer(bytes, source.contentType ? { mimeType: source.contentType } : undefined, { duration: true, skipCovers: true }));
  } catch {
    format = undefined;
  }
  const container = format === undefined ? undefined : containerOf(format);
  const badWav = container === 'wav' && (format?.codec !== 'PCM' || format.bitsPerSample !== CLONE_AUDIO.wavBitsPerSample);
  if (format === undefined || container === undefined || badWav) {
    return { ok: false, code: 'Audio.DecoderError', message: 'Audio decode failed: only WAV (16-bit), MP3 and M4A are supported.' };
  }
  if (format.sampleRate === undefined || format.sampleRate < CLONE_AUDIO.minSampleRate) {
    return { ok: false, code: 'Audio.AudioRateError', message: `Audio sample rate must be at least ${CLONE_AUDIO.minSampleRate}Hz.` };
  }
  if (container === 'wav' && isSilentWav(bytes)) {
    return { ok: false, code: 'Audio.AudioSilentError', message: 'Audio is silent.' };
  }
  const duration = format.duration ?? 0;
  const usable = duration >= CLONE_AUDIO.minSeconds && duration <= CLONE_AUDIO.maxSeconds;
  return { ok: true, outcome: usable && !marked ? 'OK' : 'UNDEPLOYED' };
}
