/**
 * Synthesises a planned job (one or more tasks of continue-task messages) into one sink: the audio of consecutive
 * tasks is joined into a single stream (one WAV header, one Ogg stream), retryable failures are retried when the
 * output can take the attempt back, and a failure after audio reached an unrewindable output is reported as
 * partial output, never as success.
 */
import { CosyError, PartialOutputError } from '../errors.js';
import { AudioJoiner } from '../audio/join.js';
import type { AudioFormat } from '../protocol/limits.js';
import type { SynthesisParameters } from '../protocol/messages.js';
import type { AudioSink } from './audio-sink.js';
import type { TaskEvent } from './events.js';
import { abortableSleep, DEFAULT_RETRIES, isRetryable, retryDelayMs } from './retry.js';
import type { TaskRunner } from './task-runner.js';
import { ReplayableText } from './replayable.js';

/** The messages of one task: a list, or a live source (streaming input). */
export type TaskText = Iterable<string> | AsyncIterable<string>;

/** What to synthesise. */
export interface SynthesisJob {
  model: string;
  parameters: SynthesisParameters;
  format: AudioFormat;
  /** Tasks in order, each a sequence of continue-task messages; both may arrive over time. */
  tasks: Iterable<TaskText> | AsyncIterable<TaskText>;
}

/** Options of one synthesis. */
export interface SynthesizeOptions {
  signal?: AbortSignal | undefined;
  /** Retries per task after the first attempt. @default DEFAULT_RETRIES */
  retries?: number | undefined;
  /** Every event of every attempt, as it happens (progress, verbose logs, subtitles). */
  onEvent?: ((event: TaskEvent, taskIndex: number) => void) | undefined;
  /** Called before a retry. */
  onRetry?: ((error: CosyError, attempt: number, delayMs: number, taskIndex: number) => void) | undefined;
}

/** What a finished synthesis produced. */
export interface SynthesisSummary {
  taskIds: string[];
  /** Billed characters reported by the service, summed over tasks. */
  characters: number;
  /** Bytes written to the sink. */
  bytes: number;
  /** Delay from run-task to the first audio frame of the first task. */
  firstAudioMs: number | undefined;
  /** Attempts made in all (tasks + retries). */
  attempts: number;
  connectionIds: number[];
}

/**
 * Runs every task of the job in order through `runner`, writing joined audio to `sink`. The sink is not committed.
 * @throws the last task error; PartialOutputError when audio already reached an unrewindable sink.
 */
export async function synthesize(
  runner: TaskRunner,
  job: SynthesisJob,
  sink: AudioSink,
  options: SynthesizeOptions = {},
): Promise<SynthesisSummary> {
  const retries = options.retries ?? DEFAULT_RETRIES;
  const joiner = new AudioJoiner(job.format);
  const summary: SynthesisSummary = {
    taskIds: [],
    characters: 0,
    bytes: 0,
    firstAudioMs: undefined,
    attempts: 0,
    connectionIds: [],
  };
  let taskIndex = -1;
  for await (const taskText of job.tasks) {
    taskIndex++;
    const text = new ReplayableText(taskText);
    const startOffset = sink.bytesWritten;
    const snapshot = joiner.snapshot();
    for (let attempt = 0; ; attempt++) {
      summary.attempts++;
      let taskBytes = 0;
      try {
        joiner.startTask();
        for await (const event of runner.run({ model: job.model, parameters: job.parameters, text: text.reader() }, { signal: options.signal })) {
          options.onEvent?.(event, taskIndex);
          if (event.type === 'audio') {
            const out = joiner.push(event.data);
            if (out.length > 0) {
              taskBytes += out.length;
              await sink.write(out);
            }
          } else if (event.type === 'started') {
            summary.connectionIds.push(event.connectionId);
          } else if (event.type === 'finished') {
            const out = joiner.endTask();
            if (out.length > 0) await sink.write(out);
            summary.taskIds.push(event.taskId);
            summary.characters += event.characters ?? 0;
            if (taskIndex === 0) summary.firstAudioMs = event.firstAudioMs;
          }
        }
        break;
      } catch (err) {
        const canRetry =
          isRetryable(err) && attempt < retries && !options.signal?.aborted && (sink.canRewind || taskBytes === 0);
        if (canRetry && err instanceof CosyError) {
          if (sink.canRewind) await sink.rewind(startOffset);
          joiner.restore(snapshot);
          const delay = retryDelayMs(attempt);
          options.onRetry?.(err, attempt + 1, delay, taskIndex);
          await abortableSleep(delay, options.signal);
          continue;
        }
        if (err instanceof CosyError && !sink.canRewind && sink.bytesWritten > 0) {
          throw new PartialOutputError(err, sink.bytesWritten);
        }
        throw err;
      }
    }
  }
  const tail = joiner.finish();
  if (tail.length > 0) await sink.write(tail);
  summary.bytes = sink.bytesWritten;
  return summary;
}
