import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { HandshakeRejected, openSocket, synthesize, TEST_KEY } from './client.js';

let emulator: RunningEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<RunningEmulator> {
  emulator = await startEmulator({ port: 0, ...options });
  return emulator;
}

/** The rejection of a handshake that must fail. */
async function rejection(url: string, headers?: Record<string, string>): Promise<HandshakeRejected> {
  try {
    const c = await openSocket(url, headers);
    c.close();
  } catch (err) {
    if (err instanceof HandshakeRejected) return err;
    throw err;
  }
  throw new Error('the handshake succeeded');
}

describe('handshake', () => {
  it('reports its URLs', async () => {
    const emu = await start();
    expect(emu.websocketUrl).toBe(`ws://127.0.0.1:${emu.port}/api-ws/v1/inference`);
    expect(emu.httpUrl).toBe(`http://127.0.0.1:${emu.port}/api/v1`);
    expect(emu.port).toBeGreaterThan(0);
  });

  it.each([
    ['without a trailing slash (PY-SDK)', ''],
    ['with a trailing slash (JAVA-SDK, docs)', '/'],
    ['with a query string', '/?foo=bar'],
  ])('accepts the inference URL %s and synthesises', async (_name, suffix) => {
    const emu = await start();
    const c = await openSocket(`${emu.websocketUrl}${suffix}`);
    const { end } = await synthesize(c, ['Hello.']);
    expect(end.header.event).toBe('task-finished');
    expect(emu.connections()).toBe(1);
    c.close();
  });

  it('answers 404 with a JSON body on any other path', async () => {
    const emu = await start();
    const err = await rejection(`ws://127.0.0.1:${emu.port}/api-ws/v1/other`);
    expect(err.status).toBe(404);
    expect(err.body).toMatchObject({ code: 'NotFound' });
    expect(emu.connections()).toBe(0);
  });

  it.each([
    ['no Authorization header', {}],
    ['a key without the sk- form', { Authorization: 'Bearer not-a-key' }],
    ['an empty bearer', { Authorization: 'Bearer ' }],
    ['another scheme', { Authorization: `Basic ${TEST_KEY}` }],
  ])('answers 401 InvalidApiKey for %s', async (_name, headers) => {
    const emu = await start();
    const err = await rejection(emu.websocketUrl, headers);
    expect(err.status).toBe(401);
    expect(err.body).toMatchObject({ code: 'InvalidApiKey', message: 'Invalid API-key provided.' });
    expect(err.body['request_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(emu.connections()).toBe(0);
  });

  it('accepts only the configured keys when keys are given', async () => {
    const emu = await start({ keys: ['sk-allowed'] });
    expect((await rejection(emu.websocketUrl, { Authorization: 'Bearer sk-other' })).status).toBe(401);
    const c = await openSocket(emu.websocketUrl, { Authorization: 'Bearer sk-allowed' });
    expect(emu.connections()).toBe(1);
    c.close();
  });

  it.each([
    ['Bearer', { Authorization: `Bearer ${TEST_KEY}` }, 'Bearer'],
    ['lower-case bearer (docs samples)', { authorization: `bearer ${TEST_KEY}` }, 'bearer'],
    ['a temporary token', { Authorization: 'Bearer st-temporary' }, 'Bearer'],
  ])('accepts %s', async (_name, headers, scheme) => {
    const emu = await start();
    const c = await openSocket(emu.websocketUrl, headers);
    await synthesize(c, ['Hi.']);
    expect(emu.tasks[0]?.headers.authorizationScheme).toBe(scheme);
    c.close();
  });

  it('accepts ?api_key= like the browser demo', async () => {
    const emu = await start({ keys: ['sk-browser'] });
    const c = await openSocket(`${emu.websocketUrl}/?api_key=sk-browser`, {});
    await synthesize(c, ['Hi.']);
    expect(emu.tasks[0]?.status).toBe('finished');
    c.close();
  });

  it('records user-agent, workspace and data inspection headers whatever their case, and never logs the key', async () => {
    const lines: string[] = [];
    const emu = await start({ log: (line) => lines.push(line) });
    const c = await openSocket(emu.websocketUrl, {
      Authorization: `Bearer ${TEST_KEY}`,
      'User-Agent': 'dashscope/1.26.2; python/3.12.0; platform/Linux; processor/x86_64',
      'x-dashscope-workspace': 'ws-123',
      'X-DashScope-DataInspection': 'enable',
    });
    await synthesize(c, ['Hi.']);
    expect(emu.tasks[0]?.headers).toEqual({
      authorizationScheme: 'Bearer',
      userAgent: 'dashscope/1.26.2; python/3.12.0; platform/Linux; processor/x86_64',
      workspace: 'ws-123',
      dataInspection: 'enable',
    });
    c.close();
    await c.closed;
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join('\n')).not.toContain(TEST_KEY);
  });

  it('counts accepted connections', async () => {
    const emu = await start();
    const a = await openSocket(emu.websocketUrl);
    const b = await openSocket(emu.websocketUrl);
    await rejection(emu.websocketUrl, {});
    expect(emu.connections()).toBe(2);
    a.close();
    b.close();
  });

  it('closes open sockets on close()', async () => {
    const emu = await start();
    const c = await openSocket(emu.websocketUrl);
    await emu.close();
    emulator = undefined;
    expect(await c.waitClosed()).toBe(1001);
  });
});

describe('HTTP API', () => {
  it.each([
    ['POST', '/services/audio/tts/SpeechSynthesizer'],
    ['GET', '/services/audio/tts/customization'],
    ['GET', ''],
  ])('answers %s %s (no such route) with 404 NotFound JSON', async (method, path) => {
    const emu = await start();
    const res = await fetch(`${emu.httpUrl}${path}`, { method, headers: { Authorization: `Bearer ${TEST_KEY}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'NotFound' });
    expect(typeof body['message']).toBe('string');
    expect(body['request_id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['a doubled slash (a base URL ending in /)', '//services/audio/tts/customization'],
    ['a trailing slash', '/services/audio/tts/customization/'],
  ])('routes a path with %s like the plain path', async (_name, path) => {
    const emu = await start();
    const res = await fetch(`${emu.httpUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'voice-enrollment', input: { action: 'list_voice' } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ output: { voice_list: [] } });
  });
});
