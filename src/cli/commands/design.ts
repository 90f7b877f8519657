/**
 * `cosy design "<description>"`: creates a voice from a description (Chinese or English), saves the preview audio
 * the service returns (atomically; `--play` also plays it), and prints the new voice id.
 */
import { extname } from 'node:path';
import { UsageError } from '../../errors.js';
import { AUDIO_FORMATS, isAudioFormat, isSupportedSampleRate, sampleRatesFor, type AudioFormat } from '../../protocol/limits.js';
import { FileSink } from '../../tts/audio-sink.js';
import { createDesignVoice, queryVoice, type CustomVoiceDetails, type DesignedVoice } from '../../voices/enrollment-api.js';
import {
  charCount,
  DESIGN_LANGUAGES,
  designLanguageOf,
  isChineseOrEnglish,
  MAX_PREVIEW_TEXT_CHARS,
  MAX_VOICE_PROMPT_CHARS,
} from '../../voices/enrollment-rules.js';
import { DEFAULT_POLL_TIMEOUT_MS } from '../../voices/poll.js';
import type { CommandContext } from '../context.js';
import { checkedPrefix, outputFor, waitWithProgress, withEnrollment } from '../enrollment-session.js';
import { optionValues } from '../option-values.js';
import type { Output } from '../output.js';
import { describePlayerExit, openPlayer, playerFailed, resolvePlayer, type PlayerCommand } from '../player.js';
import { checkedLanguage, checkedTargetModel, checkEnrollmentRegion, DEFAULT_ENROLLMENT_MODEL, DEFAULT_PREFIX } from './clone.js';

/** Preview sample rate unless --sample-rate says otherwise (the documented sample's value). */
export const DEFAULT_PREVIEW_SAMPLE_RATE = 24_000;
/** Preview format unless --format or the -o extension says otherwise. */
export const DEFAULT_PREVIEW_FORMAT: AudioFormat = 'wav';
/** Preview text per language when --preview-text is not given. */
export const DEFAULT_PREVIEW_TEXTS: Readonly<Record<'zh' | 'en', string>> = {
  en: 'Hello! This is a preview of the voice you designed. How does it sound?',
  zh: '你好！这是你设计的声音的试听，听起来怎么样？',
};

/** Preview file extensions and the formats they mean. */
const PREVIEW_EXTENSIONS: Readonly<Record<string, AudioFormat>> = {
  '.wav': 'wav',
  '.mp3': 'mp3',
  '.pcm': 'pcm',
  '.raw': 'pcm',
  '.opus': 'opus',
  '.ogg': 'opus',
  '.oga': 'opus',
};

/** The extension a preview file named after its voice gets. */
const FORMAT_EXTENSIONS: Readonly<Record<AudioFormat, string>> = { wav: '.wav', mp3: '.mp3', pcm: '.pcm', opus: '.opus' };

/**
 * The preview's format from --format and the -o extension (a conflict is an error), else wav.
 * @throws UsageError on an unknown extension, an unknown format or a conflict.
 */
export function previewFormat(output: string | undefined, format: string | undefined): AudioFormat {
  if (format !== undefined && !isAudioFormat(format)) throw new UsageError(`--format ${format} is not one of ${AUDIO_FORMATS.join(', ')}`);
  if (output === '-') throw new UsageError('-o - is not possible: stdout carries the voice id', { hint: 'name a file, or use --play' });
  const fromExt = output === undefined ? undefined : PREVIEW_EXTENSIONS[extname(output).toLowerCase()];
  if (output !== undefined && fromExt === undefined && format === undefined) {
    throw new UsageError(`cannot tell the audio format from ${JSON.stringify(output)}`, { hint: 'use a .wav, .mp3, .pcm or .opus extension, or add --format' });
  }
  if (format !== undefined && fromExt !== undefined && fromExt !== format) {
    throw new UsageError(`-o ${output ?? ''} says ${fromExt} but --format says ${format}`);
  }
  return (format as AudioFormat | undefined) ?? fromExt ?? DEFAULT_PREVIEW_FORMAT;
}

/** The design texts and language, checked: description ≤ 500 and preview text ≤ 200 characters, Chinese or English. */
export function designTexts(
  description: string,
  previewOption: string | undefined,
  languageOption: string | undefined,
): { description: string; previewText: string; language: 'zh' | 'en' } {
  const text = description.trim();
  if (text === '') throw new UsageError('the description is empty: say what the voice should sound like');
  if (charCount(text) > MAX_VOICE_PROMPT_CHARS) {
    throw new UsageError(`the description is ${charCount(text)} characters long; the limit is ${MAX_VOICE_PROMPT_CHARS}`);
  }
  if (!isChineseOrEnglish(text)) throw new UsageError('the description must be in Chinese or English');
  const chosen = checkedLanguage(languageOption, DESIGN_LANGUAGES) as 'zh' | 'en' | undefined;
  const previewText = (previewOption ?? DEFAULT_PREVIEW_TEXTS[chosen ?? designLanguageOf(text)]).trim();
  if (previewText === '') throw new UsageError('--preview-text is empty');
  if (charCount(previewText) > MAX_PREVIEW_TEXT_CHARS) {
    throw new UsageError(`--preview-text is ${charCount(previewText)} characters long; the limit is ${MAX_PREVIEW_TEXT_CHARS}`);
  }
  if (!isChineseOrEnglish(previewText)) throw new UsageError('--preview-text must be in Chinese or English');
  const language = chosen ?? designLanguageOf(previewText);
  if (chosen !== undefined && designLanguageOf(previewText) !== chosen) {
    throw new UsageError(`--language ${chosen} does not match the preview text, which is ${designLanguageOf(previewText) === 'zh' ? 'Chinese' : 'English'}`);
  }
  return { description: text, previewText, language };
}

/** Writes the preview atomically into `sink` (opened before the voice was created, when -o named the file). */
async function savePreview(path: string, voice: DesignedVoice, opened: FileSink | undefined): Promise<void> {
  const sink = opened ?? (await FileSink.create(path, { wav: voice.format === 'wav' }));
  try {
    await sink.write(voice.audio);
    await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

/** Plays the preview and waits until the player is done; a failing player is a warning. */
async function playPreview(player: PlayerCommand, voice: DesignedVoice, output: Output, env: NodeJS.ProcessEnv): Promise<void> {
  const sink = await openPlayer(player, env, voice.format);
  try {
    await sink.write(voice.audio);
    await sink.commit();
  } catch {
    await sink.abort();
  }
  const outcome = await sink.outcome();
  if (playerFailed(outcome)) output.warn(describePlayerExit(outcome));
}

/** Runs `cosy design`. */
export async function runDesign(words: string[], raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const o = optionValues(raw);
  const output = outputFor(raw, context);
  const texts = designTexts(words.join(' '), o.string('previewText'), o.string('language'));
  const prefix = checkedPrefix(o.string('prefix') ?? DEFAULT_PREFIX);
  const target = checkedTargetModel(o.string('model') ?? DEFAULT_ENROLLMENT_MODEL, 'design');
  const outPath = o.string('output');
  const format = previewFormat(outPath, o.string('format'));
  const sampleRate = o.number('sampleRate') ?? DEFAULT_PREVIEW_SAMPLE_RATE;
  if (!isSupportedSampleRate(format, sampleRate)) {
    throw new UsageError(`--sample-rate ${sampleRate} is not available for ${format}; choose one of ${sampleRatesFor(format).join(', ')}`);
  }
  const player = o.flag('play') ? resolvePlayer(format, sampleRate, o.string('player'), context.env) : undefined;
  const wait = !o.negated('wait');
  const timeoutMs = o.number('timeout') ?? DEFAULT_POLL_TIMEOUT_MS;

  // Open -o first: a file that cannot be written must fail before a voice is created for nothing.
  const sink = outPath !== undefined ? await FileSink.create(outPath, { wav: format === 'wav' }) : undefined;
  const { designed, record, path } = await withEnrollment(raw, context, output, async (session) => {
    const spinner = await output.spinner('designing the voice…');
    let voice: DesignedVoice;
    try {
      checkEnrollmentRegion(target, session.connection.region, output);
      voice = await createDesignVoice(session.client, {
        targetModel: target.id,
        prefix,
        voicePrompt: texts.description,
        previewText: texts.previewText,
        language: texts.language,
        sampleRate,
        format,
      });
    } catch (err) {
      await sink?.abort();
      throw err;
    } finally {
      spinner.stop();
    }
    const file = outPath ?? `${voice.voiceId}${FORMAT_EXTENSIONS[voice.format]}`;
    await savePreview(file, voice, sink);
    output.info(`created ${voice.voiceId} for ${voice.targetModel}; preview saved to ${file}`);
    let details: CustomVoiceDetails = await queryVoice(session.client, voice.voiceId);
    if (wait && details.status !== 'OK') details = await waitWithProgress(session, voice.voiceId, timeoutMs, output, context);
    return { designed: voice, record: details, path: file };
  });
  if (player !== undefined) await playPreview(player, designed, output, context.env);
  if (o.flag('json')) {
    output.result({
      ok: true,
      voice_id: designed.voiceId,
      target_model: designed.targetModel,
      status: record.status,
      file: path,
      format: designed.format,
      sample_rate: designed.sampleRate,
      bytes: designed.audio.length,
      voice_prompt: texts.description,
      preview_text: texts.previewText,
    });
  } else {
    output.resultLine(designed.voiceId);
  }
}
