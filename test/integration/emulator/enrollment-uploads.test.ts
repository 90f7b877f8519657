/**
 * The emulator's temporary storage: the getPolicy endpoint, the OSS-style form upload (with its XML errors), and
 * cloning from `oss://` URLs, including the audio checks done on uploaded bytes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../src/emulator/server.js';
import { HttpClient } from '../../../src/voices/http-client.js';
import { getUploadPolicy, uploadForm, uploadToTemporaryStorage, type UploadPolicy } from '../../../src/voices/upload.js';
import { mp3Bytes, wavBytes } from '../../helpers/audio-files.js';
import { TEST_KEY } from './client.js';

let emulator: RunningEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  emulator = await startEmulator({ voiceReadyMs: 30, ...options });
  return emulator;
}

function clientFor(emu: RunningEmulator, key = TEST_KEY): HttpClient {
  return new HttpClient({ baseUrl: emu.httpUrl, apiKey: key, userAgent: 'cosy-test', retries: 0 });
}

/** Uploads bytes as the PY-SDK would and returns the oss:// URL. */
async function upload(emu: RunningEmulator, bytes: Buffer, name = 'sample.wav', key = TEST_KEY, contentType = 'audio/wav'): Promise<string> {
  return uploadToTemporaryStorage(clientFor(emu, key), { name, bytes, contentType }, { model: 'voice-enrollment' });
}

/** Clones from `url` with the resolve header; returns status and body. */
async function cloneFrom(emu: RunningEmulator, url: string, key = TEST_KEY): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.httpUrl}/services/audio/tts/customization`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'X-DashScope-OssResourceResolve': 'enable' },
    body: JSON.stringify({ model: 'voice-enrollment', input: { action: 'create_voice', target_model: 'cosyvoice-v3-flash', prefix: 'up', url } }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function statusOf(emu: RunningEmulator, voiceId: string): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 60));
  return emu.voices.get(voiceId)?.status ?? 'missing';
}

describe('getPolicy', () => {
  it('answers the documented fields under output (protocol.md) and data (the upload page, PY-SDK), with a request id', async () => {
    const emu = await start();
    const res = await fetch(`${emu.httpUrl}/uploads?action=getPolicy&model=voice-enrollment`, { headers: { Authorization: `Bearer ${TEST_KEY}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { request_id: string; output: Record<string, unknown>; data: Record<string, unknown> };
    expect(body.request_id).toEqual(expect.any(String));
    expect(body.output).toEqual(body.data);
    expect(body.output).toMatchObject({
      policy: expect.any(String),
      signature: expect.any(String),
      upload_dir: expect.stringMatching(/^dashscope-instant\//),
      upload_host: `http://127.0.0.1:${emu.port}/oss`,
      expire_in_seconds: 300,
      max_file_size_mb: 100,
      oss_access_key_id: expect.any(String),
      x_oss_object_acl: 'private',
      x_oss_forbid_overwrite: 'true',
    });
  });

  it.each([
    ['no key', undefined, 'action=getPolicy&model=m', 401, 'InvalidApiKey'],
    ['no action', TEST_KEY, 'model=m', 400, 'InvalidParameter'],
    ['another action', TEST_KEY, 'action=list&model=m', 400, 'InvalidParameter'],
    ['no model', TEST_KEY, 'action=getPolicy', 400, 'InvalidParameter'],
  ])('refuses %s', async (_name, key, query, status, code) => {
    const emu = await start();
    const res = await fetch(`${emu.httpUrl}/uploads?${query}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code, request_id: expect.any(String) });
  });
});

describe('form upload', () => {
  /** Posts a form built from a policy with some fields changed. */
  async function post(emu: RunningEmulator, change: (form: FormData, policy: UploadPolicy) => FormData | string): Promise<{ status: number; text: string }> {
    const policy = await getUploadPolicy(clientFor(emu), 'voice-enrollment');
    const form = uploadForm(policy, `${policy.uploadDir}/a.wav`, { name: 'a.wav', bytes: wavBytes({ seconds: 1 }), contentType: 'audio/wav' });
    const body = change(form, policy);
    const res = await fetch(policy.uploadHost, { method: 'POST', body, headers: typeof body === 'string' ? { 'content-type': 'text/plain' } : {} });
    return { status: res.status, text: await res.text() };
  }

  it('stores a file and answers the success_action_status with an empty body', async () => {
    const emu = await start();
    const r = await post(emu, (form) => form);
    expect(r).toEqual({ status: 200, text: '' });
  });

  it.each([
    ['a wrong signature', (f: FormData) => (f.set('Signature', 'AAAA'), f), 403, 'SignatureDoesNotMatch'],
    ['a wrong access key id', (f: FormData) => (f.set('OSSAccessKeyId', 'LTAIother'), f), 403, 'InvalidAccessKeyId'],
    ['a key outside the policy folder', (f: FormData) => (f.set('key', 'elsewhere/a.wav'), f), 403, 'AccessDenied'],
    ['no key', (f: FormData) => (f.delete('key'), f), 400, 'InvalidArgument'],
    ['a body that is not a form', () => 'hello', 400, 'MalformedPOSTRequest'],
  ] as const)('answers %s with an OSS XML error', async (_name, change, status, code) => {
    const emu = await start();
    const r = await post(emu, change);
    expect(r.status).toBe(status);
    expect(r.text).toContain(`<Code>${code}</Code>`);
    expect(r.text).toMatch(/<RequestId>[0-9A-F]+<\/RequestId>/);
  });

  it('ignores fields after the file, as OSS does', async () => {
    const emu = await start();
    const r = await post(emu, (form, policy) => {
      const late = new FormData();
      late.append('file', new Blob([wavBytes({ seconds: 1 })]), 'a.wav');
      late.append('key', `${policy.uploadDir}/a.wav`);
      for (const [k, v] of form.entries()) if (k !== 'file' && k !== 'key') late.append(k, v);
      return late;
    });
    expect(r.status).toBe(400);
    expect(r.text).toContain("field named 'key'");
  });

  it('refuses to overwrite a stored file (x-oss-forbid-overwrite)', async () => {
    const emu = await start();
    const policy = await getUploadPolicy(clientFor(emu), 'voice-enrollment');
    const send = (): Promise<Response> =>
      fetch(policy.uploadHost, {
        method: 'POST',
        body: uploadForm(policy, `${policy.uploadDir}/same.wav`, { name: 'same.wav', bytes: wavBytes({ seconds: 1 }), contentType: 'audio/wav' }),
      });
    expect((await send()).status).toBe(200);
    const second = await send();
    expect(second.status).toBe(409);
    expect(await second.text()).toContain('<Code>FileAlreadyExists</Code>');
  });
});

describe('cloning from oss:// URLs', () => {
  it('clones from an uploaded WAV or MP3 with the resolve header', async () => {
    const emu = await start();
    for (const [bytes, name, type] of [
      [wavBytes({ seconds: 12 }), 'a.wav', 'audio/wav'],
      [mp3Bytes(12), 'b.mp3', 'audio/mpeg'],
    ] as const) {
      const url = await upload(emu, bytes, name, TEST_KEY, type);
      expect(url).toMatch(/^oss:\/\/dashscope-instant\/.+\/[ab]\.(wav|mp3)$/);
      const r = await cloneFrom(emu, url);
      expect(r.status).toBe(200);
      expect(await statusOf(emu, (r.body['output'] as { voice_id: string }).voice_id)).toBe('OK');
    }
  });

  it.each([
    ['bytes that are not audio', Buffer.from('not audio at all, just text'.repeat(100)), 'Audio.DecoderError'],
    ['8-bit WAV', wavBytes({ seconds: 12, bitsPerSample: 8 }), 'Audio.DecoderError'],
    ['8 kHz audio', wavBytes({ seconds: 12, sampleRate: 8000 }), 'Audio.AudioRateError'],
    ['digital silence', wavBytes({ seconds: 12, silent: true }), 'Audio.AudioSilentError'],
    ['more than 10 MB', wavBytes({ seconds: 330, sampleRate: 16000 }), 'Audio.FileSizeExceed'],
  ])('fails create_voice at once for %s', async (_name, bytes, code) => {
    const emu = await start();
    const r = await cloneFrom(emu, await upload(emu, bytes));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code, message: expect.any(String), request_id: expect.any(String) });
  });

  it.each([
    ['shorter than 5 s', wavBytes({ seconds: 3 })],
    ['longer than 60 s', wavBytes({ seconds: 70 })],
    ['carrying the reject marker', wavBytes({ seconds: 12, trailer: 'cosy-reject-audio' })],
  ])('accepts audio %s and ends UNDEPLOYED', async (_name, bytes) => {
    const emu = await start();
    const r = await cloneFrom(emu, await upload(emu, bytes));
    expect(r.status).toBe(200);
    expect(await statusOf(emu, (r.body['output'] as { voice_id: string }).voice_id)).toBe('UNDEPLOYED');
  });

  it("refuses another account's file and an unknown key", async () => {
    const emu = await start();
    const url = await upload(emu, wavBytes({ seconds: 12 }), 'a.wav', 'sk-account-one');
    const other = await cloneFrom(emu, url, 'sk-account-two');
    expect(other.status).toBe(400);
    expect(other.body['message']).toMatch(/does not exist or has expired/);
    const missing = await cloneFrom(emu, `${url}.nothing`);
    expect(missing.status).toBe(400);
  });
});
