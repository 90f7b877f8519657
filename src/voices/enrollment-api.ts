/**
 * The voice enrollment API (protocol.md §3.2): create (clone, design), list (every page), query, update and delete
 * custom voices. Requests are built exactly as the service documents them; responses are parsed and checked here,
 * at the edge, so the rest of cosy works with typed records.
 */
import { ProtocolError } from '../errors.js';
import { isAudioFormat, type AudioFormat } from '../protocol/limits.js';
import { customVoiceTargetModel } from './instructions.js';
import {
  DEFAULT_PAGE_SIZE,
  ENROLLMENT_MODEL,
  ENROLLMENT_PATH,
  OSS_RESOLVE_ENABLE,
  OSS_RESOLVE_HEADER,
  OSS_SCHEME,
} from './enrollment-rules.js';
import type { HttpClient } from './http-client.js';

/** One entry of list_voice. */
export interface CustomVoiceSummary {
  voiceId: string;
  /** DEPLOYING, OK or UNDEPLOYED (kept as sent, should the service add statuses). */
  status: string;
  gmtCreate: string | undefined;
  gmtModified: string | undefined;
  /** The target model, from the response or else from the voice id. */
  targetModel: string | undefined;
}

/** The query_voice record of a cloned or designed voice. */
export interface CustomVoiceDetails extends CustomVoiceSummary {
  /** `design` when the record has a voice prompt or the id has the `-vd-` form, else `clone`. */
  kind: 'clone' | 'design';
  /** Source audio URL of a cloned voice. */
  resourceLink: string | undefined;
  /** The description of a designed voice. */
  voicePrompt: string | undefined;
  /** The preview text of a designed voice. */
  previewText: string | undefined;
}

/** A designed voice and its preview audio. */
export interface DesignedVoice {
  voiceId: string;
  targetModel: string;
  /** Decoded preview audio. */
  audio: Buffer;
  sampleRate: number;
  format: AudioFormat;
}

/** What create_voice needs to clone a voice. */
export interface CloneRequest {
  targetModel: string;
  prefix: string;
  /** `https://…` or an `oss://…` URL from the temporary storage. */
  url: string;
  /** Language of the sample audio (only the first hint is used by the service). */
  language?: string | undefined;
}

/** What create_voice needs to design a voice. */
export interface DesignRequest {
  targetModel: string;
  prefix: string;
  voicePrompt: string;
  previewText: string;
  language?: string | undefined;
  sampleRate: number;
  format: AudioFormat;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(what: string): ProtocolError {
  return new ProtocolError(`the service's answer to ${what} is malformed`, {
    hint: 'check --http-endpoint; if it is right, the service changed its API: please report it',
  });
}

/** `body.output`, or a ProtocolError. */
function outputOf(body: unknown, what: string): Json {
  if (!isObject(body) || !isObject(body['output'])) throw malformed(what);
  return body['output'];
}

function optionalString(o: Json, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

function requiredString(o: Json, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw malformed(`${what} (no ${key})`);
  return v;
}

/** The enrollment request body: `{model, input}` plus `parameters` when given. */
export function enrollmentBody(input: Json, parameters?: Json): Json {
  return parameters === undefined ? { model: ENROLLMENT_MODEL, input } : { model: ENROLLMENT_MODEL, input, parameters };
}

/** The headers an enrollment request needs: the resolve header when it references an `oss://` URL. */
export function enrollmentHeaders(url: string | undefined): Record<string, string> | undefined {
  return url?.startsWith(OSS_SCHEME) ? { [OSS_RESOLVE_HEADER]: OSS_RESOLVE_ENABLE } : undefined;
}

/** Reads `output.voice_id` of a create_voice answer. */
export function parseCreateResponse(body: unknown): string {
  return requiredString(outputOf(body, 'create_voice'), 'voice_id', 'create_voice');
}

/** Reads a design create_voice answer: voice id, target model and the base64 preview audio. */
export function parseDesignResponse(body: unknown, request: Pick<DesignRequest, 'targetModel' | 'sampleRate' | 'format'>): DesignedVoice {
  const output = outputOf(body, 'create_voice');
  const voiceId = requiredString(output, 'voice_id', 'create_voice');
  const preview = output['preview_audio'];
  if (!isObject(preview)) throw malformed('create_voice (no preview_audio)');
  const data = requiredString(preview, 'data', 'create_voice preview_audio');
  if (!/^[A-Za-z0-9+/=\s]*$/u.test(data)) throw malformed('create_voice (preview_audio.data is not base64)');
  const format = optionalString(preview, 'response_format')?.toLowerCase();
  const rate = preview['sample_rate'];
  return {
    voiceId,
    targetModel: optionalString(output, 'target_model') ?? request.targetModel,
    audio: Buffer.from(data, 'base64'),
    sampleRate: typeof rate === 'number' && Number.isInteger(rate) && rate > 0 ? rate : request.sampleRate,
    format: format !== undefined && isAudioFormat(format) ? format : request.format,
  };
}

function summaryOf(o: Json, what: string, voiceId?: string): CustomVoiceSummary {
  const id = voiceId ?? requiredString(o, 'voice_id', what);
  return {
    voiceId: id,
    status: requiredString(o, 'status', what),
    gmtCreate: optionalString(o, 'gmt_create'),
    gmtModified: optionalString(o, 'gmt_modified'),
    targetModel: optionalString(o, 'target_model') ?? customVoiceTargetModel(id)?.targetModel,
  };
}

/** Reads one list_voice page: `output.voice_list[]`. */
export function parseListResponse(body: unknown): CustomVoiceSummary[] {
  const list = outputOf(body, 'list_voice')['voice_list'];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw malformed('list_voice (voice_list is not a list)');
  return list.map((entry: unknown) => {
    if (!isObject(entry)) throw malformed('list_voice (an entry is not an object)');
    return summaryOf(entry, 'list_voice');
  });
}

/** Reads a query_voice answer (the cloned record has no voice_id, so the asked id is used). */
export function parseQueryResponse(body: unknown, voiceId: string): CustomVoiceDetails {
  const output = outputOf(body, 'query_voice');
  const summary = summaryOf(output, 'query_voice', optionalString(output, 'voice_id') ?? voiceId);
  const voicePrompt = optionalString(output, 'voice_prompt');
  const designed = voicePrompt !== undefined || customVoiceTargetModel(summary.voiceId)?.designed === true;
  return {
    ...summary,
    kind: designed ? 'design' : 'clone',
    resourceLink: optionalString(output, 'resource_link'),
    voicePrompt,
    previewText: optionalString(output, 'preview_text'),
  };
}

/** Clones a voice from audio at a URL; returns the new voice id (the voice starts DEPLOYING). */
export async function createCloneVoice(client: HttpClient, request: CloneRequest): Promise<string> {
  const input: Json = { action: 'create_voice', target_model: request.targetModel, prefix: request.prefix, url: request.url };
  if (request.language !== undefined) input['language_hints'] = [request.language];
  const body = await client.request(
    { method: 'POST', path: ENROLLMENT_PATH, body: enrollmentBody(input), headers: enrollmentHeaders(request.url) },
    'the new voice (create_voice)',
  );
  return parseCreateResponse(body);
}

/** Designs a voice from a description; returns its id and the preview audio. */
export async function createDesignVoice(client: HttpClient, request: DesignRequest): Promise<DesignedVoice> {
  const input: Json = {
    action: 'create_voice',
    target_model: request.targetModel,
    prefix: request.prefix,
    voice_prompt: request.voicePrompt,
    preview_text: request.previewText,
  };
  if (request.language !== undefined) input['language_hints'] = [request.language];
  const parameters: Json = { sample_rate: request.sampleRate, response_format: request.format };
  const body = await client.request(
    { method: 'POST', path: ENROLLMENT_PATH, body: enrollmentBody(input, parameters) },
    'the voice design (create_voice)',
  );
  return parseDesignResponse(body, request);
}

/** One page of the account's custom voices (page_index from 0). */
export async function listVoicePage(
  client: HttpClient,
  page: { prefix?: string | undefined; pageIndex: number; pageSize: number },
): Promise<CustomVoiceSummary[]> {
  const input: Json = { action: 'list_voice', page_index: page.pageIndex, page_size: page.pageSize };
  if (page.prefix !== undefined) input['prefix'] = page.prefix;
  const body = await client.request({ method: 'POST', path: ENROLLMENT_PATH, body: enrollmentBody(input) }, 'the voice list (list_voice)');
  return parseListResponse(body);
}

/** Largest number of pages listVoices reads before assuming the service ignores paging. */
export const MAX_LIST_PAGES = 1000;

/**
 * Every custom voice of the account (optionally with a prefix), reading page after page until a page is short
 * (the service does not say how many there are). A page that repeats the previous one ends the listing.
 */
export async function listVoices(
  client: HttpClient,
  options: { prefix?: string | undefined; pageSize?: number | undefined; onPage?: (index: number) => void } = {},
): Promise<CustomVoiceSummary[]> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const all: CustomVoiceSummary[] = [];
  const seen = new Set<string>();
  for (let pageIndex = 0; pageIndex < MAX_LIST_PAGES; pageIndex++) {
    options.onPage?.(pageIndex);
    const page = await listVoicePage(client, { prefix: options.prefix, pageIndex, pageSize });
    const fresh = page.filter((v) => !seen.has(v.voiceId));
    for (const v of fresh) seen.add(v.voiceId);
    all.push(...fresh);
    if (page.length < pageSize || fresh.length === 0) break;
  }
  return all;
}

/** The record of one custom voice. */
export async function queryVoice(client: HttpClient, voiceId: string): Promise<CustomVoiceDetails> {
  const body = await client.request(
    { method: 'POST', path: ENROLLMENT_PATH, body: enrollmentBody({ action: 'query_voice', voice_id: voiceId }) },
    `voice ${voiceId} (query_voice)`,
  );
  return parseQueryResponse(body, voiceId);
}

/** Re-clones a voice from new audio (it goes back to DEPLOYING). */
export async function updateVoice(client: HttpClient, voiceId: string, url: string): Promise<void> {
  await client.request(
    {
      method: 'POST',
      path: ENROLLMENT_PATH,
      body: enrollmentBody({ action: 'update_voice', voice_id: voiceId, url }),
      headers: enrollmentHeaders(url),
    },
    `the update of voice ${voiceId} (update_voice)`,
  );
}

/** Deletes a custom voice. */
export async function deleteVoice(client: HttpClient, voiceId: string): Promise<void> {
  await client.request(
    { method: 'POST', path: ENROLLMENT_PATH, body: enrollmentBody({ action: 'delete_voice', voice_id: voiceId }) },
    `the deletion of voice ${voiceId} (delete_voice)`,
  );
}
