/**
 * Subtitles for a synthesis (say, stream, and each batch item): decides before connecting whether word timestamps
 * can be requested, records the runner's events into a SubtitleTimeline (with the duration of each audio frame),
 * and writes the subtitle file atomically once the audio succeeded.
 */
import { FrameDurationMeter } from '../audio/frame-duration.js';
import { UsageError } from '../errors.js';
import type { AudioFormat } from '../protocol/limits.js';
import { findModel } from '../protocol/models.js';
import { checkSubtitleOptions, renderSubtitles, subtitleFormatFor, type SubtitleFormat } from './format.js';
import { SubtitleTimeline } from './timeline.js';
import type { SubtitleDocument } from './types.js';
import { subtitlesJson, type JsonSubtitles } from './writers/json.js';
import { writeFileAtomic } from '../temp-files.js';
import type { TaskEvent } from '../tts/events.js';
import { findSystemVoice } from '../voices/catalogue.js';

/** Subtitle flags as commander parsed them. */
export interface SubtitleFlags {
  subtitles?: string;
  subtitlesFallback?: string;
  maxCueChars?: number;
  wordsPerCue?: number;
  karaoke?: boolean;
}

/** What was decided before connecting. */
export interface SubtitlePlan {
  path: string;
  format: SubtitleFormat;
  /** Whether to ask the service for word timestamps (false: per-sentence cues timed from the audio). */
  wordTimestamps: boolean;
  flags: SubtitleFlags;
}

/**
 * Validates the subtitle flags for a model and voice, before anything is sent.
 * @throws UsageError for an unknown extension, options the format lacks, or a voice without timestamps (unless
 * `--subtitles-fallback sentence`).
 */
export function planSubtitles(flags: SubtitleFlags, model: string, voice: string): SubtitlePlan | undefined {
  if (flags.subtitles === undefined) {
    if (flags.subtitlesFallback !== undefined || flags.karaoke || flags.wordsPerCue !== undefined || flags.maxCueChars !== undefined) {
      throw new UsageError('subtitle options need --subtitles FILE');
    }
    return undefined;
  }
  if (flags.subtitlesFallback !== undefined && flags.subtitlesFallback !== 'sentence') {
    throw new UsageError(`--subtitles-fallback ${flags.subtitlesFallback} is not supported; the only fallback is "sentence"`);
  }
  const format = subtitleFormatFor(flags.subtitles);
  checkSubtitleOptions(format, { maxCueChars: flags.maxCueChars, wordsPerCue: flags.wordsPerCue, karaoke: flags.karaoke });
  return { path: flags.subtitles, format, wordTimestamps: wordTimestampsFor(model, voice, flags.subtitlesFallback === 'sentence'), flags };
}

/**
 * Whether word timestamps can be requested for subtitles with this model and voice.
 * @throws UsageError when they cannot and the sentence fallback was not allowed.
 */
export function wordTimestampsFor(model: string, voice: string, sentenceFallback: boolean): boolean {
  const system = findSystemVoice(model, voice);
  const noTimestamps = (system !== undefined && !system.timestamps) || findModel(model)?.timestamps === 'no';
  if (noTimestamps && !sentenceFallback) {
    throw new UsageError(
      `${system !== undefined && !system.timestamps ? `voice ${voice}` : model} has no word timestamps, so subtitles cannot be timed by word`,
      { hint: 'add --subtitles-fallback sentence for one cue per sentence timed from the audio, or pick a voice with timestamps (cosy voices --timestamps)' },
    );
  }
  return !noTimestamps;
}

/** Feeds runner events into a timeline and writes the subtitle file. */
export class SubtitleRecorder {
  readonly #plan: SubtitlePlan;
  readonly #format: AudioFormat;
  readonly #sampleRate: number;
  readonly #timeline: SubtitleTimeline;
  #meter: FrameDurationMeter;

  constructor(plan: SubtitlePlan, format: AudioFormat, sampleRate: number, userText?: string) {
    this.#plan = plan;
    this.#format = format;
    this.#sampleRate = sampleRate;
    this.#timeline = new SubtitleTimeline(userText);
    this.#meter = new FrameDurationMeter(format, sampleRate);
  }

  /** The subtitle file this recorder writes. */
  get path(): string {
    return this.#plan.path;
  }

  /** Adds text as it is sent (streaming input). */
  addText(text: string): void {
    this.#timeline.addText(text);
  }

  /** Records one event of the runner. */
  onEvent(event: TaskEvent): void {
    switch (event.type) {
      case 'started':
        this.#meter = new FrameDurationMeter(this.#format, this.#sampleRate);
        this.#timeline.startTask();
        break;
      case 'sentence-begin':
        this.#timeline.sentenceBegin(event);
        break;
      case 'audio':
        this.#timeline.audio(event.data, this.#meter.push(event.data));
        break;
      case 'sentence-end':
        this.#timeline.sentenceEnd(event);
        break;
      case 'finished':
        this.#timeline.endTask();
        break;
    }
  }

  /** A task is retried: forget what its failed attempt recorded. */
  onRetry(): void {
    this.#timeline.discardTask();
  }

  /** The document, with the total duration (from the written file when known). */
  document(durationMs?: number): SubtitleDocument {
    const total = durationMs ?? this.#timeline.durationMs;
    return { sentences: this.#timeline.sentences(total), durationMs: total };
  }

  /** Writes the subtitle file atomically; returns the document written. */
  async write(durationMs?: number): Promise<SubtitleDocument> {
    const doc = this.document(durationMs);
    const f = this.#plan.flags;
    await writeFileAtomic(this.#plan.path, renderSubtitles(this.#plan.format, doc, { maxCueChars: f.maxCueChars, wordsPerCue: f.wordsPerCue, karaoke: f.karaoke }));
    return doc;
  }

  /** Sentences and words for --json summaries. */
  static json(doc: SubtitleDocument): JsonSubtitles['sentences'] {
    return subtitlesJson(doc).sentences;
  }
}
