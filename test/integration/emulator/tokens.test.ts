/**
 * The emulator's temporary token endpoint (protocol.md §6) over real HTTP and WebSocket: issuing, lifetime, use at
 * the handshake and on the HTTP API, and the refusals.
 */
import { describe, expect, it, vi } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import { emulatorFixture, openSocket, synthesize, TEST_KEY } from './client.js';
import { freezeClock } from '../../helpers/wait.js';

const { start } = emulatorFixture();

/** POST /tokens with `key` and an optional query; status and JSON body. */
async function requestToken(emu: RunningEmulator, key: string | undefined, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = key === undefined ? {} : { Authorization: `Bearer ${key}` };
  const res = await fetch(`${emu.httpUrl}/tokens${query}`, { method: 'POST', headers });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The status the handshake answers for `key`: 101 when the socket opened, else the HTTP status. */
async function handshakeStatus(emu: RunningEmulator, key: string): Promise<number> {
  try {
    const socket = await openSocket(emu.websocketUrl, { Authorization: `Bearer ${key}` });
    socket.close();
    return 101;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

describe('emulator: temporary tokens', () => {
  it('issues an st- token for 60 s by default, in the documented shape', async () => {
    const emu = await start({ keys: [TEST_KEY] });
    const before = Math.floor(Date.now() / 1000);
    const r = await requestToken(emu, TEST_KEY);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['expires_at', 'token']);
    expect(r.body['token']).toMatch(/^st-[0-9a-f]{32}$/);
    expect(r.body['expires_at']).toBeGreaterThanOrEqual(before + 59);
    expect(r.body['expires_at']).toBeLessThanOrEqual(before + 61);
  });

  it('honours expire_in_seconds from 1 to 1800 and refuses other values with 400', async () => {
    const emu = await start();
    const now = Math.floor(Date.now() / 1000);
    const long = await requestToken(emu, TEST_KEY, '?expire_in_seconds=1800');
    expect(long.body['expires_at']).toBeGreaterThanOrEqual(now + 1799);
    for (const bad of ['0', '1801', '1.5', 'ten']) {
      const r = await requestToken(emu, TEST_KEY, `?expire_in_seconds=${bad}`);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'InvalidParameter', request_id: expect.any(String) });
      expect(r.body['message']).toMatch(/expire_in_seconds/);
    }
  });

  it('refuses a missing or unknown key, and a token asking for a token, with 401 InvalidApiKey', async () => {
    const emu = await start({ keys: [TEST_KEY] });
    const { body } = await requestToken(emu, TEST_KEY);
    for (const key of [undefined, 'sk-wrong-key', body['token'] as string]) {
      const r = await requestToken(emu, key);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ code: 'InvalidApiKey', message: 'Invalid API-key provided.', request_id: expect.any(String) });
    }
  });

  it('opens the WebSocket and the HTTP API for the key that made it, until it expires', async () => {
    const now = freezeClock();
    const emu = await start({ keys: [TEST_KEY] });
    const { body } = await requestToken(emu, TEST_KEY, '?expire_in_seconds=1');
    const token = body['token'] as string;
    const socket = await openSocket(emu.websocketUrl, { Authorization: `Bearer ${token}` });
    const spoken = await synthesize(socket, ['Through a token.']);
    expect(spoken.end.header.event).toBe('task-finished');
    const list = await fetch(`${emu.httpUrl}/services/audio/tts/customization`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'voice-enrollment', input: { action: 'list_voice' } }),
    });
    expect(list.status).toBe(200);
    vi.setSystemTime(now + 999);
    expect(await handshakeStatus(emu, token)).toBe(101);

    vi.setSystemTime(now + 1000);
    // Checked at the handshake only: the connection opened before expiry keeps working.
    const again = await synthesize(socket, ['Still open.']);
    expect(again.end.header.event).toBe('task-finished');
    socket.close();
    expect(await handshakeStatus(emu, token)).toBe(401);
  });

  it('refuses an expired token even when any st- key would be accepted (no key list)', async () => {
    const now = freezeClock();
    const emu = await start();
    const { body } = await requestToken(emu, TEST_KEY, '?expire_in_seconds=1');
    expect(await handshakeStatus(emu, body['token'] as string)).toBe(101);
    vi.setSystemTime(now + 1000);
    expect(await handshakeStatus(emu, body['token'] as string)).toBe(401);
    expect(await handshakeStatus(emu, 'st-some-other-token')).toBe(101);
  });
});
