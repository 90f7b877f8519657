import { describe, expect, it } from 'vitest';
import { hintForServiceError } from '../../src/errors.js';

describe('hintForServiceError', () => {
  it('reads the engine codes 418 and 428 from the message', () => {
    expect(hintForServiceError('InvalidParameter', '[tts:]Engine return error code: 418')).toMatch(/voice does not exist for this model/);
    expect(hintForServiceError('InvalidParameter', '[tts:]Engine return error code: 428')).toMatch(/instruction forms/);
  });

  it('does not take a 418 inside a voice id or request id for the engine code', () => {
    const message = "Invalid parameter 'voice_id': voice cosyvoice-v3.5-plus-narrator1-801a64d5967145418f050a0e628066a3 does not exist. (request 4280aa)";
    expect(hintForServiceError('InvalidParameter', message)).toBeUndefined();
  });
});
