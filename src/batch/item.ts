/**
 * Resolving one manifest item: command-line defaults overridden field by field, the text from `text`, `file`
 * (relative to the manifest's folder) or `ssml`, and the request built and checked exactly as `cosy say` checks it
 * (ranges, model capabilities, voice/model match, SSML rules), so a batch is refused before anything is sent.
 */
import { resolve } from 'node:path';
import { formatFromExtension } from '../audio/extensions.js';
import { UsageError } from '../errors.js';
import { checkSubtitleOptions, type SubtitleFormat } from '../subtitles/format.js';
import { wordTimestampsFor } from '../subtitles/recorder.js';
import { countInput } from '../protocol/counting.js';
import type { AudioFormat } from '../protocol/limits.js';
import type { HotFix, SynthesisParameters } from '../protocol/messages.js';
import type { Region } from '../protocol/models.js';
import { looksLikeSsml } from '../text/ssml/detect.js';
import { validateSsml } from '../text/ssml/validate.js';
import { planTasks, splitText } from '../text/split-text.js';
import { buildRequest, noVoiceError, parseHotFix, pickTuning, type Tuning } from '../tts/request.js';
import { requestKey } from './cache.js';
import type { ItemFields } from './fields.js';


/** Synthesis settings from the command line, which every item may override. */
export interface ItemDefaults extends Partial<Tuning> {
  model: string;
  voice?: string | undefined;
  format?: AudioFormat | undefined;
  hotFix?: HotFix | undefined;
  /** A subtitle sidecar for every item (an item's `subtitles` field overrides it). */
  subtitles?: SubtitleFormat | undefined;
  /** Voices without word timestamps get one cue per sentence instead of an error. */
  subtitlesFallback?: boolean | undefined;
  /** Cue options, checked against each item's subtitle format. */
  subtitleCues?: { maxCueChars?: number | undefined; wordsPerCue?: number | undefined; karaoke?: boolean | undefined } | undefined;
}

/** What resolving needs besides the item: where relative files are, the region, and two seams. */
export interface ResolveContext {
  /** Folder of the manifest: `file` and `pronounce` paths are relative to it. */
  manifestDir: string;
  region: Region;
  defaults: ItemDefaults;
  /**
   * Reads a UTF-8 text file.
   * @throws UsageError saying why it cannot be read.
   */
  readTextFile: (path: string) => Promise<string>;
  /** The default voice of a model (undefined for models without system voices). */
  defaultVoice: (model: string) => string | undefined;
}

/** An item ready to synthesise: everything checked, the text planned into tasks. */
export interface ResolvedItem {
  /** 1-based position in the manifest. */
  n: number;
  /** Line of the manifest the item starts on. */
  line: number;
  id: string;
  ssml: boolean;
  model: string;
  voice: string;
  format: AudioFormat;
  sampleRate: number;
  parameters: SynthesisParameters;
  /** Tasks of continue-task messages (one message for SSML). */
  tasks: string[][];
  /** Characters the service bills for this item (SSML tags excluded). */
  billed: number;
  /** Identity of the request (model, parameters, text): equal keys give equal audio. */
  key: string;
  /** Output path from the item's `out` field, if any. */
  out: string | undefined;
  /** The subtitle sidecar to write, and whether word timestamps are requested for it. */
  subtitles: { format: SubtitleFormat; wordTimestamps: boolean } | undefined;
  /** Warnings about the request (shown once per distinct message). */
  warnings: string[];
}

/** An item, or the reasons it cannot be synthesised. */
export type ResolveResult = { ok: true; item: ResolvedItem } | { ok: false; problems: string[] };


/** The text of an item and whether it is SSML, from exactly one of `text`, `file`, `ssml`. */
async function itemText(fields: ItemFields, context: ResolveContext): Promise<{ text: string; ssml: boolean; source: string }> {
  const given = (['text', 'file', 'ssml'] as const).filter((k) => fields[k] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(given.length === 0 ? 'no text: give one of "text", "file" or "ssml"' : `give only one of ${given.map((k) => `"${k}"`).join(', ')}`);
  }
  let text: string;
  let source: string;
  let forced = false;
  if (fields.ssml !== undefined) {
    text = fields.ssml;
    source = '"ssml"';
    forced = true;
  } else if (fields.file !== undefined) {
    source = fields.file;
    text = (await context.readTextFile(resolve(context.manifestDir, fields.file))).replace(/^\uFEFF/, '');
  } else {
    text = fields.text ?? '';
    source = '"text"';
  }
  if (text.trim() === '') throw new UsageError(`${source} is empty: there is nothing to speak`);
  // JSON can carry an unpaired surrogate (\ud800), which is not Unicode text and cannot be sent as UTF-8.
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u.exec(text);
  if (lone === null) return { text, ssml: forced || looksLikeSsml(text), source };
  const code = lone[0].charCodeAt(0).toString(16);
  throw new UsageError(`${source} is not valid text: an unpaired surrogate \\u${code} at character ${lone.index + 1}; fix the manifest's escapes`);
}

/** The output format: the item's `format`, else its `out` extension, else --format, else mp3. */
function itemFormat(fields: ItemFields, defaults: ItemDefaults): AudioFormat {
  const fromOut = fields.out !== undefined ? formatFromExtension(fields.out) : undefined;
  if (fields.format !== undefined && fromOut !== undefined && fields.format !== fromOut) {
    throw new UsageError(`"out" ${fields.out} says ${fromOut} but "format" says ${fields.format}`);
  }
  if (fields.out !== undefined && fromOut === undefined && fields.format === undefined && defaults.format === undefined) {
    // As `cosy say -o`: a name that does not say the format needs the format said elsewhere.
    throw new UsageError(`cannot tell the audio format from "out" ${JSON.stringify(fields.out)}: use a .mp3, .wav, .pcm, .opus or .ogg name, or add "format" (or --format)`);
  }
  return fields.format ?? fromOut ?? defaults.format ?? 'mp3';
}

/** Loads an item's own pronunciation file, once per path. */
async function itemHotFix(fields: ItemFields, context: ResolveContext, cache: Map<string, Promise<HotFix>>): Promise<HotFix | undefined> {
  if (fields.pronounce === undefined) return context.defaults.hotFix;
  const path = resolve(context.manifestDir, fields.pronounce);
  let loading = cache.get(path);
  if (loading === undefined) {
    loading = context.readTextFile(path).then((json) => parseHotFix(json, fields.pronounce ?? path));
    cache.set(path, loading);
  }
  return loading;
}

/** Checks an SSML document with cosy's SSML checker; errors become problems, warnings are passed on. */
function checkSsml(text: string, source: string, request: { model: string; voice: string; sampleRate: number }, warnings: string[]): string[] {
  const report = validateSsml(text, { source, model: request.model, voice: request.voice, sampleRate: request.sampleRate, mode: 'single-message', requestChecked: true });
  const problems: string[] = [];
  for (const f of report.findings) {
    const where = f.line > 0 ? `${source} ${f.line}:${f.column}: ` : `${source}: `;
    if (f.severity === 'error') problems.push(`${where}${f.message} [${f.rule}]`);
    else if (f.severity === 'warning') warnings.push(`${f.message} [${f.rule}]`);
  }
  return problems;
}

/**
 * Resolves one item (n is its 1-based position, line where it starts) into a checked request.
 * `hotFixCache` shares parsed pronunciation files between items.
 */
export async function resolveItem(
  fields: ItemFields,
  position: { n: number; line: number },
  context: ResolveContext,
  hotFixCache: Map<string, Promise<HotFix>> = new Map(),
): Promise<ResolveResult> {
  const d = context.defaults;
  try {
    const { text, ssml, source } = await itemText(fields, context);
    const format = itemFormat(fields, d);
    const model = fields.model ?? d.model;
    const voice = fields.voice ?? d.voice ?? context.defaultVoice(model);
    if (voice === undefined) throw noVoiceError(model, 'give a voice in "voice" or with --voice');
    const subtitleFormat = fields.subtitles === 'none' ? undefined : (fields.subtitles ?? d.subtitles);
    if (subtitleFormat) checkSubtitleOptions(subtitleFormat, d.subtitleCues ?? {});
    const subtitles = subtitleFormat ? { format: subtitleFormat, wordTimestamps: wordTimestampsFor(model, voice, d.subtitlesFallback === true) } : undefined;
    const built = buildRequest({
      ...pickTuning(fields, d),
      model,
      voice,
      format,
      region: context.region,
      hotFix: await itemHotFix(fields, context, hotFixCache),
      ssml,
      wordTimestamps: subtitles?.wordTimestamps,
    });
    const warnings = [...built.warnings];
    if (ssml) {
      const problems = checkSsml(text, source, { model, voice, sampleRate: built.sampleRate }, warnings);
      if (problems.length > 0) return { ok: false, problems };
    }
    const tasks = ssml ? [[text]] : planTasks(splitText(text));
    return {
      ok: true,
      item: {
        n: position.n,
        line: position.line,
        id: fields.id ?? String(position.n),
        ssml,
        model: built.model,
        voice,
        format,
        sampleRate: built.sampleRate,
        parameters: built.parameters,
        tasks,
        billed: countInput(text, ssml).billed,
        key: requestKey(built.model, built.parameters, tasks),
        out: fields.out,
        subtitles,
        warnings,
      },
    };
  } catch (err) {
    if (err instanceof UsageError) return { ok: false, problems: [err.message] };
    throw err;
  }
}
