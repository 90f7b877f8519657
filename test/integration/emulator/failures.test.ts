import { describe, expect, it } from 'vitest';
import { MAX_TASK_CHARS, SERVICE_MAX_MESSAGE_CHARS } from '../../../src/protocol/limits.js';
import {
  baseParameters,
  continueFrame,
  finishFrame,
  newTaskId,
  runTaskFrame,
  synthesize,
  textFrame,
  type Conversation,
  type ServerFrame,
  emulatorFixture,
  TEST_KEY,
} from './client.js';

const fx = emulatorFixture();

const connect = fx.connect;

/** Asserts a task-failed with this code and message, and that the socket stays usable for a new task. */
async function expectFailedThenUsable(c: Conversation, taskId: string, code: string, message: string | RegExp): Promise<ServerFrame> {
  const end = await c.end(taskId);
  expect(end.header.event).toBe('task-failed');
  expect(end.header.error_code).toBe(code);
  if (typeof message === 'string') expect(end.header.error_message).toBe(message);
  else expect(end.header.error_message).toMatch(message);
  expect(end.payload).toEqual({});
  const next = await synthesize(c, ['Still usable.']);
  expect(next.end.header.event).toBe('task-finished');
  return end;
}

const CLONE = 'cosyvoice-v3-flash-mine-0001';

describe('run-task rejected with task-failed (no task-started)', () => {
  it.each([
    ['missing model', {}, { model: undefined }, "Missing required parameter 'payload.model'! Please follow the protocol!"],
    ['unknown model', {}, { model: 'cosyvoice-v0' }, 'Model not exist.'],
    ['wrong task_group', {}, { task_group: 'aigc' }, /Please follow the protocol!$/],
    ['wrong task', {}, { task: 'asr' }, /Please follow the protocol!$/],
    ['wrong function', {}, { function: 'Transcription' }, /Please follow the protocol!$/],
    ['text_type missing', { text_type: undefined }, {}, /text_type/],
    ['voice missing', { voice: undefined }, {}, 'Request voice is invalid!'],
    ['unknown voice', { voice: 'nobody' }, {}, '[tts:]Engine return error code: 418'],
    ['system voice of another model', { voice: 'longxiaochun' }, {}, '[tts:]Engine return error code: 418'],
    ['custom voice not in the registry', { voice: 'cosyvoice-v3-flash-ghost-0001' }, {}, '[tts:]Engine return error code: 418'],
    ['custom voice of another model', { voice: CLONE }, { model: 'cosyvoice-v3-plus' }, '[tts:]Engine return error code: 418'],
    ['format not known', { format: 'flac' }, {}, /format must be one of pcm, wav, mp3, opus/],
    ['opus on v1', { voice: 'longxiaochun', format: 'opus', sample_rate: 16000 }, { model: 'cosyvoice-v1' }, /opus/],
    ['sample rate of another format', { format: 'opus', sample_rate: 44100 }, {}, /sample_rate must be one of 8000, 16000, 24000, 48000/],
    ['volume', { volume: 200 }, {}, 'Parameter invalid: volume must be between 0 and 100'],
    ['rate', { rate: 3 }, {}, 'Parameter invalid: rate must be between 0.5 and 2'],
    ['pitch', { pitch: 0.1 }, {}, 'Parameter invalid: pitch must be between 0.5 and 2'],
    ['bit_rate with opus', { format: 'opus', sample_rate: 24000, bit_rate: 600 }, {}, 'Parameter invalid: bit_rate must be between 6 and 510'],
    ['seed', { seed: -1 }, {}, 'Parameter invalid: seed must be between 0 and 65535'],
    ['instruction too long', { voice: 'longpaopao_v3', instruction: 'x'.repeat(129) }, {}, /instruction/],
    ['instruction outside the voice forms (UNCONFIRMED)', { instruction: 'be happy' }, {}, '[tts:]Engine return error code: 428'],
  ] as const)('%s', async (_name, parameters, payload, message) => {
    const c = await connect();
    fx.emulator?.voices.set(CLONE, { targetModel: 'cosyvoice-v3-flash', owner: TEST_KEY, status: 'OK' });
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId, baseParameters(parameters), payload), textFrame(taskId, 'Ignored.'), finishFrame(taskId));
    await expectFailedThenUsable(c, taskId, 'InvalidParameter', message);
    expect(c.events(taskId).map((e) => e.header.event)).toEqual(['task-failed']);
    expect(fx.emulator?.tasks[0]).toMatchObject({ taskId, status: 'failed', errorCode: 'InvalidParameter' });
  });

  it('accepts a registered custom voice of the model that is OK', async () => {
    const c = await connect();
    fx.emulator?.voices.set(CLONE, { targetModel: 'cosyvoice-v3-flash', owner: TEST_KEY, status: 'OK' });
    const { end } = await synthesize(c, ['Cloned.'], baseParameters({ voice: CLONE }));
    expect(end.header.event).toBe('task-finished');
  });

  it('fails a second run-task while a task runs, and lets the first finish', async () => {
    const c = await connect();
    const first = newTaskId();
    const second = newTaskId();
    c.send(runTaskFrame(first), textFrame(first, 'First. '), runTaskFrame(second));
    const failed = await c.end(second);
    expect(failed.header.event).toBe('task-failed');
    expect(failed.header.error_code).toBe('InvalidParameter');
    c.send(finishFrame(first));
    expect((await c.end(first)).header.event).toBe('task-finished');
    expect(c.events(second).map((e) => e.header.event)).toEqual(['task-failed']);
  });
});

describe('continue-task and finish-task rejected with task-failed', () => {
  it.each([
    ['empty text', [{ text: '' }], 'Parameter invalid: text is null'],
    ['missing text', [{}], 'Parameter invalid: text is null'],
    ['over the per-message limit', [{ text: 'a'.repeat(SERVICE_MAX_MESSAGE_CHARS + 1) }], /20000/],
    ['over the per-message limit in Han ideographs', [{ text: '字'.repeat(SERVICE_MAX_MESSAGE_CHARS / 2 + 1) }], /20000/],
  ] as const)('%s', async (_name, inputs, message) => {
    const c = await connect();
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId), ...inputs.map((input) => continueFrame(taskId, input)), finishFrame(taskId));
    await expectFailedThenUsable(c, taskId, 'InvalidParameter', message);
  });

  it('fails a task whose text goes over the cumulative limit', async () => {
    const c = await connect({ msPerCharacter: 0.01 });
    const taskId = newTaskId();
    const chunk = 'word '.repeat(SERVICE_MAX_MESSAGE_CHARS / 5);
    const messages = MAX_TASK_CHARS / SERVICE_MAX_MESSAGE_CHARS;
    c.send(runTaskFrame(taskId), ...Array.from({ length: messages }, () => textFrame(taskId, chunk)), textFrame(taskId, 'x'));
    await expectFailedThenUsable(c, taskId, 'InvalidParameter', /200000/);
    expect(fx.emulator?.tasks[0]?.billedCharacters).toBe(MAX_TASK_CHARS);
  });

  it('fails finish-task on a task without text', async () => {
    const c = await connect();
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId), finishFrame(taskId));
    await expectFailedThenUsable(c, taskId, 'InvalidParameter', 'Please ensure input text is valid.');
  });

  it.each([
    ['a second continue-task with enable_ssml', { enable_ssml: true }, ['<speak>One.</speak>', '<speak>Two.</speak>'], 'Text request limit violated, expected 1.'],
    ['malformed SSML', { enable_ssml: true }, ['<speak>Unclosed.'], 'SSML text is not supported at the moment!'],
    ['nested speak', { enable_ssml: true }, ['<speak><speak>x</speak></speak>'], 'SSML text is not supported at the moment!'],
    ['SSML on a voice without SSML', { enable_ssml: true, voice: 'loongabby_v3' }, ['<speak>Hi.</speak>'], 'SSML text is not supported at the moment!'],
    ['SSML on v1', { enable_ssml: true, voice: 'longxiaochun' }, ['<speak>Hi.</speak>'], 'SSML text is not supported at the moment!'],
  ] as const)('%s', async (name, parameters, texts, message) => {
    const c = await connect();
    const taskId = newTaskId();
    const payload = name === 'SSML on v1' ? { model: 'cosyvoice-v1' } : {};
    c.send(runTaskFrame(taskId, baseParameters(parameters), payload), ...texts.map((t) => textFrame(taskId, t)), finishFrame(taskId));
    await expectFailedThenUsable(c, taskId, 'InvalidParameter', message);
  });

  it('answers an instruction for an unknown task id with task-failed for that id', async () => {
    const c = await connect();
    const stranger = newTaskId();
    c.send(textFrame(stranger, 'Who am I?'));
    await expectFailedThenUsable(c, stranger, 'InvalidParameter', /Please follow the protocol!$/);
  });

  it('answers a frame that is not JSON with task-failed', async () => {
    const c = await connect();
    c.send('this is not json');
    await expectFailedThenUsable(c, '', 'InvalidParameter', /JSON/);
  });

  it('ignores further instructions for a failed task and keeps the socket open', async () => {
    const c = await connect();
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId, baseParameters({ voice: 'nobody' })), textFrame(taskId, 'One.'), textFrame(taskId, 'Two.'), finishFrame(taskId));
    await c.end(taskId);
    const next = await synthesize(c, ['Later.']);
    expect(next.end.header.event).toBe('task-finished');
    expect(c.events(taskId).map((e) => e.header.event)).toEqual(['task-failed']);
    expect(c.closeCode).toBeUndefined();
  });
});

describe('idle timeout', () => {
  const IDLE_MS = 300;

  it('fails a task that gets no text, with the service error', async () => {
    const c = await connect({ idleTimeoutMs: IDLE_MS });
    const taskId = newTaskId();
    const started = Date.now();
    c.send(runTaskFrame(taskId));
    const end = await c.end(taskId, 2_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 20);
    expect(end.header).toMatchObject({ event: 'task-failed', error_code: 'CLIENT_ERROR', error_message: 'request timeout after 0 seconds.' });
    expect(fx.emulator?.tasks[0]?.errorCode).toBe('CLIENT_ERROR');
  });

  it('words the message with the timeout in seconds', async () => {
    const c = await connect({ idleTimeoutMs: 600 });
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId));
    const end = await c.end(taskId, 3_000);
    expect(end.header.error_message).toBe('request timeout after 1 seconds.');
  });

  it('is reset by every continue-task and stops at finish-task', async () => {
    // Client and emulator share one event loop, so a stall of the process delays the next text and fires the idle
    // timer at once: texts come far more often than the timeout (850 ms of slack), for longer than it in all.
    const idleMs = 1_000;
    const gapMs = 150;
    const texts = 8;
    expect(texts * gapMs).toBeGreaterThan(idleMs);
    const c = await connect({ idleTimeoutMs: idleMs, faults: { slowFirstPacketMs: idleMs + 200 } });
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId));
    for (let i = 0; i < texts; i++) {
      await new Promise((r) => setTimeout(r, gapMs));
      c.send(textFrame(taskId, `part ${i}, `));
    }
    // The first frame waits longer than the idle timeout, but finish-task stopped the clock.
    c.send(finishFrame(taskId));
    expect((await c.end(taskId, 5_000)).header.event).toBe('task-finished');
  });

  it('is reset by every audio frame sent', async () => {
    const c = await connect({ idleTimeoutMs: IDLE_MS, faults: { frameDelayMs: IDLE_MS / 3 } });
    const taskId = newTaskId();
    // One sentence of 2.55 s of pcm 16 kHz: 10 frames, 100 ms apart, so the audio lasts far beyond the timeout.
    c.send(runTaskFrame(taskId), textFrame(taskId, 'A sentence long enough for frames. '));
    await c.until(() => c.received.filter((r) => r.kind === 'binary').length >= 8, 3_000, 'eight frames');
    expect(c.events(taskId).some((e) => e.header.event === 'task-failed')).toBe(false);
    const end = await c.end(taskId, 5_000);
    expect(end.header.error_code).toBe('CLIENT_ERROR');
  });
});
