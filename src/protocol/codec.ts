/**
 * Encoding and decoding of protocol frames, both directions. The client uses `encode*Task` and
 * `decodeServerEvent`; the emulator uses `decodeClientInstruction` and `encode*Event`, so the two cannot drift.
 * Every incoming frame is validated: a frame that does not follow the protocol raises ProtocolError (client side)
 * or yields an `InstructionError` (server side).
 */
import { ProtocolError } from '../errors.js';
import type {
  ClientAction,
  ResultKind,
  SentenceInfo,
  ServerEvent,
  SynthesisParameters,
  WordTimestamp,
} from './messages.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(action: ClientAction, taskId: string): Json {
  return { action, task_id: taskId, streaming: 'duplex' };
}

/** The run-task instruction. */
export function encodeRunTask(taskId: string, model: string, parameters: SynthesisParameters): string {
  return JSON.stringify({
    header: header('run-task', taskId),
    payload: { task_group: 'audio', task: 'tts', function: 'SpeechSynthesizer', model, input: {}, parameters },
  });
}

/** A continue-task instruction carrying one text fragment. */
export function encodeContinueTask(taskId: string, text: string): string {
  return JSON.stringify({ header: header('continue-task', taskId), payload: { input: { text } } });
}

/** The finish-task instruction. */
export function encodeFinishTask(taskId: string): string {
  return JSON.stringify({ header: header('finish-task', taskId), payload: { input: {} } });
}

// ---------------------------------------------------------------------------------------------------------------
// Server events: decoding (client side)

function fail(reason: string, raw: string): never {
  const excerpt = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
  throw new ProtocolError(`malformed frame from the server: ${reason} (frame: ${JSON.stringify(excerpt)})`);
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function decodeWord(value: unknown, raw: string): WordTimestamp {
  if (!isObject(value)) fail('a word timestamp is not an object', raw);
  const text = value['text'];
  const fields = ['begin_index', 'end_index', 'begin_time', 'end_time'] as const;
  if (typeof text !== 'string') fail('a word timestamp has no text', raw);
  const out: WordTimestamp = { text, begin_index: 0, end_index: 0, begin_time: 0, end_time: 0 };
  for (const f of fields) {
    const n = value[f];
    if (typeof n !== 'number' || !Number.isFinite(n)) fail(`a word timestamp has no numeric ${f}`, raw);
    out[f] = n;
  }
  return out;
}

function decodeSentence(value: unknown, raw: string): SentenceInfo {
  if (!isObject(value)) fail('result-generated without a sentence object', raw);
  const index = value['index'];
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) fail('sentence.index is not an integer', raw);
  const wordsRaw = value['words'] ?? [];
  if (!Array.isArray(wordsRaw)) fail('sentence.words is not an array', raw);
  const sentence: SentenceInfo = { index, words: wordsRaw.map((w) => decodeWord(w, raw)) };
  const begin = optionalNumber(value['begin_time']);
  const end = optionalNumber(value['end_time']);
  if (begin !== undefined) sentence.begin_time = begin;
  if (end !== undefined) sentence.end_time = end;
  return sentence;
}

function usageCharacters(payload: Json, raw: string): number | undefined {
  const usage = payload['usage'];
  if (usage === undefined || usage === null) return undefined;
  if (!isObject(usage)) fail('payload.usage is not an object', raw);
  const chars = usage['characters'];
  if (chars === undefined) return undefined;
  if (typeof chars !== 'number' || !Number.isInteger(chars) || chars < 0) fail('usage.characters is not a count', raw);
  return chars;
}

const RESULT_KINDS: readonly string[] = ['sentence-begin', 'sentence-synthesis', 'sentence-end'];

/**
 * Decodes one JSON text frame from the server.
 * @throws ProtocolError when the frame is not JSON or lacks what its event requires.
 */
export function decodeServerEvent(raw: string): ServerEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    fail('not valid JSON', raw);
  }
  if (!isObject(parsed)) fail('not a JSON object', raw);
  const head = parsed['header'];
  if (!isObject(head)) fail('no header object', raw);
  const taskId = head['task_id'];
  const name = head['event'];
  if (typeof taskId !== 'string') fail('header.task_id is missing', raw);
  if (typeof name !== 'string') fail('header.event is missing', raw);
  const payload = parsed['payload'] ?? {};
  if (!isObject(payload)) fail('payload is not an object', raw);

  switch (name) {
    case 'task-started':
      return { event: 'task-started', taskId };
    case 'task-finished': {
      const characters = usageCharacters(payload, raw);
      return characters === undefined ? { event: 'task-finished', taskId } : { event: 'task-finished', taskId, characters };
    }
    case 'task-failed': {
      const code = head['error_code'];
      const message = head['error_message'];
      return {
        event: 'task-failed',
        taskId,
        errorCode: typeof code === 'string' ? code : '',
        errorMessage: typeof message === 'string' ? message : '',
      };
    }
    case 'result-generated': {
      const output = payload['output'];
      if (!isObject(output)) fail('result-generated without payload.output', raw);
      const kind = output['type'];
      if (typeof kind !== 'string') fail('result-generated without output.type', raw);
      if (!RESULT_KINDS.includes(kind)) return { event: 'unknown', taskId, name: `result-generated/${kind}` };
      const sentence = decodeSentence(output['sentence'], raw);
      const event: ServerEvent = { event: 'result-generated', taskId, kind: kind as ResultKind, sentence };
      const original = output['original_text'];
      if (typeof original === 'string') event.originalText = original;
      const characters = usageCharacters(payload, raw);
      if (characters !== undefined) event.characters = characters;
      return event;
    }
    default:
      return { event: 'unknown', taskId, name };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Server events: encoding (emulator side)

function serverFrame(taskId: string, event: string, payload: Json, extraHeader: Json = {}): string {
  return JSON.stringify({ header: { task_id: taskId, event, ...extraHeader, attributes: {} }, payload });
}

/** task-started. */
export function encodeTaskStarted(taskId: string): string {
  return serverFrame(taskId, 'task-started', {});
}

/** A result-generated event of the given kind. */
export function encodeResultGenerated(
  taskId: string,
  kind: ResultKind,
  sentence: SentenceInfo,
  extra: { originalText?: string; characters?: number } = {},
): string {
  const output: Json = { type: kind, sentence };
  if (extra.originalText !== undefined) output['original_text'] = extra.originalText;
  const payload: Json = { output };
  if (extra.characters !== undefined) payload['usage'] = { characters: extra.characters };
  return serverFrame(taskId, 'result-generated', payload);
}

/** task-finished with the task's billed characters. */
export function encodeTaskFinished(taskId: string, characters: number): string {
  return serverFrame(taskId, 'task-finished', { output: {}, usage: { characters } });
}

/** task-failed with the service's code and message in the header. */
export function encodeTaskFailed(taskId: string, errorCode: string, errorMessage: string): string {
  return serverFrame(taskId, 'task-failed', {}, { error_code: errorCode, error_message: errorMessage });
}

// ---------------------------------------------------------------------------------------------------------------
// Client instructions: decoding (emulator side)

/** A client instruction as the server understands it; lenient about the shapes the official SDKs send. */
export type DecodedInstruction =
  | {
      action: 'run-task';
      taskId: string;
      model: string | undefined;
      parameters: Json;
      input: unknown;
      /** Routing fields as received (the service expects audio / tts / SpeechSynthesizer). */
      taskGroup: unknown;
      task: unknown;
      function: unknown;
    }
  | { action: 'continue-task'; taskId: string; text: string | undefined; flush: boolean }
  | { action: 'finish-task'; taskId: string; directive: string | undefined };

/** Why an instruction could not be understood, with the error the service would send. */
export interface InstructionError {
  taskId: string | undefined;
  errorCode: string;
  errorMessage: string;
}

/**
 * Decodes a client text frame as the service does. Accepts the three continue-task shapes (docs' minimal form,
 * PY-SDK with model/task fields repeated, JAVA-SDK with parameters repeated) and the flush variant.
 */
export function decodeClientInstruction(raw: string): { ok: true; value: DecodedInstruction } | { ok: false; error: InstructionError } {
  const protocolError = (taskId: string | undefined, what: string) => ({
    ok: false as const,
    error: { taskId, errorCode: 'InvalidParameter', errorMessage: `${what} Please follow the protocol!` },
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return protocolError(undefined, 'Invalid JSON message!');
  }
  if (!isObject(parsed) || !isObject(parsed['header'])) return protocolError(undefined, "Missing required parameter 'header'!");
  const head = parsed['header'];
  const taskId = typeof head['task_id'] === 'string' && head['task_id'] !== '' ? head['task_id'] : undefined;
  if (taskId === undefined) return protocolError(undefined, "Missing required parameter 'header.task_id'!");
  const action = head['action'];
  const payload = isObject(parsed['payload']) ? parsed['payload'] : {};
  const input = payload['input'];
  switch (action) {
    case 'run-task': {
      const model = typeof payload['model'] === 'string' && payload['model'] !== '' ? payload['model'] : undefined;
      const parameters = isObject(payload['parameters']) ? payload['parameters'] : {};
      return {
        ok: true,
        value: {
          action,
          taskId,
          model,
          parameters,
          input,
          taskGroup: payload['task_group'],
          task: payload['task'],
          function: payload['function'],
        },
      };
    }
    case 'continue-task': {
      const inputObj = isObject(input) ? input : {};
      const text = typeof inputObj['text'] === 'string' ? inputObj['text'] : undefined;
      const flush = inputObj['flush'] === true;
      return { ok: true, value: { action, taskId, text, flush } };
    }
    case 'finish-task': {
      const inputObj = isObject(input) ? input : {};
      const directive = typeof inputObj['directive'] === 'string' ? inputObj['directive'] : undefined;
      return { ok: true, value: { action, taskId, directive } };
    }
    default:
      return protocolError(taskId, `Unsupported action '${String(action)}'!`);
  }
}
