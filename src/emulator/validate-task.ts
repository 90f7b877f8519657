/**
 * run-task validation (pure): turns a run-task into the settings of a task, or into the task-failed the service
 * would send instead of task-started. Unknown parameter keys are ignored, as the SDKs merge arbitrary extras.
 */
import {
  isAudioFormat,
  isSupportedSampleRate,
  RANGES,
  sampleRatesFor,
  SERVICE_DEFAULTS,
  type AudioFormat,
  type RangedParameter,
} from '../protocol/limits.js';
import { findModel, type ModelCapabilities } from '../protocol/models.js';
import { findSystemVoice, type SystemVoice } from '../voices/catalogue.js';
import { matchInstruction } from '../voices/instructions.js';
import { invalidParameter, MESSAGES, protocolViolation, type TaskFailure } from './service-errors.js';
import { isUsableCustomVoice, type VoiceRegistryView } from './voice-registry.js';

/** Longest instruction the service takes, in code points (PY-SDK docstring; the newest doc says 100). */
export const SERVICE_MAX_INSTRUCTION_CHARS = 128;
/** Sample rate used for Ogg Opus when none is given: the service default 22050 Hz is not an Opus rate (our choice). */
export const OPUS_DEFAULT_SAMPLE_RATE = 24_000;
/** The format value the SDKs send when the user chose none. */
export const DEFAULT_FORMAT_LITERAL = 'Default';
/** The sample_rate value the SDKs send when the user chose none. */
export const DEFAULT_SAMPLE_RATE_LITERAL = 0;

/** The fields of a run-task payload that validation looks at. */
export interface RunTaskRequest {
  taskGroup: unknown;
  task: unknown;
  function: unknown;
  /** `payload.model`, undefined when missing or empty. */
  model: string | undefined;
  input: unknown;
  parameters: Record<string, unknown>;
}

/** Everything a validated task needs to run. */
export interface TaskConfig {
  model: string;
  voice: string;
  /** The catalogue entry when the voice is a system voice; undefined for a custom voice. */
  systemVoice: SystemVoice | undefined;
  format: AudioFormat;
  sampleRate: number;
  bitRate: number;
  volume: number;
  rate: number;
  pitch: number;
  seed: number;
  /** `enable_ssml` as sent. */
  enableSsml: boolean;
  /** Whether the model and voice accept SSML markup. */
  ssmlSupported: boolean;
  /** Whether sentence-end events carry word timestamps. */
  wordTimestamps: boolean;
  instruction: string | undefined;
}

/** A validated task, or the failure to send. */
export type RunTaskValidation = { ok: true; config: TaskConfig } | { ok: false; failure: TaskFailure };

/** The expected routing fields of a CosyVoice run-task. */
const ROUTING = [
  ['taskGroup', 'task_group', 'audio'],
  ['task', 'task', 'tts'],
  ['function', 'function', 'SpeechSynthesizer'],
] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A parameter's value, with JSON null read as "not given". */
function param(parameters: Record<string, unknown>, key: string): unknown {
  const value = parameters[key];
  return value === null ? undefined : value;
}

function checkRouting(request: RunTaskRequest): TaskFailure | undefined {
  for (const [field, wire, expected] of ROUTING) {
    const value = request[field];
    if (value === undefined || value === null || value === '') {
      return protocolViolation(`Missing required parameter 'payload.${wire}'!`);
    }
    if (value !== expected) return protocolViolation(`Invalid parameter 'payload.${wire}': expected '${expected}'!`);
  }
  return undefined;
}

function checkVoice(model: ModelCapabilities, voice: string, registry: VoiceRegistryView, account: string): SystemVoice | TaskFailure | undefined {
  const system = findSystemVoice(model.id, voice);
  if (system !== undefined) return system;
  // A system voice of another model, an unknown id, or a custom voice that is missing, not OK, made for another
  // model or another account's: the engine rejects them all alike (protocol.md §5, 418).
  if (isUsableCustomVoice(registry, voice, model.id, account)) return undefined;
  return invalidParameter(MESSAGES.engine418);
}

function resolveFormat(model: ModelCapabilities, value: unknown): AudioFormat | TaskFailure {
  if (value === undefined || value === DEFAULT_FORMAT_LITERAL) return SERVICE_DEFAULTS.format;
  if (typeof value !== 'string' || !isAudioFormat(value)) {
    return invalidParameter('Parameter invalid: format must be one of pcm, wav, mp3, opus');
  }
  if (value === 'opus' && model.opus === 'no') {
    return invalidParameter(`Parameter invalid: format opus is not supported by ${model.id}; use one of pcm, wav, mp3`);
  }
  return value;
}

function resolveSampleRate(format: AudioFormat, value: unknown): number | TaskFailure {
  if (value === undefined || value === DEFAULT_SAMPLE_RATE_LITERAL) {
    return format === 'opus' ? OPUS_DEFAULT_SAMPLE_RATE : SERVICE_DEFAULTS.sampleRate;
  }
  if (typeof value !== 'number' || !isSupportedSampleRate(format, value)) {
    return invalidParameter(
      `Parameter invalid: sample_rate must be one of ${sampleRatesFor(format).join(', ')} for format ${format}`,
    );
  }
  return value;
}

/** A ranged numeric parameter, its default when not given, or the failure naming its range. */
export function resolveRanged(name: RangedParameter, value: unknown, fallback: number): number | TaskFailure {
  if (value === undefined) return fallback;
  const range = RANGES[name];
  const inRange = typeof value === 'number' && Number.isFinite(value) && value >= range.min && value <= range.max;
  if (!inRange) return invalidParameter(`Parameter invalid: ${name} must be between ${range.min} and ${range.max}`);
  if (range.integer && !Number.isInteger(value)) return invalidParameter(`Parameter invalid: ${name} must be an integer`);
  return value;
}

function isFailure(value: unknown): value is TaskFailure {
  return isObject(value) && typeof value['errorCode'] === 'string';
}

function resolveInstruction(value: unknown): string | undefined | TaskFailure {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return invalidParameter('Parameter invalid: instruction must be a string');
  if (Array.from(value).length > SERVICE_MAX_INSTRUCTION_CHARS) {
    return invalidParameter(`Parameter invalid: instruction must be at most ${SERVICE_MAX_INSTRUCTION_CHARS} characters`);
  }
  return value;
}

/**
 * UNCONFIRMED in the spec (§5, from alibaba/lumenx#68): a system voice that takes instructions only in fixed forms
 * rejects any other instruction with engine error 428. Voices without forms and custom voices take any instruction.
 */
function checkInstructionForm(voice: SystemVoice | undefined, instruction: string | undefined): TaskFailure | undefined {
  if (voice === undefined || instruction === undefined || !voice.instruct || voice.instructForms.length === 0) {
    return undefined;
  }
  return matchInstruction(voice, instruction).ok ? undefined : invalidParameter(MESSAGES.engine428);
}

function checkBoolean(name: string, value: unknown): TaskFailure | undefined {
  return value === undefined || typeof value === 'boolean'
    ? undefined
    : invalidParameter(`Parameter invalid: ${name} must be a boolean`);
}

/**
 * Validates a run-task as the service does, in the order the checks are listed in the specification. `account` is
 * the account of the connection's key: custom voices work only for the account that made them.
 */
export function validateRunTask(request: RunTaskRequest, registry: VoiceRegistryView, account: string): RunTaskValidation {
  const fail = (failure: TaskFailure): RunTaskValidation => ({ ok: false, failure });
  const routing = checkRouting(request);
  if (routing !== undefined) return fail(routing);
  if (request.model === undefined) return fail(invalidParameter(MESSAGES.missingModel));
  const model = findModel(request.model);
  if (model === undefined) return fail(invalidParameter(MESSAGES.unknownModel));
  if (!isObject(request.input)) return fail(protocolViolation("Missing required parameter 'payload.input'!"));

  const p = request.parameters;
  if (param(p, 'text_type') !== 'PlainText') return fail(invalidParameter('Parameter invalid: text_type must be PlainText'));
  const voice = param(p, 'voice');
  if (typeof voice !== 'string' || voice.trim() === '') return fail(invalidParameter(MESSAGES.invalidVoice));
  const systemVoice = checkVoice(model, voice, registry, account);
  if (isFailure(systemVoice)) return fail(systemVoice);

  const format = resolveFormat(model, param(p, 'format'));
  if (isFailure(format)) return fail(format);
  const sampleRate = resolveSampleRate(format, param(p, 'sample_rate'));
  if (isFailure(sampleRate)) return fail(sampleRate);
  const volume = resolveRanged('volume', param(p, 'volume'), SERVICE_DEFAULTS.volume);
  if (isFailure(volume)) return fail(volume);
  const rate = resolveRanged('rate', param(p, 'rate'), SERVICE_DEFAULTS.rate);
  if (isFailure(rate)) return fail(rate);
  const pitch = resolveRanged('pitch', param(p, 'pitch'), SERVICE_DEFAULTS.pitch);
  if (isFailure(pitch)) return fail(pitch);
  const bitRate =
    format === 'opus' ? resolveRanged('bit_rate', param(p, 'bit_rate'), SERVICE_DEFAULTS.bitRate) : SERVICE_DEFAULTS.bitRate;
  if (isFailure(bitRate)) return fail(bitRate);
  const seed = resolveRanged('seed', param(p, 'seed'), SERVICE_DEFAULTS.seed);
  if (isFailure(seed)) return fail(seed);
  const instruction = resolveInstruction(param(p, 'instruction'));
  if (isFailure(instruction)) return fail(instruction);
  const enableSsml = param(p, 'enable_ssml');
  const ssmlType = checkBoolean('enable_ssml', enableSsml);
  if (ssmlType !== undefined) return fail(ssmlType);
  const form = checkInstructionForm(systemVoice, instruction);
  if (form !== undefined) return fail(form);

  return {
    ok: true,
    config: {
      model: model.id,
      voice,
      systemVoice,
      format,
      sampleRate,
      bitRate,
      volume,
      rate,
      pitch,
      seed,
      enableSsml: enableSsml === true,
      ssmlSupported: model.ssml !== 'no' && (systemVoice?.ssml ?? true),
      wordTimestamps:
        param(p, 'word_timestamp_enabled') === true && model.timestamps !== 'no' && (systemVoice?.timestamps ?? true),
      instruction,
    },
  };
}
