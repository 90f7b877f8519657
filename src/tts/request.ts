/**
 * Turns what the user asked for into run-task parameters, checking every value against the service's ranges and
 * the model's capability table before anything is sent. Pure: returns the parameters and the warnings to show.
 */
import { UsageError } from '../errors.js';
import {
  LANGUAGE_HINTS,
  MAX_INSTRUCTION_CHARS,
  RANGES,
  SERVICE_DEFAULTS,
  isSupportedSampleRate,
  sampleRatesFor,
  type AudioFormat,
  type RangedParameter,
} from '../protocol/limits.js';
import type { HotFix, SynthesisParameters } from '../protocol/messages.js';
import { findModel, MODEL_IDS, type ModelCapabilities, type Region, type Support } from '../protocol/models.js';
import { findSystemVoice, modelsOfVoice } from '../voices/catalogue.js';
import { customVoiceTargetModel, matchInstruction } from '../voices/instructions.js';

/** Everything a synthesis request can carry, as the user expressed it. */
export interface SynthesisOptions {
  model: string;
  voice: string;
  format: AudioFormat;
  region: Region;
  sampleRate?: number | undefined;
  volume?: number | undefined;
  rate?: number | undefined;
  pitch?: number | undefined;
  bitRate?: number | undefined;
  seed?: number | undefined;
  language?: string | undefined;
  instruction?: string | undefined;
  markdownFilter?: boolean | undefined;
  hotFix?: HotFix | undefined;
  aigcTag?: boolean | undefined;
  aigcPropagator?: string | undefined;
  aigcPropagateId?: string | undefined;
  ssml?: boolean | undefined;
  wordTimestamps?: boolean | undefined;
}

/** The parameters a user tunes one by one (flags, batch manifest fields), as SynthesisOptions names them. */
export const TUNING_KEYS = [
  'sampleRate',
  'volume',
  'rate',
  'pitch',
  'bitRate',
  'seed',
  'language',
  'instruction',
  'markdownFilter',
  'aigcTag',
  'aigcPropagator',
  'aigcPropagateId',
] as const;

/** The tunable parameters of a request. */
export type Tuning = Pick<SynthesisOptions, (typeof TUNING_KEYS)[number]>;

/** Each tunable parameter from the first source that sets it (e.g. an item's field, then the command line). */
export function pickTuning(...sources: ReadonlyArray<Partial<Tuning>>): Tuning {
  const out: Record<string, unknown> = {};
  for (const key of TUNING_KEYS) out[key] = sources.find((source) => source[key] !== undefined)?.[key];
  return out as Tuning;
}

/** The parameters to send and what the user should be told about them. */
export interface BuiltRequest {
  model: string;
  parameters: SynthesisParameters;
  sampleRate: number;
  /** Shown on stderr (always). */
  warnings: string[];
  /** Shown with --verbose only. */
  notes: string[];
}

/** The sample rate used when the user picks none: the service default, or 24 kHz for opus (22.05 kHz is not an opus rate). */
export function defaultSampleRate(format: AudioFormat): number {
  return format === 'opus' ? 24000 : SERVICE_DEFAULTS.sampleRate;
}

const OPTION_NAMES: Record<RangedParameter, string> = {
  volume: '--volume',
  rate: '--rate',
  pitch: '--pitch',
  bit_rate: '--bit-rate',
  seed: '--seed',
};

function checkRange(name: RangedParameter, value: number | undefined): void {
  if (value === undefined) return;
  const r = RANGES[name];
  if (!Number.isFinite(value) || value < r.min || value > r.max || (r.integer && !Number.isInteger(value))) {
    throw new UsageError(
      `${OPTION_NAMES[name]} ${value} is out of range: expected ${r.integer ? 'an integer' : 'a number'} from ${r.min} to ${r.max}`,
    );
  }
}

/** Models that support a capability, for error messages. */
function supportedBy(cap: keyof ModelCapabilities): string {
  return MODEL_IDS.filter((id) => findModel(id)?.[cap] === 'yes').join(', ');
}

function checkCapability(
  model: ModelCapabilities | undefined,
  modelId: string,
  cap: keyof ModelCapabilities,
  what: string,
  out: BuiltRequest,
): void {
  if (!model) return;
  const support = model[cap] as Support;
  if (support === 'no') {
    throw new UsageError(`${what} is not supported by ${modelId}; models that support it: ${supportedBy(cap)}`);
  }
  if (support === 'unconfirmed') {
    out.warnings.push(`${what} on ${modelId} is not confirmed by the service's documentation; it is sent anyway`);
  }
}

/** "unknown model X; cosy knows …": a model name cosy has no record of (a typo, or newer than cosy). */
function unknownModel(model: string): string {
  return `unknown model ${model}; cosy knows ${MODEL_IDS.join(', ')}`;
}

/**
 * The error when no voice was given and the model has no default one: an unknown model is named as such (most often
 * a typo); a known one has no system voices. `give` says how to name a voice (`pass --voice …`).
 */
export function noVoiceError(model: string, give: string): UsageError {
  if (findModel(model) === undefined) {
    return new UsageError(unknownModel(model), { hint: `check the name; a model newer than cosy is sent as it is when you ${give}` });
  }
  return new UsageError(`${model} has no system voices: ${give} with a custom voice id`, {
    hint: 'create one with `cosy clone` or `cosy design`, or pick a model with system voices (cosyvoice-v3-flash)',
  });
}

/**
 * Validates options and builds the run-task parameters.
 * @throws UsageError naming the option, the value and what is allowed.
 */
export function buildRequest(o: SynthesisOptions): BuiltRequest {
  const model = findModel(o.model);
  const sampleRate = o.sampleRate ?? defaultSampleRate(o.format);
  const parameters: SynthesisParameters = {
    text_type: 'PlainText',
    voice: o.voice,
    format: o.format,
    sample_rate: sampleRate,
    volume: o.volume ?? SERVICE_DEFAULTS.volume,
    rate: o.rate ?? SERVICE_DEFAULTS.rate,
    pitch: o.pitch ?? SERVICE_DEFAULTS.pitch,
  };
  const out: BuiltRequest = { model: o.model, parameters, sampleRate, warnings: [], notes: [] };

  if (!model) {
    out.warnings.push(`${unknownModel(o.model)}. Sending it unchecked`);
  } else if (!model.regions.includes(o.region)) {
    const other = model.regions.map((r) => (r === 'cn' ? 'cn (Beijing)' : 'intl (Singapore)')).join(' or ');
    throw new UsageError(`${o.model} is not offered in region ${o.region}; use --region ${other}`);
  }

  if (o.voice.trim() === '') throw new UsageError('--voice is empty; pass a voice id (see `cosy voices`)');
  checkVoice(o, model, out);

  if (o.format === 'opus') checkCapability(model, o.model, 'opus', 'opus output', out);
  if (!isSupportedSampleRate(o.format, sampleRate)) {
    throw new UsageError(
      `--sample-rate ${sampleRate} is not available for ${o.format}; choose one of ${sampleRatesFor(o.format).join(', ')}`,
      { hint: 'without the flag, the rate comes from the sample-rate setting: `cosy config list` shows where it is set' },
    );
  }
  checkRange('volume', o.volume);
  checkRange('rate', o.rate);
  checkRange('pitch', o.pitch);
  if (o.bitRate !== undefined) {
    if (o.format !== 'opus') throw new UsageError(`--bit-rate applies only to opus output (the format is ${o.format})`);
    checkRange('bit_rate', o.bitRate);
  }
  if (o.format === 'opus') parameters.bit_rate = o.bitRate ?? SERVICE_DEFAULTS.bitRate;

  if (o.seed !== undefined) {
    checkRange('seed', o.seed);
    checkCapability(model, o.model, 'seed', '--seed', out);
    parameters.seed = o.seed;
  }
  if (o.language !== undefined) {
    if (!(LANGUAGE_HINTS as readonly string[]).includes(o.language)) {
      throw new UsageError(`--language ${o.language} is not a language the service knows; choose one of ${LANGUAGE_HINTS.join(', ')}`);
    }
    checkCapability(model, o.model, 'languageHints', '--language', out);
    parameters.language_hints = [o.language];
  }
  if (o.instruction !== undefined) {
    const length = [...o.instruction].length;
    if (o.instruction.trim() === '') throw new UsageError('--instruction is empty');
    if (length > MAX_INSTRUCTION_CHARS) {
      throw new UsageError(`--instruction is ${length} characters long; the limit is ${MAX_INSTRUCTION_CHARS}`);
    }
    checkCapability(model, o.model, 'instruction', '--instruction', out);
    checkInstruction(o, out);
    parameters.instruction = o.instruction;
  }
  if (o.markdownFilter) {
    checkCapability(model, o.model, 'markdownFilter', '--markdown-filter', out);
    parameters.enable_markdown_filter = true;
  }
  if (o.hotFix !== undefined) {
    checkCapability(model, o.model, 'hotFix', '--pronounce (hot_fix)', out);
    parameters.hot_fix = o.hotFix;
  }
  if ((o.aigcPropagator !== undefined || o.aigcPropagateId !== undefined) && !o.aigcTag) {
    throw new UsageError('--aigc-propagator and --aigc-propagate-id need --aigc-tag');
  }
  if (o.aigcTag) {
    checkCapability(model, o.model, 'aigcTag', '--aigc-tag', out);
    if (o.format === 'pcm') out.warnings.push('--aigc-tag embeds its mark in wav, mp3 and opus only; pcm output carries none');
    parameters.enable_aigc_tag = true;
    if (o.aigcPropagator !== undefined) parameters.aigc_propagator = o.aigcPropagator;
    if (o.aigcPropagateId !== undefined) parameters.aigc_propagate_id = o.aigcPropagateId;
  }
  if (o.ssml) {
    checkCapability(model, o.model, 'ssml', 'SSML', out);
    const sys = findSystemVoice(o.model, o.voice);
    if (sys && !sys.ssml) throw new UsageError(`voice ${o.voice} does not support SSML on ${o.model}; use plain text or another voice (\`cosy voices --ssml\`)`);
    parameters.enable_ssml = true;
  }
  if (o.wordTimestamps) {
    checkCapability(model, o.model, 'timestamps', 'word timestamps', out);
    const sys = findSystemVoice(o.model, o.voice);
    if (sys && !sys.timestamps) throw new UsageError(`voice ${o.voice} has no word timestamps on ${o.model} (\`cosy voices --timestamps\`)`);
    parameters.word_timestamp_enabled = true;
  }
  return out;
}

function checkVoice(o: SynthesisOptions, model: ModelCapabilities | undefined, out: BuiltRequest): void {
  if (!model) {
    out.notes.push(`voice ${o.voice} is not checked: cosy does not know model ${o.model}`);
    return;
  }
  const custom = customVoiceTargetModel(o.voice);
  if (custom) {
    if (custom.targetModel !== o.model) {
      throw new UsageError(
        `voice ${o.voice} is a custom voice created for ${custom.targetModel}; it works only with --model ${custom.targetModel}`,
      );
    }
    return;
  }
  if (findSystemVoice(o.model, o.voice)) return;
  const models = modelsOfVoice(o.voice);
  if (models.length > 0) {
    throw new UsageError(`voice ${o.voice} belongs to ${models.join(' and ')}, not ${o.model}; use --model ${models[0]}`);
  }
  if (!model.systemVoices) {
    out.notes.push(`${o.model} has no system voices; ${o.voice} must be a custom voice of this account`);
  } else {
    out.notes.push(`voice ${o.voice} is not in cosy's catalogue for ${o.model}; sending it unchecked`);
  }
}

function checkInstruction(o: SynthesisOptions, out: BuiltRequest): void {
  const sys = findSystemVoice(o.model, o.voice);
  if (!sys || o.instruction === undefined) return;
  if (!sys.instruct) {
    out.warnings.push(`voice ${o.voice} on ${o.model} is not Instruct-capable; the service may ignore --instruction`);
    return;
  }
  const match = matchInstruction(sys, o.instruction);
  if (!match.ok) {
    out.warnings.push(
      `--instruction does not match a form ${o.voice} accepts (the service may fail with error 428). Accepted forms:\n  ${match.accepted.join('\n  ')}`,
    );
  }
}

/**
 * Validates a `--pronounce` JSON document: `{"pronunciation":[{"word":"pinyin"}], "replace":[{"from":"to"}]}`.
 * @throws UsageError naming the file and the offending entry.
 */
export function parseHotFix(json: string, source: string): HotFix {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new UsageError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${source} must be a JSON object with "pronunciation" and/or "replace" lists`);
  }
  const obj = parsed as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => k !== 'pronunciation' && k !== 'replace');
  if (unknown.length > 0) throw new UsageError(`${source}: unknown key ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: "pronunciation", "replace"`);
  const out: HotFix = {};
  for (const key of ['pronunciation', 'replace'] as const) {
    const list = obj[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new UsageError(`${source}: "${key}" must be a list of {"from": "to"} objects`);
    out[key] = list.map((entry: unknown, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new UsageError(`${source}: ${key}[${i}] must be an object like {"word": "value"}`);
      }
      const pairs = Object.entries(entry as Record<string, unknown>);
      if (pairs.length !== 1) throw new UsageError(`${source}: ${key}[${i}] must have exactly one key`);
      const [k, v] = pairs[0] ?? ['', undefined];
      if (k === '' || typeof v !== 'string' || v === '') {
        throw new UsageError(`${source}: ${key}[${i}] must map a non-empty word to a non-empty string`);
      }
      return { [k]: v };
    });
  }
  if (!out.pronunciation && !out.replace) throw new UsageError(`${source}: nothing to apply (no "pronunciation" or "replace" entries)`);
  return out;
}
