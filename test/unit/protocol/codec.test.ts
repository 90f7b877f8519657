import { describe, expect, it } from 'vitest';
import {
  decodeClientInstruction,
  decodeServerEvent,
  encodeContinueTask,
  encodeFinishTask,
  encodeResultGenerated,
  encodeRunTask,
  encodeTaskFailed,
  encodeTaskFinished,
  encodeTaskStarted,
} from '../../../src/protocol/codec.js';
import { ProtocolError } from '../../../src/errors.js';

const id = '9c1e0d4a6f0b4e0fa1b2c3d4e5f60718';

describe('client instructions', () => {
  it('run-task has the documented shape with empty input', () => {
    const msg = JSON.parse(
      encodeRunTask(id, 'cosyvoice-v3-flash', { text_type: 'PlainText', voice: 'longanyang', format: 'mp3', sample_rate: 24000 }),
    );
    expect(msg).toEqual({
      header: { action: 'run-task', task_id: id, streaming: 'duplex' },
      payload: {
        task_group: 'audio',
        task: 'tts',
        function: 'SpeechSynthesizer',
        model: 'cosyvoice-v3-flash',
        input: {},
        parameters: { text_type: 'PlainText', voice: 'longanyang', format: 'mp3', sample_rate: 24000 },
      },
    });
  });

  it('continue-task and finish-task round-trip through the server decoder', () => {
    const cont = decodeClientInstruction(encodeContinueTask(id, 'Hello'));
    expect(cont).toEqual({ ok: true, value: { action: 'continue-task', taskId: id, text: 'Hello', flush: false } });
    const fin = decodeClientInstruction(encodeFinishTask(id));
    expect(fin).toEqual({ ok: true, value: { action: 'finish-task', taskId: id, directive: undefined } });
  });

  it('accepts the SDK continue-task shapes and the flush variant', () => {
    const py = JSON.stringify({
      header: { action: 'continue-task', task_id: id, streaming: 'duplex' },
      payload: { model: 'cosyvoice-v2', task_group: 'audio', task: 'tts', function: 'SpeechSynthesizer', input: { text: 'x' } },
    });
    expect(decodeClientInstruction(py)).toMatchObject({ ok: true, value: { text: 'x' } });
    const flush = JSON.stringify({ header: { action: 'continue-task', task_id: id }, payload: { input: { flush: true } } });
    expect(decodeClientInstruction(flush)).toMatchObject({ ok: true, value: { flush: true, text: undefined } });
  });

  it.each([
    ['not json', 'Invalid JSON'],
    ['{"payload":{}}', "'header'"],
    ['{"header":{"action":"run-task"}}', 'task_id'],
    [`{"header":{"action":"jump","task_id":"${id}"}}`, "Unsupported action 'jump'"],
  ])('rejects %j', (raw, fragment) => {
    const r = decodeClientInstruction(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.errorCode).toBe('InvalidParameter');
      expect(r.error.errorMessage).toContain(fragment);
    }
  });
});

describe('server events', () => {
  it('round-trips every event the emulator encodes', () => {
    expect(decodeServerEvent(encodeTaskStarted(id))).toEqual({ event: 'task-started', taskId: id });
    const words = [{ text: 'Hello', begin_index: 0, end_index: 5, begin_time: 80, end_time: 420 }];
    expect(decodeServerEvent(encodeResultGenerated(id, 'sentence-end', { index: 0, words }, { originalText: 'Hello there.', characters: 12 }))).toEqual({
      event: 'result-generated',
      taskId: id,
      kind: 'sentence-end',
      sentence: { index: 0, words },
      originalText: 'Hello there.',
      characters: 12,
    });
    expect(decodeServerEvent(encodeTaskFinished(id, 48))).toEqual({ event: 'task-finished', taskId: id, characters: 48 });
    expect(decodeServerEvent(encodeTaskFailed(id, 'InvalidParameter', '[tts:]Engine return error code: 418'))).toEqual({
      event: 'task-failed',
      taskId: id,
      errorCode: 'InvalidParameter',
      errorMessage: '[tts:]Engine return error code: 418',
    });
  });

  it('decodes the documented task-finished and task-failed samples', () => {
    expect(
      decodeServerEvent('{"header":{"task_id":"a","event":"task-finished","attributes":{}},"payload":{"output":{},"usage":{"characters":48}}}'),
    ).toEqual({ event: 'task-finished', taskId: 'a', characters: 48 });
    // task-finished without payload.output or usage is still a finish (shape UNCONFIRMED)
    expect(decodeServerEvent('{"header":{"task_id":"a","event":"task-finished","attributes":{}}}')).toEqual({ event: 'task-finished', taskId: 'a' });
  });

  it('keeps unknown events and result kinds as unknown instead of failing', () => {
    expect(decodeServerEvent('{"header":{"task_id":"a","event":"task-paused"},"payload":{}}')).toEqual({ event: 'unknown', taskId: 'a', name: 'task-paused' });
    expect(
      decodeServerEvent('{"header":{"task_id":"a","event":"result-generated"},"payload":{"output":{"type":"phoneme"}}}'),
    ).toEqual({ event: 'unknown', taskId: 'a', name: 'result-generated/phoneme' });
  });

  it.each([
    ['{not json', 'not valid JSON'],
    ['[]', 'not a JSON object'],
    ['{"payload":{}}', 'no header'],
    ['{"header":{"event":"task-started"}}', 'task_id'],
    ['{"header":{"task_id":"a"}}', 'header.event'],
    ['{"header":{"task_id":"a","event":"result-generated"},"payload":{}}', 'payload.output'],
    ['{"header":{"task_id":"a","event":"result-generated"},"payload":{"output":{"type":"sentence-end"}}}', 'sentence object'],
    ['{"header":{"task_id":"a","event":"result-generated"},"payload":{"output":{"type":"sentence-end","sentence":{"index":-1}}}}', 'index'],
    ['{"header":{"task_id":"a","event":"result-generated"},"payload":{"output":{"type":"sentence-end","sentence":{"index":0,"words":[{"text":"x"}]}}}}', 'begin_index'],
    ['{"header":{"task_id":"a","event":"task-finished"},"payload":{"usage":{"characters":"12"}}}', 'usage.characters'],
  ])('rejects malformed frame %j', (raw, fragment) => {
    expect(() => decodeServerEvent(raw)).toThrow(ProtocolError);
    expect(() => decodeServerEvent(raw)).toThrow(fragment);
  });
});
