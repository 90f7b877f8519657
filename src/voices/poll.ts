/**
 * Waits for a custom voice to leave DEPLOYING (protocol.md §3.3): queries it at growing intervals until it is OK or
 * UNDEPLOYED, the timeout expires, or the signal aborts.
 */
import { ServiceError, TimeoutError } from '../errors.js';
import type { CustomVoiceDetails } from './enrollment-api.js';
import { abortableSleep } from '../tts/retry.js';

/** First wait between two queries. */
export const POLL_FIRST_INTERVAL_MS = 500;
/** Longest wait between two queries (the documentation's sample polls every 10 s; cosy is a little eager). */
export const POLL_MAX_INTERVAL_MS = 5_000;
/** How long cosy waits for a voice by default: the documentation's sample waits 30 × 10 s. */
export const DEFAULT_POLL_TIMEOUT_MS = 300_000;

/** Polling settings. */
export interface PollOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Called with every record read (for progress). */
  onStatus?: ((voice: CustomVoiceDetails, elapsedMs: number) => void) | undefined;
  /** Waits; default a timer the signal cancels. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** The clock; default Date.now. */
  now?: (() => number) | undefined;
}

/** The wait before query number `n + 1` (0-based n): doubling from the first interval, capped. */
export function pollIntervalMs(n: number): number {
  return Math.min(POLL_MAX_INTERVAL_MS, POLL_FIRST_INTERVAL_MS * 2 ** n);
}

/** The error for a voice that ended UNDEPLOYED. */
export function undeployedError(voice: CustomVoiceDetails): ServiceError {
  return new ServiceError('UNDEPLOYED', `voice ${voice.voiceId} could not be created from the audio (status UNDEPLOYED)`, {
    message: `voice ${voice.voiceId} failed: the service could not build it from the audio (status UNDEPLOYED)`,
    hint: 'use 10-20 s of clean speech by one speaker without music or noise; delete it with `cosy voices rm` and try again',
    details: { voice_id: voice.voiceId },
  });
}

/**
 * Queries the voice until its status is OK (returned) or UNDEPLOYED (ServiceError).
 * @throws TimeoutError when it is still DEPLOYING after `timeoutMs`; ServiceError for UNDEPLOYED; the abort reason.
 */
export async function waitForVoice(
  voiceId: string,
  query: () => Promise<CustomVoiceDetails>,
  options: PollOptions,
): Promise<CustomVoiceDetails> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const started = now();
  for (let n = 0; ; n++) {
    const voice = await query();
    const elapsed = now() - started;
    options.onStatus?.(voice, elapsed);
    if (voice.status === 'OK') return voice;
    if (voice.status === 'UNDEPLOYED') throw undeployedError(voice);
    const left = options.timeoutMs - elapsed;
    if (left <= 0) {
      throw new TimeoutError(`voice ${voiceId} is still ${voice.status} after ${Math.round(elapsed / 1000)} s`, {
        hint: `the service may still finish it: check with \`cosy voices show ${voiceId}\`, or wait longer with --timeout`,
        details: { voice_id: voiceId },
      });
    }
    await sleep(Math.min(pollIntervalMs(n), left), options.signal);
  }
}
