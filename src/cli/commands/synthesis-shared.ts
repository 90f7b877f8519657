/**
 * What `say` and `stream` share: output settings, the voice default, the run-task options from flags, where the
 * audio goes (file, stdout or a player — decided before connecting), and the runner.
 */
import { resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { formatFromExtension } from '../../audio/extensions.js';
import { UsageError } from '../../errors.js';
import { isAudioFormat, type AudioFormat } from '../../protocol/limits.js';
import type { HotFix } from '../../protocol/messages.js';
import { DEFAULT_VOICE } from '../../protocol/models.js';
import { Config, synthesisDefaults } from '../../config-file.js';
import { loadConfiguration, resolveRegion } from '../../config.js';
import { DeviceSink, openOutputFile, StreamSink, TeeSink, type AudioSink } from '../../tts/audio-sink.js';
import { buildRequest, defaultSampleRate, noVoiceError, parseHotFix, pickTuning, type BuiltRequest, type Tuning } from '../../tts/request.js';
import { TaskRunner } from '../../tts/task-runner.js';
import type { SynthesisSummary } from '../../tts/synthesize.js';
import { audioDurationMs } from '../../audio/duration.js';
import { planSubtitles, SubtitleRecorder, type SubtitleFlags, type SubtitlePlan } from '../../subtitles/recorder.js';
import type { SubtitleDocument } from '../../subtitles/types.js';
import type { ServiceConnection } from '../connect.js';
import type { CommandContext } from '../context.js';
import { Output } from '../output.js';
import { describePlayerExit, isPlayingSink, openPlayer, playerError, playerFailed, playsFile, resolvePlayer, type PlayerCommand, type PlayingSink } from '../player.js';
import { modelsOfAnyVoice } from '../../voices/catalogue.js';

/** Flags common to the synthesis commands, as commander parsed them. */
export interface SynthesisFlags extends Partial<Tuning> {
  profile?: string;
  output?: string;
  format?: string;
  play?: boolean;
  player?: string;
  /** The model: --model, else the configuration, else DEFAULT_MODEL (filled in by applyConfigDefaults). */
  model: string;
  voice?: string;
  pronounce?: string;
  retries: number;
  timeout?: number;
  verbose?: boolean;
  quiet?: boolean;
  json?: boolean;
  color?: boolean;
}

export { EXTENSION_FORMATS } from '../../audio/extensions.js';

/**
 * Fills model, voice, sample rate and (for stdout and players) format from the configuration files and environment
 * where no flag gave them (precedence: flag > env > project > user > built-in), and returns the configuration for
 * the connection.
 */
export function applyConfigDefaults(flags: SynthesisFlags, context: CommandContext): Config {
  const config = loadConfiguration(context.cwd, context.env, flags.profile);
  Object.assign(flags, synthesisDefaults(config, flags, modelsOfAnyVoice));
  const toFile = flags.output !== undefined && flags.output !== '-';
  if (flags.format === undefined && !toFile) flags.format = config.string('format');
  return config;
}


/** The default voice of a model: a system voice of that generation, or none (v3.5 has only custom voices). */
export function defaultVoiceFor(model: string): string | undefined {
  switch (model) {
    case 'cosyvoice-v3-flash':
    case 'cosyvoice-v3-plus':
      return DEFAULT_VOICE;
    case 'cosyvoice-v2':
      return 'longxiaochun_v2';
    case 'cosyvoice-v1':
      return 'longxiaochun';
    default:
      return undefined;
  }
}

/**
 * The voice to use: `--voice`, else the model's default.
 * @throws UsageError for a model without system voices and no --voice.
 */
export function resolveVoice(model: string, voice: string | undefined): string {
  const resolved = voice ?? defaultVoiceFor(model);
  if (resolved === undefined) throw noVoiceError(model, 'pass --voice');
  return resolved;
}

/** Where audio goes. */
export type Destination =
  | { kind: 'file'; path: string; format: AudioFormat; /** --play -o FILE: also played as it arrives. */ player?: PlayerCommand }
  | { kind: 'stdout'; format: AudioFormat }
  | { kind: 'player'; format: AudioFormat; player: PlayerCommand };

/** Where audio goes when no player is involved: a file path (undefined = stdout) and the format. */
export interface OutputPlan {
  path: string | undefined;
  format: AudioFormat;
}

/**
 * Decides the destination and format from -o, --format and whether stdout is a terminal.
 * @throws UsageError on an unknown extension, a conflict, or audio bound for a terminal.
 */
export function planOutput(output: string | undefined, format: string | undefined, stdoutIsTTY: boolean, json: boolean): OutputPlan {
  if (format !== undefined && !isAudioFormat(format)) throw new UsageError(`--format ${format} is not one of pcm, wav, mp3, opus`);
  if (output === undefined || output === '-') {
    if (output === undefined && stdoutIsTTY) {
      throw new UsageError('refusing to write audio to a terminal', {
        hint: 'name a file with -o out.mp3, add --play, or pipe the output (cosy say "Hi" | mpv -)',
      });
    }
    if (json) throw new UsageError('--json needs -o FILE or --play: stdout carries the audio', { hint: 'add -o out.mp3' });
    return { path: undefined, format: format ?? 'mp3' };
  }
  const fromExt = formatFromExtension(output);
  if (format !== undefined) {
    if (fromExt !== undefined && fromExt !== format) {
      throw new UsageError(`-o ${output} says ${fromExt} but --format says ${format}`, {
        hint: `drop --format, or name the file with a .${format} extension`,
      });
    }
    return { path: output, format };
  }
  if (fromExt === undefined) {
    throw new UsageError(`cannot tell the audio format from ${JSON.stringify(output)}`, {
      hint: 'use a .mp3, .wav, .pcm, .opus or .ogg extension, or add --format',
    });
  }
  return { path: output, format: fromExt };
}

/**
 * Decides the destination, resolving the player (if --play) before anything is sent.
 * @throws UsageError as planOutput, for --play with -o, or when no player is found.
 */
export function planDestination(flags: SynthesisFlags, context: CommandContext): Destination {
  if (flags.play || flags.player !== undefined) {
    if (flags.output === '-') throw new UsageError('--play and -o - (stdout) cannot go together', { hint: 'play, or write to stdout; -o FILE with --play does both' });
    if (flags.output !== undefined) {
      // Play and keep: the file is written as usual, and the player gets the same audio as it arrives.
      const plan = planOutput(flags.output, flags.format, false, false);
      const player = resolvePlayer(plan.format, flags.sampleRate ?? defaultSampleRate(plan.format), flags.player, context.env);
      return { kind: 'file', path: plan.path as string, format: plan.format, player };
    }
    if (flags.format !== undefined && !isAudioFormat(flags.format)) throw new UsageError(`--format ${flags.format} is not one of pcm, wav, mp3, opus`);
    const format: AudioFormat = (flags.format as AudioFormat | undefined) ?? 'mp3';
    const player = resolvePlayer(format, flags.sampleRate ?? defaultSampleRate(format), flags.player, context.env);
    return { kind: 'player', format, player };
  }
  const plan = planOutput(flags.output, flags.format, context.stdout.isTTY === true, flags.json === true);
  return plan.path !== undefined ? { kind: 'file', path: plan.path, format: plan.format } : { kind: 'stdout', format: plan.format };
}

/** The player a sink feeds, if any (--play, alone or with -o FILE). */
function playerOf(sink: AudioSink): PlayingSink | undefined {
  if (isPlayingSink(sink)) return sink;
  return sink instanceof TeeSink && isPlayingSink(sink.second) ? sink.second : undefined;
}

/**
 * The reader of the audio went away before the end. For stdout (EPIPE) that is a normal end. For a player, it is
 * a normal end when the player exited cleanly (the user closed it; with --json a one-line document says so), and a
 * failure (exit 2) when it exited with an error, naming it and quoting what it printed.
 */
export async function readerGone(output: Output, sink: AudioSink): Promise<void> {
  const player = playerOf(sink);
  if (player === undefined) {
    output.debug('the reader of the audio went away; stopping');
    return;
  }
  const outcome = await player.outcome();
  if (playerFailed(outcome)) throw playerError(outcome, ' before the audio ended');
  output.debug('the player was closed before the audio ended; stopping');
  if (output.json) output.result({ ok: true, player_closed_early: true });
}

/** Refuses subtitles written to the audio's own file (one would overwrite the other). */
export function checkSubtitlePath(destination: Destination, subtitles: { path: string } | undefined, cwd: string): void {
  if (subtitles === undefined || destination.kind !== 'file') return;
  if (resolve(cwd, subtitles.path) === resolve(cwd, destination.path)) {
    throw new UsageError(`--subtitles ${subtitles.path} is the audio file too (-o ${destination.path}): one would overwrite the other`, {
      hint: 'name the subtitles differently, e.g. --subtitles out.srt',
    });
  }
}

/** Opens the sink for a destination. */
export async function openSink(destination: Destination, context: CommandContext): Promise<AudioSink> {
  switch (destination.kind) {
    case 'file': {
      const file = await openOutputFile(destination.path, { wav: destination.format === 'wav', failAfterBytes: diskFullSeam(context.env) });
      return destination.player === undefined ? file : new TeeSink(file, await openPlayer(destination.player, context.env, destination.format));
    }
    case 'stdout':
      return new StreamSink(context.stdout);
    case 'player':
      return openPlayer(destination.player, context.env, destination.format);
  }
}

/**
 * Test seam for the fault matrix: COSY_TEST_DISK_FULL_AFTER=N makes file writes fail with ENOSPC after N bytes, as
 * a full disk would (docs/reliability.md). Unset in normal use.
 */
export function diskFullSeam(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env['COSY_TEST_DISK_FULL_AFTER'];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Reads and validates a --pronounce file. */
export async function loadHotFix(path: string | undefined): Promise<HotFix | undefined> {
  if (path === undefined) return undefined;
  let json: string;
  try {
    json = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --pronounce ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return parseHotFix(json, path);
}

/** What say and stream settle before connecting. */
export interface SynthesisPlan {
  voice: string;
  subtitles: SubtitlePlan | undefined;
  request: BuiltRequest;
}

/**
 * The voice, the subtitles (never onto the audio file) and the checked request of say and stream, with the
 * request's warnings printed. Everything that can be checked is checked here, before connecting: a failure leaves
 * nothing to clean up and needs no key.
 */
export async function planSynthesis(
  flags: SynthesisFlags & SubtitleFlags & { region?: string | undefined },
  destination: Destination,
  config: Config,
  context: CommandContext,
  output: Output,
  ssml?: boolean,
): Promise<SynthesisPlan> {
  const voice = resolveVoice(flags.model, flags.voice);
  const subtitles = planSubtitles(flags, flags.model, voice);
  checkSubtitlePath(destination, subtitles, context.cwd);
  const request = buildRequest({
    ...pickTuning(flags),
    model: flags.model,
    voice,
    format: destination.format,
    region: resolveRegion(flags.region, config),
    hotFix: await loadHotFix(flags.pronounce),
    ssml,
    wordTimestamps: subtitles?.wordTimestamps,
  });
  for (const w of request.warnings) output.warn(w);
  for (const n of request.notes) output.debug(n);
  return { voice, subtitles, request };
}


/** A task runner on the connection, logging to --verbose. */
export function makeRunner(connection: ServiceConnection, flags: SynthesisFlags, output: Output): TaskRunner {
  return new TaskRunner({
    url: connection.websocketUrl,
    apiKey: connection.apiKey,
    userAgent: connection.userAgent,
    workspace: connection.workspace,
    proxy: connection.webSocketProxy,
    timeouts: flags.timeout !== undefined ? { firstAudioMs: flags.timeout, stallMs: flags.timeout } : undefined,
    log: (line) => output.debug(line),
  });
}

/** The output of a synthesis that succeeded. */
export interface CompletedOutput {
  /** The file written, or undefined for stdout and players. */
  path: string | undefined;
  /** Audio duration of the file (undefined when the audio did not go to a file). */
  durationMs: number | undefined;
  subtitles: { path: string; doc: SubtitleDocument } | undefined;
}

/**
 * Completes the output after a successful synthesis: commits the sink (a file is renamed into place, a player
 * finishes playing and is checked), measures the file, and writes the subtitles.
 */
export async function completeOutput(
  output: Output,
  sink: AudioSink,
  destination: Destination,
  sampleRate: number,
  recorder: SubtitleRecorder | undefined,
): Promise<CompletedOutput> {
  await sink.commit();
  const player = playerOf(sink);
  if (player !== undefined) {
    const outcome = await player.outcome();
    if (playerFailed(outcome)) {
      // A player that plays a file starts only now: failing, it played nothing, and without -o nothing is kept.
      if (destination.kind === 'player' && playsFile(destination.player)) throw playerError(outcome);
      output.warn(describePlayerExit(outcome));
    }
  }
  const path = destination.kind === 'file' ? destination.path : undefined;
  // A pipe or device (-o /dev/stdout, a FIFO) cannot be read back for its duration.
  const device = sink instanceof DeviceSink || (sink instanceof TeeSink && sink.file instanceof DeviceSink);
  const durationMs = path !== undefined && !device ? await audioDurationMs(path, destination.format, sampleRate) : undefined;
  const doc = recorder ? await recorder.write(durationMs) : undefined;
  if (recorder && doc) output.debug(`wrote ${recorder.path} (${doc.sentences.length} sentences)`);
  return { path, durationMs, subtitles: recorder && doc ? { path: recorder.path, doc } : undefined };
}

/**
 * Prints the result of say or stream: the --json summary (keys are stable; `extra` is the command's own, after the
 * common ones) or, for a file, the "wrote" line.
 */
export function reportOutput(
  output: Output,
  completed: CompletedOutput,
  r: { format: AudioFormat; request: BuiltRequest; voice: string; summary: SynthesisSummary; firstAudioMs: number | undefined; extra?: Record<string, unknown> },
): void {
  const { path, durationMs, subtitles } = completed;
  if (output.json) {
    output.result({
      ok: true,
      file: path,
      format: r.format,
      sample_rate: r.request.sampleRate,
      model: r.request.model,
      voice: r.voice,
      bytes: r.summary.bytes,
      duration_ms: durationMs,
      characters: r.summary.characters,
      task_ids: r.summary.taskIds,
      first_audio_ms: r.firstAudioMs,
      attempts: r.summary.attempts,
      ...r.extra,
      ...(subtitles ? { subtitles: subtitles.path, sentences: SubtitleRecorder.json(subtitles.doc) } : {}),
    });
  } else if (path !== undefined) {
    output.info(`${output.color.green('wrote')} ${path} (${formatBytes(r.summary.bytes)}${durationMs !== undefined ? `, ${(durationMs / 1000).toFixed(1)} s` : ''})`);
  }
}

/** Human-readable byte count. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
