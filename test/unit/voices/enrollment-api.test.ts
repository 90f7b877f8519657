import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import {
  createCloneVoice,
  createDesignVoice,
  deleteVoice,
  enrollmentHeaders,
  listVoices,
  parseCreateResponse,
  parseDesignResponse,
  parseListResponse,
  parseQueryResponse,
  updateVoice,
} from '../../../src/voices/enrollment-api.js';
import { HttpClient } from '../../../src/voices/http-client.js';

/** A client whose fetch answers with `reply(body)` and records the parsed request bodies and headers. */
function recording(reply: (body: Record<string, unknown>) => unknown) {
  const requests: Array<{ body: Record<string, unknown>; headers: Record<string, string> }> = [];
  const fetchImpl = (async (_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    requests.push({ body, headers: init?.headers as Record<string, string> });
    return new Response(JSON.stringify(reply(body)), { status: 200 });
  }) as typeof fetch;
  const client = new HttpClient({ baseUrl: 'https://x.example/api/v1', apiKey: 'sk-k', userAgent: 'u', fetch: fetchImpl });
  return { client, requests };
}

const ID = 'cosyvoice-v3.5-plus-narrator1-0123456789abcdef0123456789abcdef';

describe('request shapes', () => {
  it('clones with the documented input and the resolve header for oss:// URLs only', async () => {
    const { client, requests } = recording(() => ({ output: { voice_id: ID }, usage: { count: 1 }, request_id: 'r' }));
    expect(await createCloneVoice(client, { targetModel: 'cosyvoice-v3.5-plus', prefix: 'narrator1', url: 'oss://dir/a.wav', language: 'en' })).toBe(ID);
    expect(requests[0]?.body).toEqual({
      model: 'voice-enrollment',
      input: { action: 'create_voice', target_model: 'cosyvoice-v3.5-plus', prefix: 'narrator1', url: 'oss://dir/a.wav', language_hints: ['en'] },
    });
    expect(requests[0]?.headers['X-DashScope-OssResourceResolve']).toBe('enable');
    await createCloneVoice(client, { targetModel: 'cosyvoice-v2', prefix: 'p', url: 'https://example.com/a.wav' });
    expect(requests[1]?.headers['X-DashScope-OssResourceResolve']).toBeUndefined();
    expect(enrollmentHeaders(undefined)).toBeUndefined();
  });

  it('designs with voice_prompt, preview_text and top-level parameters', async () => {
    const audio = Buffer.from('RIFFdata');
    const { client, requests } = recording(() => ({
      output: { voice_id: 'v', preview_audio: { data: audio.toString('base64'), sample_rate: 16000, response_format: 'mp3' }, target_model: 'cosyvoice-v3-flash' },
    }));
    const voice = await createDesignVoice(client, {
      targetModel: 'cosyvoice-v3-flash',
      prefix: 'anchor',
      voicePrompt: 'calm',
      previewText: 'hi',
      language: 'en',
      sampleRate: 16000,
      format: 'mp3',
    });
    expect(requests[0]?.body).toEqual({
      model: 'voice-enrollment',
      input: { action: 'create_voice', target_model: 'cosyvoice-v3-flash', prefix: 'anchor', voice_prompt: 'calm', preview_text: 'hi', language_hints: ['en'] },
      parameters: { sample_rate: 16000, response_format: 'mp3' },
    });
    expect(voice).toEqual({ voiceId: 'v', targetModel: 'cosyvoice-v3-flash', audio, sampleRate: 16000, format: 'mp3' });
  });

  it('updates and deletes with voice_id', async () => {
    const { client, requests } = recording(() => ({ request_id: 'r' }));
    await updateVoice(client, ID, 'https://example.com/b.wav');
    await deleteVoice(client, ID);
    expect(requests.map((r) => r.body['input'])).toEqual([
      { action: 'update_voice', voice_id: ID, url: 'https://example.com/b.wav' },
      { action: 'delete_voice', voice_id: ID },
    ]);
  });
});

describe('listVoices', () => {
  it('reads page after page until a short page', async () => {
    const all = Array.from({ length: 23 }, (_, i) => ({ voice_id: `cosyvoice-v2-p-${String(i).padStart(4, '0')}`, status: 'OK', gmt_create: 'c', gmt_modified: 'm' }));
    const { client, requests } = recording((body) => {
      const input = body['input'] as { page_index: number; page_size: number };
      return { output: { voice_list: all.slice(input.page_index * input.page_size, (input.page_index + 1) * input.page_size) } };
    });
    const voices = await listVoices(client, { prefix: 'p', pageSize: 10 });
    expect(voices.map((v) => v.voiceId)).toEqual(all.map((v) => v.voice_id));
    expect(voices[0]).toEqual({ voiceId: all[0]?.voice_id, status: 'OK', gmtCreate: 'c', gmtModified: 'm', targetModel: 'cosyvoice-v2' });
    expect(requests.map((r) => r.body['input'])).toEqual([0, 1, 2].map((n) => ({ action: 'list_voice', page_index: n, page_size: 10, prefix: 'p' })));
  });

  it('reads one extra empty page when the last page is full, and stops on a repeated page', async () => {
    const page = Array.from({ length: 2 }, (_, i) => ({ voice_id: `v${i}`, status: 'OK' }));
    const { client, requests } = recording(() => ({ output: { voice_list: page } }));
    expect(await listVoices(client, { pageSize: 2 })).toHaveLength(2);
    expect(requests).toHaveLength(2);
  });
});

describe('response parsing', () => {
  it('reads create answers and rejects malformed ones', () => {
    expect(parseCreateResponse({ output: { voice_id: ID } })).toBe(ID);
    for (const bad of [{}, { output: {} }, { output: { voice_id: 3 } }, null, 'x']) {
      expect(() => parseCreateResponse(bad)).toThrow(ProtocolError);
    }
  });

  it('falls back to the request for design fields the answer leaves out, and checks base64', () => {
    const r = parseDesignResponse({ output: { voice_id: 'v', preview_audio: { data: 'AAAA' } } }, { targetModel: 't', sampleRate: 24000, format: 'wav' });
    expect(r).toMatchObject({ targetModel: 't', sampleRate: 24000, format: 'wav' });
    expect(() => parseDesignResponse({ output: { voice_id: 'v' } }, { targetModel: 't', sampleRate: 1, format: 'wav' })).toThrow(ProtocolError);
    expect(() => parseDesignResponse({ output: { voice_id: 'v', preview_audio: { data: '%%%' } } }, { targetModel: 't', sampleRate: 1, format: 'wav' })).toThrow(/base64/);
  });

  it('reads list pages: a missing voice_list is empty, entries need voice_id and status', () => {
    expect(parseListResponse({ output: {} })).toEqual([]);
    expect(() => parseListResponse({ output: { voice_list: {} } })).toThrow(ProtocolError);
    expect(() => parseListResponse({ output: { voice_list: [{ voice_id: 'v' }] } })).toThrow(/status/);
  });

  it('reads a cloned query record (no voice_id in it) and a designed one', () => {
    expect(
      parseQueryResponse(
        { output: { gmt_create: 'a', gmt_modified: 'b', resource_link: 'https://e/a.wav', target_model: 'cosyvoice-v3.5-plus', status: 'DEPLOYING' } },
        ID,
      ),
    ).toEqual({
      voiceId: ID,
      status: 'DEPLOYING',
      gmtCreate: 'a',
      gmtModified: 'b',
      targetModel: 'cosyvoice-v3.5-plus',
      kind: 'clone',
      resourceLink: 'https://e/a.wav',
      voicePrompt: undefined,
      previewText: undefined,
    });
    const designed = parseQueryResponse(
      { output: { voice_id: 'cosyvoice-v3-flash-vd-a-0001', target_model: 'cosyvoice-v3-flash', status: 'OK', voice_prompt: 'p', preview_text: 't' } },
      'cosyvoice-v3-flash-vd-a-0001',
    );
    expect(designed).toMatchObject({ kind: 'design', voicePrompt: 'p', previewText: 't' });
  });
});
