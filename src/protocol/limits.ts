/**
 * Limits and value tables of the CosyVoice WebSocket service (protocol.md §2.3, §2.7, §2.9, §2.10).
 * Pure data: no I/O. Where the specification leaves a value UNCONFIRMED, the name says which reading it is.
 */

/** Audio container formats the service can return. */
export const AUDIO_FORMATS = ['pcm', 'wav', 'mp3', 'opus'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/** Sample rates accepted for pcm, wav and mp3 (Hz). */
export const SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
/** Sample rates accepted for Ogg Opus (Hz). */
export const OPUS_SAMPLE_RATES = [8000, 16000, 24000, 48000] as const;

/** The service's defaults when a parameter is omitted (D-CLIENT). */
export const SERVICE_DEFAULTS = {
  format: 'mp3' as AudioFormat,
  sampleRate: 22050,
  volume: 50,
  rate: 1.0,
  pitch: 1.0,
  bitRate: 32,
  seed: 0,
} as const;

/** Inclusive numeric ranges of synthesis parameters. */
export const RANGES = {
  volume: { min: 0, max: 100, integer: true },
  rate: { min: 0.5, max: 2.0, integer: false },
  pitch: { min: 0.5, max: 2.0, integer: false },
  bit_rate: { min: 6, max: 510, integer: true },
  seed: { min: 0, max: 65535, integer: true },
} as const;
export type RangedParameter = keyof typeof RANGES;

/** Languages accepted in `language_hints` (only the first element is used by the service). */
export const LANGUAGE_HINTS = ['zh', 'en', 'fr', 'de', 'ja', 'ko', 'ru', 'pt', 'th', 'id', 'vi'] as const;

/**
 * Longest `instruction` we let through. Sources say 100 (newest doc) or 128 (SDK docstring); the smaller one
 * is safe against both.
 */
export const MAX_INSTRUCTION_CHARS = 100;

/**
 * Per continue-task message limit a client keeps to, in counted characters. Sources say 2,000 (2025) or 20,000
 * (2026); 2,000 satisfies both readings (protocol.md §2.9 "safe choice").
 */
export const CLIENT_MAX_MESSAGE_CHARS = 2_000;
/** Per-message limit the emulator enforces: the newest reading. */
export const SERVICE_MAX_MESSAGE_CHARS = 20_000;
/** Cumulative text per task, in counted characters (all sources agree). */
export const MAX_TASK_CHARS = 200_000;

/** The server fails a task after this long without text (protocol.md §2.7). */
export const SERVICE_IDLE_TIMEOUT_MS = 23_000;
/** A client never leaves a task this long without sending text or finish-task. */
export const CLIENT_IDLE_BUDGET_MS = 20_000;

/** cosy stream sends pending text after this long without input (client policy, not a service limit). */
export const STREAM_FLUSH_MS = 250;

/** Longest SSML `<break>`, and the cap on consecutive breaks together (protocol.md §2.8). */
export const SSML_MAX_BREAK_MS = 10_000;

/** Rate limit on task submissions, per account (protocol.md §2.12). */
export const SERVICE_TASKS_PER_SECOND = 3;

/** Whether `rate` is one of the sample rates the format accepts. */
export function isSupportedSampleRate(format: AudioFormat, rate: number): boolean {
  const rates: readonly number[] = format === 'opus' ? OPUS_SAMPLE_RATES : SAMPLE_RATES;
  return rates.includes(rate);
}

/** Sample rates the format accepts, for error messages. */
export function sampleRatesFor(format: AudioFormat): readonly number[] {
  return format === 'opus' ? OPUS_SAMPLE_RATES : SAMPLE_RATES;
}

/** Whether a string names a known audio format. */
export function isAudioFormat(value: string): value is AudioFormat {
  return (AUDIO_FORMATS as readonly string[]).includes(value);
}
