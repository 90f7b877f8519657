/**
 * The five actions of the voice enrollment API as the emulator performs them (protocol.md §3.2): create_voice
 * (cloning from a URL, or design from a description with preview audio), list_voice with paging, query_voice,
 * update_voice and delete_voice. Each returns the status and body to send (the route adds the request id).
 * Error messages the specification does not quote are our wording, always with the service's codes.
 */
import { isAudioFormat, isSupportedSampleRate, LANGUAGE_HINTS, sampleRatesFor } from '../protocol/limits.js';
import {
  charCount,
  DEFAULT_PAGE_SIZE,
  DESIGN_LANGUAGES,
  enrollmentTarget,
  isChineseOrEnglish,
  MAX_PREVIEW_TEXT_CHARS,
  MAX_VOICE_PROMPT_CHARS,
  OSS_RESOLVE_HEADER,
  OSS_SCHEME,
  PREFIX_PATTERN,
} from '../voices/enrollment-rules.js';
import { judgeCloneAudio, type CloneAudioSource } from './clone-audio.js';
import { formatServiceTime, type CustomVoiceRecord, type CustomVoiceStore } from './custom-voices.js';
import { renderPreview } from './design-preview.js';
import type { TemporaryStorage } from './temporary-storage.js';

/** What the actions work on. */
export interface EnrollmentState {
  voices: CustomVoiceStore;
  storage: TemporaryStorage;
  /** Audio whose URL or bytes contain this ends UNDEPLOYED; empty turns it off. */
  rejectMarker: string;
  /** Preview audio length per counted character. */
  msPerCharacter: number;
}

/** One enrollment call: the caller's key, the request's input and parameters, and the resolve header. */
export interface EnrollmentCall {
  owner: string;
  input: Record<string, unknown>;
  parameters: Record<string, unknown>;
  /** Whether `X-DashScope-OssResourceResolve: enable` was sent. */
  ossResolve: boolean;
}

/** The answer of an action, without the request id. */
export interface ActionResult {
  status: number;
  body: Record<string, unknown>;
}

/** Sample rate of design previews when none is asked for (the documented sample's value). */
export const DEFAULT_PREVIEW_SAMPLE_RATE = 24_000;
/** Format of design previews when none is asked for (the documented sample's value). */
export const DEFAULT_PREVIEW_FORMAT = 'wav';

/** Status of every parameter error. */
const BAD_REQUEST = 400;

function invalid(message: string, code = 'InvalidParameter'): ActionResult {
  return { status: BAD_REQUEST, body: { code, message } };
}

function ok(output: Record<string, unknown>, usage: Record<string, unknown> = {}): ActionResult {
  return { status: 200, body: { output, usage } };
}

function isResult(value: unknown): value is ActionResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

/** A required non-empty string field of `input`, or the error naming it. */
function requiredString(input: Record<string, unknown>, key: string): string | ActionResult {
  const value = input[key];
  if (value === undefined || value === null || value === '') return invalid(`Missing required parameter '${key}'.`);
  if (typeof value !== 'string') return invalid(`Invalid parameter '${key}': must be a string.`);
  return value;
}

/** The first language hint, undefined when none, or the error. */
function languageHint(input: Record<string, unknown>, allowed: readonly string[]): string | undefined | ActionResult {
  const hints = input['language_hints'];
  if (hints === undefined || hints === null) return undefined;
  if (!Array.isArray(hints) || !hints.every((h) => typeof h === 'string')) {
    return invalid("Invalid parameter 'language_hints': must be a list of language codes.");
  }
  const first = hints[0] as string | undefined;
  if (first === undefined) return undefined;
  if (!allowed.includes(first)) return invalid(`Invalid parameter 'language_hints': ${first} is not one of ${allowed.join(', ')}.`);
  return first;
}

/** The prefix, or the error. */
function checkedPrefix(input: Record<string, unknown>): string | ActionResult {
  const prefix = requiredString(input, 'prefix');
  if (isResult(prefix)) return prefix;
  if (!PREFIX_PATTERN.test(prefix)) {
    return invalid("Invalid parameter 'prefix': use only digits and lowercase letters, fewer than 10 characters.");
  }
  return prefix;
}

/** The cloning audio behind a URL, or the error: `oss://` needs the resolve header and a file of this account. */
function audioSource(url: string, call: EnrollmentCall, state: EnrollmentState): CloneAudioSource | ActionResult {
  if (url.startsWith(OSS_SCHEME)) {
    if (!call.ossResolve) {
      return invalid(`Invalid parameter 'url': ${url} cannot be downloaded; oss:// resources need the ${OSS_RESOLVE_HEADER}: enable header.`);
    }
    const file = state.storage.resolve(url, call.owner);
    if (file === undefined) return invalid(`Invalid parameter 'url': the file ${url} does not exist or has expired.`);
    return { url, bytes: file.bytes, contentType: file.contentType };
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    return invalid("Invalid parameter 'url': must be a publicly reachable http(s) URL.");
  }
  return { url };
}

/** Judges the audio of a clone or update; the voice's final status, or the error to answer. */
async function cloneOutcome(url: string, call: EnrollmentCall, state: EnrollmentState): Promise<'OK' | 'UNDEPLOYED' | ActionResult> {
  const source = audioSource(url, call, state);
  if (isResult(source)) return source;
  const judged = await judgeCloneAudio(source, state.rejectMarker);
  return judged.ok ? judged.outcome : invalid(judged.message, judged.code);
}

async function createClone(call: EnrollmentCall, state: EnrollmentState, targetModel: string, prefix: string): Promise<ActionResult> {
  if (enrollmentTarget(targetModel, 'clone') === undefined) {
    return invalid(`Invalid parameter 'target_model': ${targetModel} does not support voice cloning.`);
  }
  const url = requiredString(call.input, 'url');
  if (isResult(url)) return url;
  const language = languageHint(call.input, LANGUAGE_HINTS);
  if (isResult(language)) return language;
  const outcome = await cloneOutcome(url, call, state);
  if (isResult(outcome)) return outcome;
  const record = state.voices.create({ kind: 'clone', targetModel, prefix, owner: call.owner, resourceLink: url, outcome });
  return ok({ voice_id: record.voiceId }, { count: 1 });
}

/** A design text field: present, within `max` characters, Chinese or English. */
function designText(input: Record<string, unknown>, key: string, max: number): string | ActionResult {
  const text = requiredString(input, key);
  if (isResult(text)) return text;
  if (charCount(text) > max) return invalid(`Invalid parameter '${key}': at most ${max} characters are allowed.`);
  if (!isChineseOrEnglish(text)) return invalid(`Invalid parameter '${key}': only Chinese and English are supported.`);
  return text;
}

function createDesign(call: EnrollmentCall, state: EnrollmentState, targetModel: string, prefix: string): ActionResult {
  if (enrollmentTarget(targetModel, 'design') === undefined) {
    return invalid(`Invalid parameter 'target_model': ${targetModel} does not support voice design.`);
  }
  const prompt = designText(call.input, 'voice_prompt', MAX_VOICE_PROMPT_CHARS);
  if (isResult(prompt)) return prompt;
  const previewText = designText(call.input, 'preview_text', MAX_PREVIEW_TEXT_CHARS);
  if (isResult(previewText)) return previewText;
  const language = languageHint(call.input, DESIGN_LANGUAGES);
  if (isResult(language)) return language;
  const format = call.parameters['response_format'] ?? DEFAULT_PREVIEW_FORMAT;
  if (typeof format !== 'string' || !isAudioFormat(format)) {
    return invalid("Invalid parameter 'response_format': must be one of pcm, wav, mp3, opus.");
  }
  const sampleRate = call.parameters['sample_rate'] ?? DEFAULT_PREVIEW_SAMPLE_RATE;
  if (typeof sampleRate !== 'number' || !isSupportedSampleRate(format, sampleRate)) {
    return invalid(`Invalid parameter 'sample_rate': must be one of ${sampleRatesFor(format).join(', ')} for ${format}.`);
  }
  const audio = renderPreview(previewText, format, sampleRate, state.msPerCharacter);
  // A designed voice is usable at once: its preview was just synthesised with it (our reading; UNCONFIRMED).
  const record = state.voices.create({
    kind: 'design',
    targetModel,
    prefix,
    owner: call.owner,
    voicePrompt: prompt,
    previewText,
    outcome: 'OK',
    immediate: true,
  });
  return ok(
    {
      voice_id: record.voiceId,
      preview_audio: { data: audio.toString('base64'), sample_rate: sampleRate, response_format: format },
      target_model: targetModel,
    },
    { count: 1 },
  );
}

/** create_voice: a design when `voice_prompt` is given, else a clone from `url`. */
export async function createVoice(call: EnrollmentCall, state: EnrollmentState): Promise<ActionResult> {
  const targetModel = requiredString(call.input, 'target_model');
  if (isResult(targetModel)) return targetModel;
  const prefix = checkedPrefix(call.input);
  if (isResult(prefix)) return prefix;
  const designed = call.input['voice_prompt'] !== undefined && call.input['voice_prompt'] !== null;
  if (designed && call.input['url'] !== undefined) return invalid("Parameters 'url' and 'voice_prompt' cannot be used together.");
  return designed ? createDesign(call, state, targetModel, prefix) : createClone(call, state, targetModel, prefix);
}

/** A non-negative (or, with `min` 1, positive) integer paging field. */
function pagingField(input: Record<string, unknown>, key: string, fallback: number, min: number): number | ActionResult {
  const value = input[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    return invalid(`Invalid parameter '${key}': must be an integer of at least ${min}.`);
  }
  return value;
}

/** list_voice: one page of the caller's voices, newest first, optionally with one prefix. */
export function listVoice(call: EnrollmentCall, state: EnrollmentState): ActionResult {
  const prefix = call.input['prefix'];
  if (prefix !== undefined && prefix !== null && typeof prefix !== 'string') return invalid("Invalid parameter 'prefix': must be a string.");
  const pageIndex = pagingField(call.input, 'page_index', 0, 0);
  if (isResult(pageIndex)) return pageIndex;
  const pageSize = pagingField(call.input, 'page_size', DEFAULT_PAGE_SIZE, 1);
  if (isResult(pageSize)) return pageSize;
  const all = state.voices.list(call.owner, typeof prefix === 'string' && prefix !== '' ? prefix : undefined);
  const page = all.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize);
  return ok({
    voice_list: page.map((r) => ({
      voice_id: r.voiceId,
      gmt_create: formatServiceTime(r.createdAt),
      gmt_modified: formatServiceTime(r.modifiedAt),
      status: r.entry.status,
    })),
  });
}

/** The caller's voice named by `input.voice_id`, or the error. */
function ownVoice(call: EnrollmentCall, state: EnrollmentState): CustomVoiceRecord | ActionResult {
  const voiceId = requiredString(call.input, 'voice_id');
  if (isResult(voiceId)) return voiceId;
  return state.voices.get(voiceId, call.owner) ?? invalid(`Invalid parameter 'voice_id': voice ${voiceId} does not exist.`);
}

/** query_voice: the record of a cloned or designed voice, in the shape of each kind. */
export function queryVoice(call: EnrollmentCall, state: EnrollmentState): ActionResult {
  const record = ownVoice(call, state);
  if (isResult(record)) return record;
  const times = { gmt_create: formatServiceTime(record.createdAt), gmt_modified: formatServiceTime(record.modifiedAt) };
  if (record.kind === 'design') {
    return ok({
      voice_id: record.voiceId,
      ...times,
      target_model: record.targetModel,
      status: record.entry.status,
      voice_prompt: record.voicePrompt,
      preview_text: record.previewText,
    });
  }
  return ok({ ...times, resource_link: record.resourceLink, target_model: record.targetModel, status: record.entry.status });
}

/** update_voice: re-clones a cloned voice from new audio. */
export async function updateVoice(call: EnrollmentCall, state: EnrollmentState): Promise<ActionResult> {
  const record = ownVoice(call, state);
  if (isResult(record)) return record;
  if (record.kind === 'design') return invalid(`Invalid parameter 'voice_id': ${record.voiceId} is a designed voice and cannot be updated from audio.`);
  const url = requiredString(call.input, 'url');
  if (isResult(url)) return url;
  const outcome = await cloneOutcome(url, call, state);
  if (isResult(outcome)) return outcome;
  state.voices.update(record, url, outcome);
  return ok({});
}

/** delete_voice: removes a voice of the caller. */
export function deleteVoice(call: EnrollmentCall, state: EnrollmentState): ActionResult {
  const record = ownVoice(call, state);
  if (isResult(record)) return record;
  state.voices.delete(record);
  return ok({});
}
