import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import { countCharacters } from '../../../src/protocol/counting.js';
import { segment } from '../../../src/emulator/segmenter.js';
import { DEFAULT_MS_PER_CHARACTER } from '../../../src/emulator/server.js';
import {
  baseParameters,
  continueFrame,
  finishFrame,
  newTaskId,
  runTaskFrame,
  synthesize,
  textFrame,
  type ContinueShape,
  type Received,
  type ServerFrame,
  emulatorFixture,
} from './client.js';

const fx = emulatorFixture();

const connect = fx.connect;

const WAV_HEADER_BYTES = 44;
const TEXTS = ['Hello there. How are', ' you today? 你好，世界。', 'The end'];

/** Milliseconds of audio the emulator produces for `texts`: counted characters of each trimmed sentence. */
function expectedMs(texts: string[], rate = 1, msPerCharacter = DEFAULT_MS_PER_CHARACTER): number {
  const { sentences } = segment(texts.join(''), true);
  return sentences.reduce((sum, s) => sum + countCharacters(s.text), 0) * (msPerCharacter / rate);
}

/** Checks the frame grammar of one task and returns its sentence-end events. */
function checkGrammar(received: Received[], taskId: string): ServerFrame[] {
  const isOwn = (r: Received, event: string): boolean =>
    r.kind === 'event' && r.event.header.task_id === taskId && r.event.header.event === event;
  const first = received.findIndex((r) => isOwn(r, 'task-started'));
  const last = received.findIndex((r) => isOwn(r, 'task-finished'));
  expect(first).toBeGreaterThanOrEqual(0);
  const items = received.slice(first, last + 1);
  const kinds = items.map((r) => (r.kind === 'event' ? (r.event.payload.output?.type ?? r.event.header.event) : r.kind));
  expect(kinds[0]).toBe('task-started');
  expect(kinds[kinds.length - 1]).toBe('task-finished');
  const ends: ServerFrame[] = [];
  let open: number | undefined;
  let lastIndex = -1;
  for (const [i, item] of items.entries()) {
    const kind = kinds[i];
    if (item.kind === 'binary') {
      expect(kinds[i - 1], `frame ${i} must follow sentence-synthesis`).toBe('sentence-synthesis');
      continue;
    }
    if (kind === 'sentence-synthesis') expect(kinds[i + 1], `frame ${i + 1} must be binary`).toBe('binary');
    if (item.kind !== 'event') throw new Error(`unexpected text frame ${JSON.stringify(item)}`);
    const index = item.event.payload.output?.sentence?.index;
    if (kind === 'sentence-begin') {
      expect(open).toBeUndefined();
      expect(index).toBe(lastIndex + 1);
      expect(item.event.payload.output?.sentence?.words).toEqual([]);
      open = index;
    } else if (kind === 'sentence-synthesis') {
      // Inside a sentence, or the closing frames after the last one.
      expect(index).toBe(open ?? lastIndex);
    } else if (kind === 'sentence-end') {
      expect(index).toBe(open);
      lastIndex = index ?? -1;
      open = undefined;
      ends.push(item.event);
    }
  }
  expect(open).toBeUndefined();
  return ends;
}

describe('a synthesis task', () => {
  it('streams begin, synthesis+binary pairs and end per sentence, then task-finished with the usage', async () => {
    const c = await connect();
    const { taskId, end } = await synthesize(c, TEXTS);
    const ends = checkGrammar(c.received, taskId);
    const begins = c.events(taskId).filter((e) => e.payload.output?.type === 'sentence-begin');
    expect(begins.map((e) => e.payload.output?.original_text)).toEqual([
      'Hello there.',
      'How are you today?',
      '你好，世界。',
      'The end',
    ]);
    const usages = ends.map((e) => e.payload.usage?.characters ?? -1);
    expect(usages).toEqual([...usages].sort((a, b) => a - b));
    const total = countCharacters(TEXTS.join(''));
    expect(end.payload).toEqual({ output: {}, usage: { characters: total } });
    expect(end.header).toEqual({ task_id: taskId, event: 'task-finished', attributes: {} });
    expect(fx.emulator?.tasks[0]).toMatchObject({
      taskId,
      status: 'finished',
      texts: TEXTS,
      billedCharacters: total,
      audioBytes: c.audio().length,
      audioFrames: c.received.filter((r) => r.kind === 'binary').length,
    });
  });

  it.each([
    ['pcm 16000', 'pcm', 16000, 1],
    ['pcm 48000 at rate 2', 'pcm', 48000, 2],
    ['pcm 8000 at rate 0.5', 'pcm', 8000, 0.5],
    ['wav 22050', 'wav', 22050, 1],
  ] as const)('produces exactly the samples of the text in %s', async (_name, format, sampleRate, rate) => {
    const c = await connect();
    await synthesize(c, TEXTS, baseParameters({ format, sample_rate: sampleRate, rate }));
    const samples = Math.round((expectedMs(TEXTS, rate) * sampleRate) / 1000);
    const header = format === 'wav' ? WAV_HEADER_BYTES : 0;
    const audio = c.audio();
    expect(audio.length).toBe(header + samples * 2);
    if (format === 'wav') {
      expect(audio.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(audio.readUInt32LE(24)).toBe(sampleRate);
    }
  });

  it.each([
    ['mp3', { format: 'mp3', sample_rate: 24000 }, 'MPEG', 24000],
    ['opus', { format: 'opus', sample_rate: 48000, bit_rate: 64 }, 'Opus', 48000],
    ['wav', { format: 'wav', sample_rate: 16000 }, 'PCM', 16000],
    ['the SDK default (Default, 0) as mp3 22050', { format: 'Default', sample_rate: 0 }, 'MPEG', 22050],
  ] as const)('produces a decodable %s stream of the right duration', async (_name, params, codec, sampleRate) => {
    const c = await connect();
    await synthesize(c, TEXTS, baseParameters(params));
    const meta = await parseBuffer(c.audio(), undefined, { duration: true });
    expect(meta.format.codec ?? meta.format.container).toMatch(new RegExp(codec, 'i'));
    expect(meta.format.sampleRate).toBe(sampleRate);
    expect(meta.format.duration ?? 0).toBeCloseTo(expectedMs(TEXTS) / 1000, 1);
  });

  it.each([
    ['the tail is spoken at finish-task', ['One. ', 'Two']],
    ['the last sentence was complete before finish-task', ['One. ', 'Two. ']],
  ])('ends an opus stream with its end-of-stream page, inside the last sentence when %s', async (_name, texts) => {
    const c = await connect();
    const { taskId } = await synthesize(c, texts, baseParameters({ format: 'opus', sample_rate: 24000 }));
    const kinds = c.received.map((r) => (r.kind === 'event' ? `${r.event.payload.output?.type ?? r.event.header.event}` : r.kind));
    const lastBinary = kinds.lastIndexOf('binary');
    const frames = c.received.filter((r): r is Extract<typeof r, { kind: 'binary' }> => r.kind === 'binary');
    const last = frames.at(-1)?.data;
    expect(last?.subarray(0, 4).toString('latin1')).toBe('OggS');
    expect((last?.[5] ?? 0) & 0x04).toBe(0x04); // header_type: end of stream
    expect(frames.slice(0, -1).every((f) => (f.data[5] ?? 0) !== 0x04)).toBe(true);
    if (texts[1] === 'Two') {
      // Spoken after finish-task: its sentence-end follows the closing page.
      expect(kinds.slice(lastBinary + 1)).toEqual(['sentence-end', 'task-finished']);
    } else {
      // Already ended before finish-task: the closing page can only follow, marked with its index.
      expect(kinds.slice(lastBinary - 1)).toEqual(['sentence-synthesis', 'binary', 'task-finished']);
    }
    expect(c.events(taskId).every((e) => e.payload.output?.type !== 'sentence-synthesis' || e.payload.output.sentence?.index !== undefined)).toBe(true);
  });

  it.each(['pcm', 'wav', 'mp3'] as const)('is deterministic in %s', async (format) => {
    const c = await connect();
    const params = baseParameters({ format, sample_rate: 24000, volume: 80, pitch: 1.2, seed: 7 });
    await synthesize(c, TEXTS, params);
    const first = c.audio();
    const d = await connect();
    await synthesize(d, TEXTS, params);
    expect(d.audio().equals(first)).toBe(true);
  });

  it('honours instructions sent before task-started (JAVA-SDK streams without waiting)', async () => {
    const c = await connect();
    const taskId = newTaskId();
    c.ws.send(runTaskFrame(taskId) + '');
    c.send(textFrame(taskId, 'One. '), textFrame(taskId, 'Two.'), finishFrame(taskId));
    const end = await c.end(taskId);
    expect(end.header.event).toBe('task-finished');
    expect(c.events(taskId)[0]?.header.event).toBe('task-started');
    expect(fx.emulator?.tasks[0]?.texts).toEqual(['One. ', 'Two.']);
  });

  it.each(['minimal', 'python', 'java'] as const)('accepts the %s continue-task shape', async (shape: ContinueShape) => {
    const c = await connect();
    const taskId = newTaskId();
    c.send(
      runTaskFrame(taskId),
      continueFrame(taskId, { text: 'Shape test. ' }, shape),
      continueFrame(taskId, { text: '你好。' }, shape),
      finishFrame(taskId),
    );
    const end = await c.end(taskId);
    expect(end.payload.usage?.characters).toBe(countCharacters('Shape test. 你好。'));
    expect(c.audio().length).toBe(Math.round((expectedMs(['Shape test. 你好。']) * 16000) / 1000) * 2);
  });

  it('ignores unknown parameters the SDKs send', async () => {
    const c = await connect();
    const params = baseParameters({
      type: 0,
      style: 0,
      phoneme_timestamp_enabled: false,
      pre_task_id: 'abc',
      enable_aigc_tag: false,
      hot_fix: { replace: [{ a: 'b' }] },
      language_hints: ['en'],
      something_new: { nested: true },
    });
    const { end } = await synthesize(c, ['Hello.'], params);
    expect(end.header.event).toBe('task-finished');
    expect(fx.emulator?.tasks[0]?.parameters).toEqual(params);
  });

  it('synthesises complete sentences before finish-task and keeps the tail until then', async () => {
    const c = await connect();
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId), textFrame(taskId, 'First sentence. Second without end'));
    const endsOf = (): ServerFrame[] => c.events(taskId).filter((e) => e.payload.output?.type === 'sentence-end');
    await c.until(() => endsOf().length === 1, 2_000, 'the first sentence-end');
    await new Promise((r) => setTimeout(r, 100));
    expect(endsOf()).toHaveLength(1);
    c.send(finishFrame(taskId));
    await c.end(taskId);
    const begins = c.events(taskId).filter((e) => e.payload.output?.type === 'sentence-begin');
    expect(begins.map((e) => e.payload.output?.original_text)).toEqual(['First sentence.', 'Second without end']);
  });

  it('synthesises the buffered tail on flush without ending the task', async () => {
    const c = await connect();
    const taskId = newTaskId();
    c.send(runTaskFrame(taskId), textFrame(taskId, 'No terminator here'), continueFrame(taskId, { flush: true }, 'python'));
    await c.until(
      () => c.events(taskId).some((e) => e.payload.output?.type === 'sentence-end'),
      2_000,
      'the flushed sentence',
    );
    expect(c.events(taskId).some((e) => e.header.event === 'task-finished')).toBe(false);
    c.send(textFrame(taskId, 'More text.'), finishFrame(taskId));
    await c.end(taskId);
    const begins = c.events(taskId).filter((e) => e.payload.output?.type === 'sentence-begin');
    expect(begins.map((e) => e.payload.output?.original_text)).toEqual(['No terminator here', 'More text.']);
    expect(fx.emulator?.tasks[0]?.flushes).toBe(1);
  });

  it('runs tasks one after another on the same socket', async () => {
    const c = await connect();
    const first = await synthesize(c, ['First task.']);
    const second = await synthesize(c, ['Second task.'], baseParameters({ format: 'mp3', sample_rate: 16000 }));
    expect([first.end.header.event, second.end.header.event]).toEqual(['task-finished', 'task-finished']);
    checkGrammar(c.received, second.taskId);
    expect(fx.emulator?.tasks.map((t) => [t.connectionId, t.status])).toEqual([
      [1, 'finished'],
      [1, 'finished'],
    ]);
  });
});

describe('word timestamps', () => {
  it('are absent unless enabled', async () => {
    const c = await connect();
    const { taskId } = await synthesize(c, TEXTS);
    for (const e of c.events(taskId)) expect(e.payload.output?.sentence?.words ?? []).toEqual([]);
  });

  it('fill sentence-end when enabled: words with offsets into the sentence and monotonic times', async () => {
    const c = await connect();
    const { taskId } = await synthesize(c, TEXTS, baseParameters({ word_timestamp_enabled: true, rate: 1.25 }));
    const ends = c.events(taskId).filter((e) => e.payload.output?.type === 'sentence-end');
    const words = ends.flatMap((e) => {
      const text = Array.from(e.payload.output?.original_text ?? '');
      const list = e.payload.output?.sentence?.words ?? [];
      for (const w of list) expect(text.slice(w.begin_index, w.end_index).join('')).toBe(w.text);
      return list;
    });
    expect(words.map((w) => w.text)).toEqual(['Hello', 'there', 'How', 'are', 'you', 'today', '你', '好', '世', '界', 'The', 'end']);
    let last = 0;
    for (const w of words) {
      expect(w.begin_time).toBeGreaterThanOrEqual(last);
      expect(w.end_time).toBeGreaterThan(w.begin_time);
      last = w.end_time;
    }
    expect(last).toBeLessThanOrEqual(Math.round(expectedMs(TEXTS, 1.25)));
    expect(words[0]?.begin_time).toBe(0);
  });

  it('are absent for a voice without timestamps even when enabled', async () => {
    const c = await connect();
    const { taskId } = await synthesize(c, ['Hello there.'], baseParameters({ voice: 'loongabby_v3', word_timestamp_enabled: true }));
    for (const e of c.events(taskId)) expect(e.payload.output?.sentence?.words ?? []).toEqual([]);
  });
});

describe('SSML', () => {
  it('speaks the text content, bills it without tags and adds break silence', async () => {
    const c = await connect();
    const ssml = '<speak>你好<break time="500ms"/>世界。Next one.</speak>';
    const { taskId, end } = await synthesize(c, [ssml], baseParameters({ enable_ssml: true, word_timestamp_enabled: true }));
    expect(end.payload.usage?.characters).toBe(countCharacters('你好世界。Next one.'));
    const begins = c.events(taskId).filter((e) => e.payload.output?.type === 'sentence-begin');
    expect(begins.map((e) => e.payload.output?.original_text)).toEqual(['你好世界。', 'Next one.']);
    const ms = expectedMs(['你好世界。Next one.']) + 500;
    expect(c.audio().length).toBe(Math.round((ms * 16000) / 1000) * 2);
    const first = c.events(taskId).find((e) => e.payload.output?.type === 'sentence-end');
    const words = first?.payload.output?.sentence?.words ?? [];
    expect(words[2]?.begin_time).toBe(2 * 2 * DEFAULT_MS_PER_CHARACTER + 500);
  });

  it('keeps a break after the last sentence as trailing audio before task-finished', async () => {
    const c = await connect();
    const { taskId } = await synthesize(c, ['<speak>Hello. <break time="1s"/></speak>'], baseParameters({ enable_ssml: true }));
    checkGrammar(c.received, taskId);
    expect(c.audio().length).toBe(Math.round(((expectedMs(['Hello.']) + 1000) * 16000) / 1000) * 2);
  });

  it('accepts plain text with enable_ssml, as the SDKs call() sends it, even on a voice without SSML', async () => {
    const c = await connect();
    const { end } = await synthesize(c, ['Plain text.'], baseParameters({ voice: 'loongabby_v3', enable_ssml: true }));
    expect(end.header.event).toBe('task-finished');
  });
});

describe('finish-task with directive cancel (UNCONFIRMED semantics)', () => {
  // Without a frame delay too: the emulator reads instructions while frames go out, not after the sentence.
  it.each([
    ['with a frame delay', 20],
    ['without a frame delay', 0],
  ])('drops the audio not yet sent and finishes promptly (%s)', async (_name, frameDelayMs) => {
    const c = await connect({ faults: { frameDelayMs } });
    const taskId = newTaskId();
    const long = 'This sentence is long enough to take many frames of audio at this rate. '.repeat(8);
    c.send(runTaskFrame(taskId, baseParameters({ sample_rate: 48000 })), textFrame(taskId, long));
    await c.until(() => c.received.some((r) => r.kind === 'binary'), 2_000, 'the first frame');
    c.send(finishFrame(taskId, { directive: 'cancel' }));
    const end = await c.end(taskId, 2_000);
    expect(end.header.event).toBe('task-finished');
    const full = Math.round((expectedMs([long]) * 48000) / 1000) * 2;
    expect(c.audio().length).toBeLessThan(full / 2);
  });

  it('also ends a task whose plain finish-task is already being served', async () => {
    const c = await connect({ faults: { frameDelayMs: 20 } });
    const taskId = newTaskId();
    const long = 'Another long sentence that needs quite a few frames of audio. '.repeat(5);
    c.send(runTaskFrame(taskId, baseParameters({ sample_rate: 48000 })), textFrame(taskId, long), finishFrame(taskId));
    await c.until(() => c.received.some((r) => r.kind === 'binary'), 2_000, 'the first frame');
    c.send(finishFrame(taskId, { directive: 'cancel' }));
    const end = await c.end(taskId, 2_000);
    expect(end.header.event).toBe('task-finished');
    await new Promise((r) => setTimeout(r, 100));
    expect(c.events(taskId).filter((e) => e.header.event.startsWith('task-f'))).toHaveLength(1);
    expect(fx.emulator?.tasks[0]?.status).toBe('finished');
  });
});
