/**
 * `cosy say`: text from an argument, a file or stdin → one synthesis job → an audio file (atomic) or stdout.
 */
import { UsageError } from '../../errors.js';
import { countInput } from '../../protocol/counting.js';
import { planTasks, splitText } from '../../text/split-text.js';
import { looksLikeSsml, SSML_MARKUP, SSML_MARKUP_ADVICE } from '../../text/ssml/detect.js';
import { ReaderGoneError, type AudioSink } from '../../tts/audio-sink.js';
import { defaultSampleRate } from '../../tts/request.js';
import { synthesize } from '../../tts/synthesize.js';
import type { CommandContext } from '../context.js';
import { Output } from '../output.js';
import { readInput } from '../read-input.js';
import { SubtitleRecorder, type SubtitleFlags } from '../../subtitles/recorder.js';
import { ssmlTextContent } from '../../protocol/counting.js';
import { connectionFor, type ConnectionFlags } from '../connect.js';
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

export { defaultVoiceFor, planOutput } from './synthesis-shared.js';

/** Options of `cosy say` after commander parsed them. */
export interface SayOptions extends SynthesisFlags, ConnectionFlags, SubtitleFlags {
  file?: string;
  /** -t/--text: the text as an option. */
  text?: string;
  ssml?: boolean;
}

/** Whether input text is SSML: `--ssml`/`--no-ssml` decide, else a leading `<speak` (after whitespace/BOM). */
export function isSsmlInput(text: string, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  return looksLikeSsml(text);
}

/** Runs `cosy say`. */
export async function runSay(words: string[], raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const options = raw as unknown as SayOptions;
  const config = applyConfigDefaults(options, context);
  const output = Output.from(options, context);
  const destination = planDestination(options, context);

  if (options.text !== undefined && words.length > 0) {
    throw new UsageError('give the text either as an argument or with -t/--text, not both', { hint: 'drop one of the two' });
  }
  const text = options.text ?? (words.length > 0 ? words.join(' ') : undefined);
  const input = await readInput({ text, textOrigin: options.text !== undefined ? '-t/--text' : undefined, file: options.file, stdin: context.stdin });
  const ssmlFlag = raw['ssml'] === true ? true : raw['ssml'] === false ? false : undefined;
  const ssml = isSsmlInput(input.text, ssmlFlag);
  const counts = countInput(input.text, ssml);
  // The same warning as cosy lint's R-TXT-MARKUP, unless --no-ssml said the tags are meant to be read.
  if (!ssml && ssmlFlag === undefined && SSML_MARKUP.test(input.text)) output.warn(`${input.origin}: ${SSML_MARKUP_ADVICE}`);

  const { voice, subtitles, request } = await planSynthesis(options, destination, config, context, output, ssml);
  if (ssml) {
    // Checked before connecting: invalid SSML costs nothing and needs no key. Loaded only for SSML (the XML
    // parser is a noticeable part of memory and start-up).
    const [{ validateSsml }, { formatFinding }] = await Promise.all([import('../../text/ssml/validate.js'), import('../../text/ssml/format.js')]);
    const check = validateSsml(input.text, {
      source: input.origin,
      model: options.model,
      voice,
      sampleRate: options.sampleRate ?? defaultSampleRate(destination.format),
      requestChecked: true,
    });
    for (const f of check.findings) {
      if (f.severity === 'warning') output.warn(formatFinding(input.origin, f, { excerpt: false }));
      else if (f.severity === 'info') output.debug(formatFinding(input.origin, f, { excerpt: false }));
    }
    const errors = check.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      const more = check.omitted > 0 ? `\n(${check.omitted} more findings not shown)` : '';
      throw new UsageError(`${input.origin} is not valid CosyVoice SSML (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${errors.map((f) => formatFinding(input.origin, f)).join('\n')}${more}`, {
        code: 'INVALID_SSML',
        hint: '`cosy lint FILE` checks SSML offline, without a key (docs/ssml.md explains each rule); to speak the text as plain text, add --no-ssml',
      });
    }
  }

  const tasks = ssml ? [[input.text]] : planTasks(splitText(input.text));
  output.debug(
    `${counts.billed} billed characters${ssml ? ` (${counts.conservative} with tags)` : ''}, ${tasks.reduce((n, t) => n + t.length, 0)} message(s) in ${tasks.length} task(s); model ${request.model}, voice ${voice}, ${destination.format} ${request.sampleRate} Hz`,
  );

  const connection = await connectionFor(options, context, output, config);
  const runner = makeRunner(connection, options, output);
  const recorder = subtitles
    ? new SubtitleRecorder(subtitles, destination.format, request.sampleRate, ssml ? ssmlTextContent(input.text) : input.text)
    : undefined;
  const started = Date.now();
  let sink: AudioSink | undefined;
  let spinner: Awaited<ReturnType<Output['spinner']>> | undefined;
  try {
    sink = await openSink(destination, context);
    spinner = destination.kind === 'file' ? await output.spinner('synthesising…') : undefined;
    const summary = await synthesize(runner, { model: request.model, parameters: request.parameters, format: destination.format, tasks }, sink, {
      signal: context.signal,
      retries: options.retries,
      onEvent: (event) => {
        recorder?.onEvent(event);
        if (event.type === 'sentence-end' && spinner) spinner.update(`synthesising… sentence ${event.index + 1}`);
      },
      onRetry: (err, attempt, delay) => {
        recorder?.onRetry();
        output.warn(`${err.message}; retry ${attempt} of ${options.retries} in ${(delay / 1000).toFixed(1)} s`);
      },
    });
    const completed = await completeOutput(output, sink, destination, request.sampleRate, recorder);
    spinner?.stop();
    output.debug(
      `done: task ${summary.taskIds.join(', ')}; first audio after ${summary.firstAudioMs ?? '?'} ms; ` +
        `${summary.characters} billed characters; ${summary.bytes} bytes${completed.durationMs !== undefined ? `, ${(completed.durationMs / 1000).toFixed(2)} s of audio` : ''}; ` +
        `${Date.now() - started} ms in all`,
    );
    reportOutput(output, completed, { format: destination.format, request, voice, summary, firstAudioMs: summary.firstAudioMs });
  } catch (err) {
    spinner?.stop();
    await sink?.abort();
    if (sink !== undefined && (err instanceof ReaderGoneError || (err as { cause?: unknown }).cause instanceof ReaderGoneError)) {
      await readerGone(output, sink);
      return;
    }
    throw err;
  } finally {
    runner.close();
    await connection.close();
  }
}
