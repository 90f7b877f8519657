/**
 * The emulator's voice enrollment endpoint over real HTTP: the five actions with the service's request, response and
 * error shapes, paging, ownership, readiness, and synthesis with the custom voices it creates.
 */
import { describe, expect, it, vi } from 'vitest';
import type { EmulatorOptions, RunningEmulator } from '../../../src/emulator/server.js';
import { baseParameters, emulatorFixture, finishFrame, newTaskId, openSocket, runTaskFrame, synthesize, TEST_KEY, textFrame } from './client.js';
import { freezeClock } from '../../helpers/wait.js';

const fx = emulatorFixture();

/** This file's emulator: voices are ready after 100 ms unless a test says otherwise. */
function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return fx.start({ voiceReadyMs: 100, ...options });
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs an enrollment request and returns status and JSON body. */
async function enroll(body: unknown, options: { key?: string; headers?: Record<string, string>; raw?: string } = {}): Promise<Answer> {
  const emu = fx.emulator ?? (await start());
  const res = await fetch(`${emu.httpUrl}/services/audio/tts/customization`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${options.key ?? TEST_KEY}`, 'Content-Type': 'application/json', ...options.headers },
    body: options.raw ?? JSON.stringify(body),
  });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** An enrollment body with `input`. */
function call(input: Record<string, unknown>, parameters?: Record<string, unknown>): Record<string, unknown> {
  return parameters === undefined ? { model: 'voice-enrollment', input } : { model: 'voice-enrollment', input, parameters };
}

const CLONE_INPUT = { action: 'create_voice', target_model: 'cosyvoice-v3.5-plus', prefix: 'narrator1', url: 'https://example.com/sample.wav' };

async function clone(input: Record<string, unknown> = {}, key?: string): Promise<string> {
  const r = await enroll(call({ ...CLONE_INPUT, ...input }), { key });
  expect(r.status).toBe(200);
  return (r.body['output'] as { voice_id: string }).voice_id;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('enrollment: envelope', () => {
  it('rejects a missing or unknown key with 401 InvalidApiKey like the handshake', async () => {
    await start({ keys: [TEST_KEY] });
    for (const key of ['sk-wrong-key', '']) {
      const r = await enroll(call({ action: 'list_voice' }), { key });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ code: 'InvalidApiKey', message: 'Invalid API-key provided.', request_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    }
  });

  it.each([
    ['another model', { model: 'cosyvoice-v3-flash', input: { action: 'list_voice' } }, 'url error, please check url!'],
    ['no model', { input: { action: 'list_voice' } }, 'url error, please check url!'],
    ['no input', { model: 'voice-enrollment' }, "Missing required parameter 'input'."],
    ['no action', call({}), "Missing required parameter 'input.action'."],
    ['an unknown action', call({ action: 'rename_voice' }), 'Unsupported action: rename_voice.'],
  ])('answers %s with 400 InvalidParameter and a request id', async (_name, body, message) => {
    const r = await enroll(body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: 'InvalidParameter', message, request_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('answers a body that is not JSON with 400', async () => {
    const r = await enroll(undefined, { raw: '{"model":' });
    expect(r.status).toBe(400);
    expect(r.body['code']).toBe('InvalidParameter');
  });
});

describe('enrollment: create_voice (clone)', () => {
  it('returns the voice id in the documented shape, DEPLOYING then OK', async () => {
    const now = freezeClock();
    await start({ voiceReadyMs: 150 });
    const r = await enroll(call(CLONE_INPUT), { headers: { 'user-agent': 'dashscope/1.26.2; python/3.12' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      output: { voice_id: expect.stringMatching(/^cosyvoice-v3\.5-plus-narrator1-[0-9a-f]{32}$/) },
      usage: { count: 1 },
      request_id: expect.any(String),
    });
    const voiceId = (r.body['output'] as { voice_id: string }).voice_id;
    const first = await enroll(call({ action: 'query_voice', voice_id: voiceId }));
    expect(first.body['output']).toEqual({
      gmt_create: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      gmt_modified: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      resource_link: 'https://example.com/sample.wav',
      target_model: 'cosyvoice-v3.5-plus',
      status: 'DEPLOYING',
    });
    const status = async (): Promise<unknown> => ((await enroll(call({ action: 'query_voice', voice_id: voiceId }))).body['output'] as { status: string }).status;
    vi.setSystemTime(now + 149);
    expect(await status()).toBe('DEPLOYING');
    vi.setSystemTime(now + 150);
    expect(await status()).toBe('OK');
  });

  it('accepts the Java SDK body (no parameters) and the PY-SDK body (empty parameters, max_prompt_audio_length)', async () => {
    await clone();
    const r = await enroll({ model: 'voice-enrollment', input: { ...CLONE_INPUT, max_prompt_audio_length: 10.0, language_hints: ['en'] }, parameters: {} });
    expect(r.status).toBe(200);
  });

  it.each([
    ['no target_model', { target_model: undefined }, "Missing required parameter 'target_model'."],
    ['an unknown target_model', { target_model: 'cosyvoice-v9' }, /cosyvoice-v9 does not support voice cloning/],
    ['no prefix', { prefix: undefined }, "Missing required parameter 'prefix'."],
    ['an uppercase prefix', { prefix: 'Narrator' }, /Invalid parameter 'prefix'/],
    ['a prefix of 10 characters', { prefix: 'abcdefghij' }, /Invalid parameter 'prefix'/],
    ['a prefix with a dash', { prefix: 'a-b' }, /Invalid parameter 'prefix'/],
    ['no url', { url: undefined }, "Missing required parameter 'url'."],
    ['a file URL', { url: 'file:///tmp/a.wav' }, /must be a publicly reachable http\(s\) URL/],
    ['an oss:// URL without the resolve header', { url: 'oss://dashscope-instant/x/a.wav' }, /X-DashScope-OssResourceResolve/],
    ['an unknown language hint', { language_hints: ['xx'] }, /language_hints/],
  ])('refuses %s', async (_name, input, message) => {
    const r = await enroll(call({ ...CLONE_INPUT, ...input }));
    expect(r.status).toBe(400);
    expect(r.body['code']).toBe('InvalidParameter');
    expect(r.body['message']).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  });

  it('ends UNDEPLOYED for audio carrying the reject marker, and lets the marker be configured', async () => {
    await start({ voiceReadyMs: 50, rejectAudioMarker: 'bad-take' });
    const bad = await clone({ url: 'https://example.com/bad-take.wav' });
    const good = await clone({ url: 'https://example.com/cosy-reject-audio.wav' });
    await sleep(100);
    const status = async (id: string): Promise<unknown> => ((await enroll(call({ action: 'query_voice', voice_id: id }))).body['output'] as { status: string }).status;
    expect(await status(bad)).toBe('UNDEPLOYED');
    expect(await status(good)).toBe('OK');
  });
});

describe('enrollment: create_voice (design)', () => {
  const DESIGN = {
    action: 'create_voice',
    target_model: 'cosyvoice-v3.5-plus',
    prefix: 'anchor',
    voice_prompt: 'Calm middle-aged male news anchor, low warm timbre, steady pace.',
    preview_text: 'Good evening, here is the news.',
    language_hints: ['en'],
  };

  it('returns the voice id, base64 preview audio in the asked format, and the target model', async () => {
    const r = await enroll(call(DESIGN, { sample_rate: 24000, response_format: 'wav' }));
    expect(r.status).toBe(200);
    const output = r.body['output'] as { voice_id: string; preview_audio: { data: string; sample_rate: number; response_format: string }; target_model: string };
    expect(output.voice_id).toMatch(/^cosyvoice-v3\.5-plus-vd-anchor-[0-9a-f]{32}$/);
    expect(output.target_model).toBe('cosyvoice-v3.5-plus');
    expect(output.preview_audio).toMatchObject({ sample_rate: 24000, response_format: 'wav' });
    const wav = Buffer.from(output.preview_audio.data, 'base64');
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(24000);
    expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
    expect(r.body['usage']).toEqual({ count: 1 });
    const q = await enroll(call({ action: 'query_voice', voice_id: output.voice_id }));
    expect(q.body['output']).toEqual({
      voice_id: output.voice_id,
      gmt_create: expect.any(String),
      gmt_modified: expect.any(String),
      target_model: 'cosyvoice-v3.5-plus',
      status: 'OK',
      voice_prompt: DESIGN.voice_prompt,
      preview_text: DESIGN.preview_text,
    });
  });

  it('renders mp3 previews and defaults to wav at 24 kHz', async () => {
    const mp3 = await enroll(call(DESIGN, { sample_rate: 16000, response_format: 'mp3' }));
    const data = Buffer.from((mp3.body['output'] as { preview_audio: { data: string } }).preview_audio.data, 'base64');
    expect(data[0]).toBe(0xff);
    const plain = await enroll(call(DESIGN));
    expect((plain.body['output'] as { preview_audio: unknown }).preview_audio).toMatchObject({ sample_rate: 24000, response_format: 'wav' });
  });

  it.each([
    ['a model without design', { target_model: 'cosyvoice-v2' }, undefined, /does not support voice design/],
    ['a prompt over 500 characters', { voice_prompt: 'a'.repeat(501) }, undefined, /at most 500/],
    ['a preview text over 200 characters', { preview_text: 'a'.repeat(201) }, undefined, /at most 200/],
    ['a Japanese prompt', { voice_prompt: 'やさしい声' }, undefined, /only Chinese and English/],
    ['no preview text', { preview_text: undefined }, undefined, /preview_text/],
    ['a French language hint', { language_hints: ['fr'] }, undefined, /language_hints/],
    ['an unknown format', {}, { response_format: 'flac' }, /response_format/],
    ['a rate the format lacks', {}, { response_format: 'opus', sample_rate: 44100 }, /sample_rate/],
    ['both url and voice_prompt', { url: 'https://example.com/a.wav' }, undefined, /cannot be used together/],
  ])('refuses %s', async (_name, input, parameters, message) => {
    const r = await enroll(call({ ...DESIGN, ...input }, parameters));
    expect(r.status).toBe(400);
    expect(r.body['message']).toMatch(message);
  });
});

describe('enrollment: list, query, update, delete', () => {
  it('lists the voices newest first, pages with page_index/page_size, and filters by prefix', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await clone({ prefix: i % 2 === 0 ? 'even' : 'odd' }));
    const page = async (input: Record<string, unknown>): Promise<string[]> => {
      const r = await enroll(call({ action: 'list_voice', ...input }));
      expect(r.status).toBe(200);
      const list = (r.body['output'] as { voice_list: Array<Record<string, unknown>> }).voice_list;
      for (const entry of list) expect(Object.keys(entry).sort()).toEqual(['gmt_create', 'gmt_modified', 'status', 'voice_id']);
      return list.map((v) => v['voice_id'] as string);
    };
    const newestFirst = [...ids].reverse();
    expect(await page({})).toEqual(newestFirst);
    expect(await page({ page_index: 0, page_size: 2 })).toEqual(newestFirst.slice(0, 2));
    expect(await page({ page_index: 2, page_size: 2 })).toEqual(newestFirst.slice(4));
    expect(await page({ page_index: 3, page_size: 2 })).toEqual([]);
    expect(await page({ prefix: 'odd' })).toEqual([ids[3], ids[1]]);
    const bad = await enroll(call({ action: 'list_voice', page_size: 0 }));
    expect(bad.status).toBe(400);
  });

  it('keeps each account to its own voices', async () => {
    await start();
    const mine = await clone({}, 'sk-account-one');
    await clone({}, 'sk-account-two');
    const r = await enroll(call({ action: 'list_voice' }), { key: 'sk-account-one' });
    expect((r.body['output'] as { voice_list: Array<{ voice_id: string }> }).voice_list.map((v) => v.voice_id)).toEqual([mine]);
    const other = await enroll(call({ action: 'query_voice', voice_id: mine }), { key: 'sk-account-two' });
    expect(other.status).toBe(400);
  });

  it('updates a cloned voice: new source, DEPLOYING again, then OK', async () => {
    const now = freezeClock();
    await start({ voiceReadyMs: 80 });
    const id = await clone();
    const query = async (): Promise<Record<string, unknown>> => (await enroll(call({ action: 'query_voice', voice_id: id }))).body['output'] as Record<string, unknown>;
    vi.setSystemTime(now + 100);
    expect(await query()).toMatchObject({ status: 'OK', resource_link: 'https://example.com/sample.wav' });
    const r = await enroll(call({ action: 'update_voice', voice_id: id, url: 'https://example.com/take2.wav' }));
    expect(r.status).toBe(200);
    expect(r.body['request_id']).toEqual(expect.any(String));
    expect(await query()).toMatchObject({ status: 'DEPLOYING', resource_link: 'https://example.com/take2.wav' });
    vi.setSystemTime(now + 179);
    expect(await query()).toMatchObject({ status: 'DEPLOYING' });
    vi.setSystemTime(now + 180);
    expect(await query()).toMatchObject({ status: 'OK', resource_link: 'https://example.com/take2.wav' });
  });

  it('deletes a voice; then it is unknown to every action and to synthesis', async () => {
    const id = await clone();
    expect((await enroll(call({ action: 'delete_voice', voice_id: id }))).status).toBe(200);
    for (const action of ['query_voice', 'delete_voice', 'update_voice']) {
      const r = await enroll(call({ action, voice_id: id, url: 'https://example.com/a.wav' }));
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'InvalidParameter', message: `Invalid parameter 'voice_id': voice ${id} does not exist.` });
    }
    expect(fx.emulator?.voices.has(id)).toBe(false);
  });

  it('refuses to update a designed voice', async () => {
    const r = await enroll(
      call({ action: 'create_voice', target_model: 'cosyvoice-v3-flash', prefix: 'd', voice_prompt: 'warm voice', preview_text: 'hello' }),
    );
    const id = (r.body['output'] as { voice_id: string }).voice_id;
    const u = await enroll(call({ action: 'update_voice', voice_id: id, url: 'https://example.com/a.wav' }));
    expect(u.status).toBe(400);
    expect(u.body['message']).toMatch(/designed voice/);
  });
});

describe('enrollment and synthesis', () => {
  it('synthesises with a cloned voice only once it is OK, and only with its target model', async () => {
    const now = freezeClock();
    const emu = await start({ voiceReadyMs: 150 });
    const id = await clone({ target_model: 'cosyvoice-v3-flash' });
    const socket = await openSocket(emu.websocketUrl);
    vi.setSystemTime(now + 149);
    const early = await synthesize(socket, ['Too early.'], baseParameters({ voice: id }));
    expect(early.end.header.event).toBe('task-failed');
    expect(early.end.header.error_message).toBe('[tts:]Engine return error code: 418');
    vi.setSystemTime(now + 150);
    const ready = await synthesize(socket, ['Now it works.'], baseParameters({ voice: id }));
    expect(ready.end.header.event).toBe('task-finished');
    const taskId = newTaskId();
    socket.send(runTaskFrame(taskId, baseParameters({ voice: id }), { model: 'cosyvoice-v3-plus' }), textFrame(taskId, 'Wrong model.'), finishFrame(taskId));
    expect((await socket.end(taskId)).header.error_message).toBe('[tts:]Engine return error code: 418');
    socket.close();
  });

  it("refuses another account's voice like an unknown one (418), also through a token of that other account", async () => {
    const emu = await start({ voiceReadyMs: 0 });
    const id = await clone({ target_model: 'cosyvoice-v3-flash' });
    await sleep(20);
    const stranger = await openSocket(emu.websocketUrl, { Authorization: 'Bearer sk-someone-else' });
    const refused = await synthesize(stranger, ['Not mine.'], baseParameters({ voice: id }));
    expect(refused.end.header).toMatchObject({ event: 'task-failed', error_code: 'InvalidParameter', error_message: '[tts:]Engine return error code: 418' });
    stranger.close();

    const res = await fetch(`${emu.httpUrl}/tokens`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_KEY}` } });
    const { token } = (await res.json()) as { token: string };
    const owner = await openSocket(emu.websocketUrl, { Authorization: `Bearer ${token}` });
    const spoken = await synthesize(owner, ['Mine, through a token.'], baseParameters({ voice: id }));
    expect(spoken.end.header.event).toBe('task-finished');
    owner.close();
  });
});
