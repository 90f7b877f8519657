/**
 * Uploads a local file to the service's temporary storage (protocol.md §3.5): get an upload policy
 * (`GET /uploads?action=getPolicy&model=…`), post the file as a multipart form to the policy's upload host, and use
 * the resulting `oss://` URL. The API key goes only to the API; the storage host gets the policy's signature.
 */
import { ProtocolError, ServiceError } from '../errors.js';
import { OSS_SCHEME, UPLOADS_PATH } from './enrollment-rules.js';
import { networkFailure, withRetries, type HttpClient } from './http-client.js';

/** Time one upload may take. */
export const UPLOAD_TIMEOUT_MS = 300_000;
/** Retries of an upload after a retryable failure. */
export const UPLOAD_RETRIES = 2;

/** The fields of an upload policy cosy uses. */
export interface UploadPolicy {
  policy: string;
  signature: string;
  uploadDir: string;
  uploadHost: string;
  accessKeyId: string;
  objectAcl: string;
  forbidOverwrite: string;
  /** Largest file the policy allows, in bytes, when the service says. */
  maxBytes: number | undefined;
}

/** A file to upload. */
export interface UploadFile {
  /** Base name used in the object key. */
  name: string;
  bytes: Uint8Array;
  /** MIME type sent as `x-oss-content-type`. */
  contentType: string;
}

/** Upload settings. */
export interface UploadOptions {
  /** The model the upload is for (the storage binds files to it). */
  model: string;
  /** The fetch to use for the storage host; default the global one. */
  fetch?: typeof fetch | undefined;
  log?: ((line: string) => void) | undefined;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a getPolicy answer. protocol.md §3.5 puts the fields in `output`; the D-UPLOAD page shows them in `data`,
 * which the PY-SDK maps to `output` (preferring `output` when both are there). Either place is accepted, `output`
 * first.
 */
export function parsePolicyResponse(body: unknown): UploadPolicy {
  const fields = isObject(body) ? (isObject(body['output']) ? body['output'] : isObject(body['data']) ? body['data'] : undefined) : undefined;
  const bad = (what: string): ProtocolError =>
    new ProtocolError(`the upload policy from the service is malformed (${what})`, {
      hint: 'check --http-endpoint; if it is right, the service changed its API: please report it',
    });
  if (fields === undefined) throw bad('no data');
  const str = (key: string, required = true): string => {
    const v = fields[key];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'boolean' || typeof v === 'number') return String(v);
    if (required) throw bad(`no ${key}`);
    return '';
  };
  const host = str('upload_host');
  let parsedHost: URL;
  try {
    parsedHost = new URL(host);
  } catch {
    throw bad('upload_host is not a URL');
  }
  if (parsedHost.protocol !== 'https:' && parsedHost.protocol !== 'http:') throw bad('upload_host is not an http(s) URL');
  const maxMb = fields['max_file_size_mb'];
  return {
    policy: str('policy'),
    signature: str('signature'),
    uploadDir: str('upload_dir').replace(/\/+$/u, ''),
    uploadHost: host,
    accessKeyId: str('oss_access_key_id'),
    objectAcl: str('x_oss_object_acl', false) || 'private',
    forbidOverwrite: str('x_oss_forbid_overwrite', false) || 'true',
    maxBytes: typeof maxMb === 'number' && maxMb > 0 ? maxMb * 1024 * 1024 : undefined,
  };
}

/** Gets an upload policy for `model`. */
export async function getUploadPolicy(client: HttpClient, model: string): Promise<UploadPolicy> {
  const body = await client.request(
    { method: 'GET', path: UPLOADS_PATH, query: { action: 'getPolicy', model } },
    'the upload policy request (getPolicy)',
  );
  return parsePolicyResponse(body);
}

/** The object key of a file: the policy's folder and a safe version of the file name. */
export function objectKey(policy: UploadPolicy, fileName: string): string {
  const safe = fileName.replace(/[^A-Za-z0-9._-]+/gu, '_').replace(/^\.+/u, '') || 'audio';
  return `${policy.uploadDir}/${safe}`;
}

/** The multipart form of an upload, fields in the order the PY-SDK sends them and the file last (OSS requires it). */
export function uploadForm(policy: UploadPolicy, key: string, file: UploadFile): FormData {
  const form = new FormData();
  form.append('OSSAccessKeyId', policy.accessKeyId);
  form.append('Signature', policy.signature);
  form.append('policy', policy.policy);
  form.append('key', key);
  form.append('x-oss-object-acl', policy.objectAcl);
  form.append('x-oss-forbid-overwrite', policy.forbidOverwrite);
  form.append('success_action_status', '200');
  form.append('x-oss-content-type', file.contentType);
  form.append('file', new Blob([file.bytes], { type: file.contentType }), file.name);
  return form;
}

/** Reads `<Code>` and `<Message>` from an OSS XML error body. */
export function parseStorageError(text: string): { code: string; message: string } {
  const tag = (name: string): string => new RegExp(`<${name}>([^<]*)</${name}>`, 'u').exec(text)?.[1]?.trim() ?? '';
  return { code: tag('Code'), message: tag('Message') || text.trim().slice(0, 300) };
}

/** Posts the file to the storage host once; returns the `oss://` URL. */
async function postFile(policy: UploadPolicy, file: UploadFile, options: UploadOptions, signal: AbortSignal | undefined): Promise<string> {
  const key = objectKey(policy, file.name);
  const timeout = AbortSignal.timeout(UPLOAD_TIMEOUT_MS);
  options.log?.(`POST ${policy.uploadHost} (${file.bytes.length} bytes as ${key})`);
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(policy.uploadHost, {
      method: 'POST',
      body: uploadForm(policy, key, file),
      signal: signal !== undefined ? AbortSignal.any([signal, timeout]) : timeout,
    });
    text = await response.text();
  } catch (err) {
    throw networkFailure(err, policy.uploadHost, UPLOAD_TIMEOUT_MS, timeout, signal);
  }
  if (response.status !== 200 && response.status !== 204) {
    const { code, message } = parseStorageError(text);
    throw new ServiceError(code, message, {
      status: response.status,
      message: `the temporary storage refused the upload (${response.status}): ${[code, message].filter((s) => s).join(': ')}`,
    });
  }
  return `${OSS_SCHEME}${key}`;
}

/**
 * Uploads a file to the temporary storage and returns its `oss://` URL. Requests that use the URL must carry the
 * resolve header (see enrollment-api.ts). A fresh policy is fetched for every upload.
 */
export async function uploadToTemporaryStorage(client: HttpClient, file: UploadFile, options: UploadOptions): Promise<string> {
  const policy = await getUploadPolicy(client, options.model);
  if (policy.maxBytes !== undefined && file.bytes.length > policy.maxBytes) {
    throw new ServiceError('EntityTooLarge', `the file is larger than the ${policy.maxBytes / 1024 / 1024} MB the storage accepts`);
  }
  return withRetries(() => postFile(policy, file, options, client.signal), {
    retries: UPLOAD_RETRIES,
    signal: client.signal,
    log: options.log,
  });
}
