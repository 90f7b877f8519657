/**
 * `cosy say`: text from an argument, a file or stdin → one synthesis job → an audio file (atomic) or stdout.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UsageError } from '../../errors.js';
import { countInput } from '../../protocol/counting.js';
import { CLIENT_MAX_MESSAGE_CHARS, isAudioFormat, type AudioFormat } from '../../protocol/limits.js';
import type { Region } from '../../protocol/models.js';
import { planTasks, splitText } from '../../text/split-text.js';
import { FileSink, ReaderGoneError, StreamSink, type AudioSink } from '../../tts/audio-sink.js';
import { buildRequest, parseHotFix, type SynthesisOptions } from '../../tts/request.js';
import { synthesize } from '../../tts/synthesize.js';
import { TaskRunner } from '../../tts/task-runner.js';
import { audioDurationMs } from '../../audio/duration.js';
import type { CommandContext } from '../context.js';
import { Output } from '../output.js';
import { readInput } from '../read-input.js';
import { connectionFor, type ConnectionFlags } from '../connect.js';

/** Audio formats by output file extension. */
export const EXTENSION_FORMATS: Readonly<Record<string, AudioFormat>> = {
  '.mp3': 'mp3',
  '.wav': 'wav',
  '.pcm': 'pcm',
  '.raw': 'pcm',
  '.opus': 'opus',
  '.ogg': 'opus',
  '.oga': 'opus',
};

/** Options of `cosy say` after commander parsed them. */
export interface SayOptions extends ConnectionFlags {
  file?: string;
  output?: string;
  format?: string;
  model: string;
  voice?: string;
  sampleRate?: number;
  volume?: number;
  rate?: number;
  pitch?: number;
  bitRate?: number;
  seed?: number;
  language?: string;
  instruction?: string;
  markdownFilter?: boolean;
  pronounce?: string;
  aigcTag?: boolean;
  aigcPropagator?: string;
  aigcPropagateId?: string;
  ssml?: boolean;
  retries: number;
  timeout?: number;
  verbose?: boolean;
  quiet?: boolean;
  json?: boolean;
  color?: boolean;
}

/** The default voice of a model: a system voice of that generation, or none (v3.5 has only custom voices). */
export function defaultVoiceFor(model: string): string | undefined {
  switch (model) {
    case 'cosyvoice-v3-flash':
    case 'cosyvoice-v3-plus':
      return 'longanyang';
    case 'cosyvoice-v2':
      return 'longxiaochun_v2';
    case 'cosyvoice-v1':
      return 'longxiaochun';
    default:
      return undefined;
  }
}

/** Where audio goes and in which format. */
export interface OutputPlan {
  /** A file path, or undefined for stdout. */
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
        hint: 'name a file with -o out.mp3, or pipe the output (cosy say "Hi" | mpv -)',
      });
    }
    if (json) throw new UsageError('--json needs -o FILE: stdout carries the audio', { hint: 'add -o out.mp3' });
    return { path: undefined, format: format ?? 'mp3' };
  }
  const ext = extname(output).toLowerCase();
  const fromExt = EXTENSION_FORMATS[ext];
  if (format !== undefined) {
    if (fromExt !== undefined && fromExt !== format) {
      throw new UsageError(`-o ${output} says ${fromExt} but --format says ${format}`, {
        hint: `drop --format, or name the file with a .${format === 'opus' ? 'opus' : format} extension`,
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

/** Whether input text is SSML: `--ssml`/`--no-ssml` decide, else a leading `<speak` (after whitespace/BOM). */
export function isSsmlInput(text: string, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  return /^[\s\uFEFF]*<speak[\s>/]/.test(text);
}

/** Runs `cosy say`. */
export async function runSay(words: string[], raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const options = raw as unknown as SayOptions;
  const output = new Output({
    stdout: context.stdout,
    stderr: context.stderr,
    env: context.env,
    quiet: options.quiet,
    verbose: options.verbose,
    json: options.json,
    color: options.color === false ? false : undefined,
  });
  const plan = planOutput(options.output, options.format, context.stdout.isTTY === true, options.json === true);

  const input = await readInput({ text: words.length > 0 ? words.join(' ') : undefined, file: options.file, stdin: context.stdin });
  const ssmlFlag = raw['ssml'] === true ? true : raw['ssml'] === false ? false : undefined;
  const ssml = isSsmlInput(input.text, ssmlFlag);
  const counts = countInput(input.text, ssml);

  const voice = options.voice ?? defaultVoiceFor(options.model);
  if (voice === undefined) {
    throw new UsageError(`${options.model} has no system voices: pass --voice with a custom voice id`, {
      hint: 'create one with `cosy clone` or `cosy design`, or pick a model with system voices (cosyvoice-v3-flash)',
    });
  }
  const hotFix = options.pronounce !== undefined ? parseHotFix(await readPronounceFile(options.pronounce), options.pronounce) : undefined;
  const connection = await connectionFor(options, context, output);
  const synthesisOptions: SynthesisOptions = {
    model: options.model,
    voice,
    format: plan.format,
    region: connection.region as Region,
    sampleRate: options.sampleRate,
    volume: options.volume,
    rate: options.rate,
    pitch: options.pitch,
    bitRate: options.bitRate,
    seed: options.seed,
    language: options.language,
    instruction: options.instruction,
    markdownFilter: options.markdownFilter,
    hotFix,
    aigcTag: options.aigcTag,
    aigcPropagator: options.aigcPropagator,
    aigcPropagateId: options.aigcPropagateId,
    ssml,
  };
  let request;
  try {
    request = buildRequest(synthesisOptions);
  } catch (err) {
    await connection.close();
    throw err;
  }
  for (const w of request.warnings) output.warn(w);
  for (const n of request.notes) output.debug(n);

  let tasks: string[][];
  if (ssml) {
    if (counts.conservative > CLIENT_MAX_MESSAGE_CHARS) {
      await connection.close();
      throw new UsageError(
        `the SSML document is ${counts.conservative} characters (tags included); SSML must go in one message of at most ${CLIENT_MAX_MESSAGE_CHARS}`,
        { hint: 'split it into several <speak> documents and run cosy once per document, or use plain text, which cosy splits for you' },
      );
    }
    tasks = [[input.text]];
  } else {
    tasks = planTasks(splitText(input.text));
  }
  output.debug(
    `${counts.billed} billed characters${ssml ? ` (${counts.conservative} with tags)` : ''}, ${tasks.reduce((n, t) => n + t.length, 0)} message(s) in ${tasks.length} task(s); model ${request.model}, voice ${voice}, ${plan.format} ${request.sampleRate} Hz`,
  );

  let sink: AudioSink;
  try {
    sink = plan.path !== undefined ? await FileSink.create(plan.path, { wav: plan.format === 'wav' }) : new StreamSink(context.stdout);
  } catch (err) {
    await connection.close();
    throw err;
  }
  const runner = new TaskRunner({
    url: connection.websocketUrl,
    apiKey: connection.apiKey,
    userAgent: connection.userAgent,
    workspace: connection.workspace,
    timeouts: options.timeout !== undefined ? { firstAudioMs: options.timeout, stallMs: options.timeout } : undefined,
    log: (line) => output.debug(line),
  });
  const spinner = plan.path !== undefined ? await output.spinner('synthesising…') : undefined;
  const started = Date.now();
  try {
    const summary = await synthesize(runner, { model: request.model, parameters: request.parameters, format: plan.format, tasks }, sink, {
      signal: context.signal,
      retries: options.retries,
      onEvent: (event) => {
        if (event.type === 'sentence-end' && spinner) spinner.update(`synthesising… sentence ${event.index + 1}`);
      },
      onRetry: (err, attempt, delay) => output.warn(`${err.message}; retry ${attempt} of ${options.retries} in ${(delay / 1000).toFixed(1)} s`),
    });
    await sink.commit();
    spinner?.stop();
    const durationMs = plan.path !== undefined ? await audioDurationMs(plan.path, plan.format, request.sampleRate) : undefined;
    output.debug(
      `done: task ${summary.taskIds.join(', ')}; first audio after ${summary.firstAudioMs ?? '?'} ms; ` +
        `${summary.characters} billed characters; ${summary.bytes} bytes${durationMs !== undefined ? `, ${(durationMs / 1000).toFixed(2)} s of audio` : ''}; ` +
        `${Date.now() - started} ms in all`,
    );
    if (options.json) {
      output.result({
        ok: true,
        file: plan.path,
        format: plan.format,
        sample_rate: request.sampleRate,
        model: request.model,
        voice,
        bytes: summary.bytes,
        duration_ms: durationMs,
        characters: summary.characters,
        task_ids: summary.taskIds,
        first_audio_ms: summary.firstAudioMs,
        attempts: summary.attempts,
      });
    } else if (plan.path !== undefined) {
      output.info(`${output.color.green('wrote')} ${plan.path} (${formatBytes(summary.bytes)}${durationMs !== undefined ? `, ${(durationMs / 1000).toFixed(1)} s` : ''})`);
    }
  } catch (err) {
    spinner?.stop();
    await sink.abort();
    if (err instanceof ReaderGoneError || (err as { cause?: unknown }).cause instanceof ReaderGoneError) {
      output.debug('the reader closed stdout; stopping');
      return;
    }
    throw err;
  } finally {
    runner.close();
    await connection.close();
  }
}

async function readPronounceFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --pronounce ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
