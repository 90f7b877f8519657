/**
 * `cosy stream`: text piped in (an LLM writing) is spoken as it arrives, over one bidirectional task per stretch of
 * input; silences longer than the idle budget and the per-task limit roll over to a new task on the same
 * connection, and the audio of all tasks forms one continuous stream or file.
 */
import { AuthError, ExitCode, InterruptedError, ReportedError } from '../../errors.js';
import { ReaderGoneError, type AudioSink } from '../../tts/audio-sink.js';
import { synthesize } from '../../tts/synthesize.js';
import { TaskFeeder } from '../../tts/task-feeder.js';
import { connectionFor, type ConnectionFlags } from '../connect.js';
import type { CommandContext } from '../context.js';
import { Output } from '../output.js';
import { SubtitleRecorder, type SubtitleFlags } from '../../subtitles/recorder.js';
import { DEFAULT_FLUSH_MS, DEFAULT_IDLE_MS, readStreamInput, type StreamInputSummary } from '../stream-input.js';
import { playsFile } from '../player.js';
import {
  applyConfigDefaults,
  completeOutput,
  makeRunner,
  openSink,
  planDestination,
  planSynthesis,
  readerGone,
  reportOutput,
  type SynthesisFlags,
} from './synthesis-shared.js';

/** Options of `cosy stream` after commander parsed them. */
export interface StreamOptions extends SynthesisFlags, ConnectionFlags, SubtitleFlags {
  flushMs?: number;
  idleTimeout?: number;
  skipCode?: boolean;
  echo?: boolean;
}

/** Runs `cosy stream`. */
export async function runStream(raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const options = raw as unknown as StreamOptions;
  const config = applyConfigDefaults(options, context);
  const output = Output.from(options, context);
  const destination = planDestination(options, context);
  if (destination.kind !== 'stdout' && destination.player !== undefined && playsFile(destination.player)) {
    output.warn(`${destination.player.name} plays a file, not a stream: the audio plays once the input has ended (ffplay or mpv play it as it arrives)`);
  }
  const { voice, subtitles, request } = await planSynthesis(options, destination, config, context, output);

  const connection = await connectionFor(options, context, output, config);

  let sink: AudioSink;
  try {
    sink = await openSink(destination, context);
  } catch (err) {
    await connection.close();
    throw err;
  }
  if (context.stdin.isTTY) output.info('reading text from the terminal; end with Ctrl-D');

  // The first Ctrl-C stops reading and lets the requested audio finish; a second one ends the process.
  context.claimInterrupt?.();
  const stop = context.interrupt ?? new AbortController().signal;
  const feeder = new TaskFeeder();
  const runner = makeRunner(connection, options, output);
  const recorder = subtitles ? new SubtitleRecorder(subtitles, destination.format, request.sampleRate) : undefined;
  const flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
  const idleMs = options.idleTimeout ?? DEFAULT_IDLE_MS;
  output.debug(`model ${request.model}, voice ${voice}, ${destination.format} ${request.sampleRate} Hz; flush after ${flushMs} ms, new task after ${idleMs} ms of silence`);

  const reading = readStreamInput(
    context.stdin,
    feeder,
    {
      flushMs,
      idleMs,
      skipCode: options.skipCode === true,
      onFragment: (f) => {
        recorder?.addText(f);
        if (options.echo) output.echo(f);
        output.debug(`sending ${JSON.stringify(f.length > 60 ? `${f.slice(0, 57)}…` : f)}`);
      },
      onIdle: () => output.debug(`stdin quiet for ${idleMs} ms: finishing the current task`),
    },
    stop,
  );
  // A reading error (binary input, SSML) must stop synthesis too.
  const readAbort = new AbortController();
  const readOutcome: Promise<StreamInputSummary> = reading.catch((err: unknown) => {
    readAbort.abort(err);
    throw err;
  });
  readOutcome.catch(() => undefined);
  const signal = AbortSignal.any([context.signal, readAbort.signal]);
  // Connect while the first text is still being written. Failures surface again in the first task, except an
  // authentication failure, which ends the command at once rather than after the input.
  runner.warmUp(signal).catch((err: unknown) => {
    if (err instanceof AuthError) readAbort.abort(err);
    else output.debug(`could not connect ahead of the first task (${(err as Error).message}); the task will try again`);
  });

  let firstAudioAt: number | undefined;
  const started = performance.now();
  try {
    const summary = await synthesize(runner, { model: request.model, parameters: request.parameters, format: destination.format, tasks: feeder }, sink, {
      signal,
      retries: options.retries,
      onEvent: (event, taskIndex) => {
        recorder?.onEvent(event);
        if (event.type === 'audio' && firstAudioAt === undefined) firstAudioAt = performance.now();
        if (event.type === 'started' && taskIndex > 0) output.debug(`task ${taskIndex + 1} (rollover) started`);
      },
      onRetry: (err, attempt, delay) => {
        recorder?.onRetry();
        output.warn(`${err.message}; retry ${attempt} of ${options.retries} in ${(delay / 1000).toFixed(1)} s`);
      },
    });
    const input = await readOutcome;
    const completed = await completeOutput(output, sink, destination, request.sampleRate, recorder);
    const firstAudioMs = firstAudioAt !== undefined && input.firstByteAt !== undefined ? Math.round(firstAudioAt - input.firstByteAt) : undefined;
    output.debug(
      `done: ${summary.taskIds.length} task(s) ${summary.taskIds.join(', ')}; first audio ${firstAudioMs ?? '?'} ms after the first byte of text; ` +
        `${summary.characters} billed characters; ${summary.bytes} bytes; ${Math.round(performance.now() - started)} ms in all`,
    );
    reportOutput(output, completed, {
      format: destination.format,
      request,
      voice,
      summary,
      firstAudioMs,
      extra: { tasks: summary.taskIds.length, input_bytes: input.bytes, interrupted: input.interrupted },
    });
    const path = completed.path;
    // --json: the summary above ("interrupted": true) is the one document on stdout; only the exit code says more.
    if (input.interrupted && output.json) throw new ReportedError('interrupted', ExitCode.Interrupted);
    if (input.interrupted) {
      throw new InterruptedError(
        `interrupted: stopped reading stdin${path !== undefined ? `; ${path} holds the complete audio of the text read so far` : ''}`,
      );
    }
  } catch (err) {
    if ((err instanceof InterruptedError || err instanceof ReportedError) && !context.signal.aborted) throw err;
    await sink.abort();
    const reason = readAbort.signal.aborted ? readAbort.signal.reason : undefined;
    if (err instanceof ReaderGoneError || (err as { cause?: unknown }).cause instanceof ReaderGoneError) {
      await readerGone(output, sink);
      return;
    }
    throw reason ?? err;
  } finally {
    feeder.end();
    context.stdin.pause();
    runner.close();
    await connection.close();
  }
}
