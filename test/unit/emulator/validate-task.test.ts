import { describe, expect, it } from 'vitest';
import {
  SERVICE_MAX_INSTRUCTION_CHARS,
  validateRunTask,
  type RunTaskRequest,
} from '../../../src/emulator/validate-task.js';
import { createVoiceRegistry, type VoiceRegistry } from '../../../src/emulator/voice-registry.js';

const FLASH = 'cosyvoice-v3-flash';
const CLONE = 'cosyvoice-v3-flash-narrator1-0123abcd';
/** The account every custom voice of `registry()` belongs to, and the tasks' account unless a test says otherwise. */
const ACCOUNT = 'sk-owner';

function registry(): VoiceRegistry {
  const voices = createVoiceRegistry();
  voices.set(CLONE, { targetModel: FLASH, owner: ACCOUNT, status: 'OK' });
  voices.set('cosyvoice-v3-flash-busy-0001', { targetModel: FLASH, owner: ACCOUNT, status: 'DEPLOYING' });
  voices.set('cosyvoice-v3-flash-broken-0002', { targetModel: FLASH, owner: ACCOUNT, status: 'UNDEPLOYED' });
  voices.set('cosyvoice-v3-plus-other-0003', { targetModel: 'cosyvoice-v3-plus', owner: ACCOUNT, status: 'OK' });
  return voices;
}

function request(parameters: Record<string, unknown>, payload: Partial<RunTaskRequest> = {}): RunTaskRequest {
  return {
    taskGroup: 'audio',
    task: 'tts',
    function: 'SpeechSynthesizer',
    model: FLASH,
    input: {},
    parameters: { text_type: 'PlainText', voice: 'longanyang', format: 'mp3', sample_rate: 24000, ...parameters },
    ...payload,
  };
}

const EMOTION = '你说话的情感是happy。';

describe('validateRunTask: failures', () => {
  it.each([
    ['missing model', {}, { model: undefined }, "Missing required parameter 'payload.model'! Please follow the protocol!"],
    ['unknown model', {}, { model: 'cosyvoice-v9' }, 'Model not exist.'],
    ['wrong task_group', {}, { taskGroup: 'aigc' }, /task_group.*Please follow the protocol!/],
    ['missing task', {}, { task: undefined }, /Missing required parameter 'payload.task'/],
    ['wrong function', {}, { function: 'Recognition' }, /function/],
    ['missing input', {}, { input: undefined }, /payload.input/],
    ['missing text_type', { text_type: undefined }, {}, /text_type/],
    ['text_type not PlainText', { text_type: 'SSML' }, {}, /text_type/],
    ['missing voice', { voice: undefined }, {}, 'Request voice is invalid!'],
    ['empty voice', { voice: '' }, {}, 'Request voice is invalid!'],
    ['unknown voice', { voice: 'nobody' }, {}, '[tts:]Engine return error code: 418'],
    ['v1 voice on v3-flash', { voice: 'longxiaochun' }, {}, '[tts:]Engine return error code: 418'],
    ['v3-flash voice on v2', {}, { model: 'cosyvoice-v2' }, '[tts:]Engine return error code: 418'],
    ['custom voice not registered', { voice: 'cosyvoice-v3-flash-ghost-9999' }, {}, '[tts:]Engine return error code: 418'],
    ['custom voice deploying', { voice: 'cosyvoice-v3-flash-busy-0001' }, {}, '[tts:]Engine return error code: 418'],
    ['custom voice undeployed', { voice: 'cosyvoice-v3-flash-broken-0002' }, {}, '[tts:]Engine return error code: 418'],
    ['custom voice of another model', { voice: 'cosyvoice-v3-plus-other-0003' }, {}, '[tts:]Engine return error code: 418'],
    ['system voices on v3.5', { voice: 'longanyang' }, { model: 'cosyvoice-v3.5-plus' }, '[tts:]Engine return error code: 418'],
    ['format in capitals', { format: 'MP3' }, {}, /format must be one of pcm, wav, mp3, opus/],
    ['format flac', { format: 'flac' }, {}, /format must be one of/],
    ['opus on v1', { voice: 'longxiaochun', format: 'opus', sample_rate: 24000 }, { model: 'cosyvoice-v1' }, /opus is not supported by cosyvoice-v1/],
    ['sample rate not in table', { sample_rate: 11025 }, {}, /sample_rate must be one of 8000, 16000, 22050, 24000, 44100, 48000 for format mp3/],
    ['opus at 22050', { format: 'opus', sample_rate: 22050 }, {}, /sample_rate must be one of 8000, 16000, 24000, 48000 for format opus/],
    ['sample rate as string', { sample_rate: '24000' }, {}, /sample_rate/],
    ['volume over 100', { volume: 101 }, {}, 'Parameter invalid: volume must be between 0 and 100'],
    ['volume negative', { volume: -1 }, {}, 'Parameter invalid: volume must be between 0 and 100'],
    ['volume fractional', { volume: 50.5 }, {}, 'Parameter invalid: volume must be an integer'],
    ['rate too slow', { rate: 0.4 }, {}, 'Parameter invalid: rate must be between 0.5 and 2'],
    ['rate as string', { rate: '1.0' }, {}, 'Parameter invalid: rate must be between 0.5 and 2'],
    ['pitch too high', { pitch: 2.01 }, {}, 'Parameter invalid: pitch must be between 0.5 and 2'],
    ['opus bit_rate too low', { format: 'opus', sample_rate: 48000, bit_rate: 5 }, {}, 'Parameter invalid: bit_rate must be between 6 and 510'],
    ['seed too large', { seed: 65536 }, {}, 'Parameter invalid: seed must be between 0 and 65535'],
    ['instruction too long', { voice: 'longpaopao_v3', instruction: 'x'.repeat(SERVICE_MAX_INSTRUCTION_CHARS + 1) }, {}, /instruction/],
    ['instruction not a string', { instruction: 42 }, {}, /instruction/],
    ['instruction outside the forms (UNCONFIRMED 428)', { instruction: 'Speak happily.' }, {}, '[tts:]Engine return error code: 428'],
    ['enable_ssml not boolean', { enable_ssml: 'yes' }, {}, /enable_ssml/],
  ] as const)('%s', (_name, parameters, payload, message) => {
    const result = validateRunTask(request(parameters, payload as Partial<RunTaskRequest>), registry(), ACCOUNT);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.errorCode).toBe('InvalidParameter');
    if (typeof message === 'string') expect(result.failure.errorMessage).toBe(message);
    else expect(result.failure.errorMessage).toMatch(message);
  });
});

describe('validateRunTask: custom voices belong to one account', () => {
  it('refuses a voice of another account like a missing one (418), and accepts it for its own', () => {
    const other = validateRunTask(request({ voice: CLONE }), registry(), 'sk-someone-else');
    expect(other).toMatchObject({ ok: false, failure: { errorCode: 'InvalidParameter', errorMessage: '[tts:]Engine return error code: 418' } });
    expect(validateRunTask(request({ voice: CLONE }), registry(), ACCOUNT).ok).toBe(true);
  });
});

describe('validateRunTask: accepted tasks', () => {
  it.each([
    ['SDK defaults: Default format, sample rate 0', { format: 'Default', sample_rate: 0 }, { format: 'mp3', sampleRate: 22050 }],
    ['no format and no sample rate', { format: undefined, sample_rate: undefined }, { format: 'mp3', sampleRate: 22050 }],
    ['opus without a sample rate', { format: 'opus', sample_rate: 0 }, { format: 'opus', sampleRate: 24000, bitRate: 32 }],
    ['opus bit rate', { format: 'opus', sample_rate: 48000, bit_rate: 510 }, { bitRate: 510 }],
    ['bit_rate ignored for mp3', { bit_rate: 9999 }, { bitRate: 32 }],
    ['defaults', {}, { volume: 50, rate: 1, pitch: 1, seed: 0, enableSsml: false, wordTimestamps: false }],
    ['null read as not given', { volume: null, rate: null, instruction: null }, { volume: 50, rate: 1, instruction: undefined }],
    ['edges of ranges', { volume: 0, rate: 0.5, pitch: 2, seed: 65535 }, { volume: 0, rate: 0.5, pitch: 2, seed: 65535 }],
    ['unknown keys ignored', { type: 0, style: 1, phoneme_timestamp_enabled: false, pre_task_id: 'x', whatever: { a: 1 } }, { format: 'mp3' }],
    ['instruction in a form', { instruction: EMOTION }, { instruction: EMOTION }],
    ['any instruction for a voice without forms', { voice: 'longpaopao_v3', instruction: 'Speak happily.' }, { instruction: 'Speak happily.' }],
    ['timestamps for a voice that has them', { word_timestamp_enabled: true }, { wordTimestamps: true }],
    ['timestamps off for a voice without them', { voice: 'loongabby_v3', word_timestamp_enabled: true }, { wordTimestamps: false, ssmlSupported: false }],
    ['enable_ssml on an SSML voice', { enable_ssml: true }, { enableSsml: true, ssmlSupported: true }],
    ['custom voice of the model', { voice: CLONE, word_timestamp_enabled: true }, { systemVoice: undefined, wordTimestamps: true, ssmlSupported: true }],
  ] as const)('%s', (_name, parameters, expected) => {
    const result = validateRunTask(request(parameters), registry(), ACCOUNT);
    if (!result.ok) throw new Error(`rejected: ${result.failure.errorMessage}`);
    expect(result.config).toMatchObject(expected);
  });

  it('accepts a v1 voice with v1 and never offers SSML or timestamps there', () => {
    const result = validateRunTask(
      request({ voice: 'longxiaochun', enable_ssml: true, word_timestamp_enabled: true, seed: 0 }, { model: 'cosyvoice-v1' }),
      registry(),
      ACCOUNT,
    );
    expect(result).toMatchObject({ ok: true, config: { enableSsml: true, ssmlSupported: false, wordTimestamps: false } });
  });
});

