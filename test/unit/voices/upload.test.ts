import { describe, expect, it } from 'vitest';
import { ProtocolError, ServiceError } from '../../../src/errors.js';
import { HttpClient } from '../../../src/voices/http-client.js';
import { objectKey, parsePolicyResponse, parseStorageError, uploadForm, uploadToTemporaryStorage, type UploadPolicy } from '../../../src/voices/upload.js';

const FIELDS = {
  policy: 'cG9saWN5',
  signature: 'c2ln',
  upload_dir: 'dashscope-instant/abc/2026-01-01/xyz',
  upload_host: 'https://bucket.oss.example',
  expire_in_seconds: 300,
  max_file_size_mb: 100,
  oss_access_key_id: 'LTAIkey',
  x_oss_object_acl: 'private',
  x_oss_forbid_overwrite: 'true',
};

const POLICY: UploadPolicy = {
  policy: 'cG9saWN5',
  signature: 'c2ln',
  uploadDir: 'dashscope-instant/abc/2026-01-01/xyz',
  uploadHost: 'https://bucket.oss.example',
  accessKeyId: 'LTAIkey',
  objectAcl: 'private',
  forbidOverwrite: 'true',
  maxBytes: 100 * 1024 * 1024,
};

describe('parsePolicyResponse', () => {
  it('reads the fields from data (the documented body) or output', () => {
    expect(parsePolicyResponse({ request_id: 'r', data: FIELDS })).toEqual(POLICY);
    expect(parsePolicyResponse({ output: FIELDS })).toEqual(POLICY);
  });

  it('defaults the acl and overwrite fields and accepts a boolean overwrite flag', () => {
    const { x_oss_object_acl: _acl, ...rest } = FIELDS;
    expect(parsePolicyResponse({ data: { ...rest, x_oss_forbid_overwrite: true } })).toMatchObject({ objectAcl: 'private', forbidOverwrite: 'true' });
  });

  it.each([
    [{}, /no data/],
    [{ data: { ...FIELDS, policy: '' } }, /no policy/],
    [{ data: { ...FIELDS, upload_host: 'ftp://x' } }, /not an http/],
    [{ data: { ...FIELDS, upload_host: 'nope' } }, /not a URL/],
  ])('refuses %j', (body, message) => {
    expect(() => parsePolicyResponse(body)).toThrow(ProtocolError);
    expect(() => parsePolicyResponse(body)).toThrow(message);
  });
});

describe('the form', () => {
  it('keys the file below the policy folder with a safe name', () => {
    expect(objectKey(POLICY, 'my sample (1).wav')).toBe('dashscope-instant/abc/2026-01-01/xyz/my_sample_1_.wav');
    expect(objectKey(POLICY, '..')).toBe('dashscope-instant/abc/2026-01-01/xyz/audio');
  });

  it('sends the fields in the PY-SDK order with the file last', () => {
    const form = uploadForm(POLICY, 'k/a.wav', { name: 'a.wav', bytes: new Uint8Array([1, 2]), contentType: 'audio/wav' });
    expect([...form.keys()]).toEqual([
      'OSSAccessKeyId',
      'Signature',
      'policy',
      'key',
      'x-oss-object-acl',
      'x-oss-forbid-overwrite',
      'success_action_status',
      'x-oss-content-type',
      'file',
    ]);
    expect(form.get('success_action_status')).toBe('200');
    expect(form.get('x-oss-content-type')).toBe('audio/wav');
  });

  it('reads OSS XML errors', () => {
    expect(parseStorageError('<Error><Code>AccessDenied</Code><Message>Policy expired.</Message></Error>')).toEqual({ code: 'AccessDenied', message: 'Policy expired.' });
    expect(parseStorageError('oops')).toEqual({ code: '', message: 'oops' });
  });
});

describe('uploadToTemporaryStorage', () => {
  function fakes(storage: Response) {
    const seen: Array<{ url: string; headers: unknown; body: unknown }> = [];
    const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(url), headers: init?.headers, body: init?.body });
      if (String(url).includes('/uploads')) return new Response(JSON.stringify({ data: FIELDS }), { status: 200 });
      return storage;
    }) as typeof fetch;
    const client = new HttpClient({ baseUrl: 'https://api.example/api/v1', apiKey: 'sk-secret', userAgent: 'u', fetch: fetchImpl });
    return { client, fetchImpl, seen };
  }

  it('returns the oss:// URL and never sends the API key to the storage host', async () => {
    const { client, fetchImpl, seen } = fakes(new Response('', { status: 200 }));
    const url = await uploadToTemporaryStorage(client, { name: 'a.wav', bytes: new Uint8Array([1]), contentType: 'audio/wav' }, { model: 'voice-enrollment', fetch: fetchImpl });
    expect(url).toBe('oss://dashscope-instant/abc/2026-01-01/xyz/a.wav');
    expect(seen[0]?.url).toBe('https://api.example/api/v1/uploads?action=getPolicy&model=voice-enrollment');
    expect(seen[1]?.url).toBe('https://bucket.oss.example');
    expect(JSON.stringify(seen[1]?.headers ?? {})).not.toContain('sk-secret');
  });

  it('turns a storage refusal into a ServiceError with its code', async () => {
    const { client, fetchImpl } = fakes(new Response('<Error><Code>AccessDenied</Code><Message>nope</Message></Error>', { status: 403 }));
    const err = await uploadToTemporaryStorage(client, { name: 'a.wav', bytes: new Uint8Array([1]), contentType: 'audio/wav' }, { model: 'm', fetch: fetchImpl }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).message).toBe('the temporary storage refused the upload (403): AccessDenied: nope');
  });
});
