import { describe, expect, it } from 'vitest';
import { MAX_TASK_CHARS, SERVICE_MAX_MESSAGE_CHARS } from '../../../src/protocol/limits.js';
import { checkContinueText, MESSAGE_TOO_LONG, TASK_TOO_LONG, type TextContext } from '../../../src/emulator/validate-text.js';

const PLAIN: TextContext = { enableSsml: false, ssmlSupported: true, messagesSoFar: 0, billedSoFar: 0 };
const SSML: TextContext = { ...PLAIN, enableSsml: true };

describe('checkContinueText: failures', () => {
  it.each([
    ['missing text', undefined, PLAIN, 'Parameter invalid: text is null'],
    ['empty text', '', PLAIN, 'Parameter invalid: text is null'],
    ['second message of an SSML task', 'more', { ...SSML, messagesSoFar: 1 }, 'Text request limit violated, expected 1.'],
    ['SSML on a voice without SSML', '<speak>hi</speak>', { ...SSML, ssmlSupported: false }, 'SSML text is not supported at the moment!'],
    ['malformed SSML', '<speak>hi', SSML, 'SSML text is not supported at the moment!'],
    ['over the message limit', 'a'.repeat(SERVICE_MAX_MESSAGE_CHARS + 1), PLAIN, MESSAGE_TOO_LONG],
    ['over the message limit in Han ideographs', '字'.repeat(SERVICE_MAX_MESSAGE_CHARS / 2 + 1), PLAIN, MESSAGE_TOO_LONG],
    ['over the task limit', 'a'.repeat(10), { ...PLAIN, billedSoFar: MAX_TASK_CHARS - 9 }, TASK_TOO_LONG],
  ] as const)('%s', (_name, text, context, message) => {
    expect(checkContinueText(text, context)).toEqual({ ok: false, failure: { errorCode: 'InvalidParameter', errorMessage: message } });
  });
});

describe('checkContinueText: accepted texts', () => {
  it.each([
    ['plain text', 'Hello.', PLAIN, { content: 'Hello.', billed: 6, ssml: false }],
    ['exactly the message limit', 'a'.repeat(SERVICE_MAX_MESSAGE_CHARS), PLAIN, { billed: SERVICE_MAX_MESSAGE_CHARS }],
    ['exactly the task limit', 'a'.repeat(10), { ...PLAIN, billedSoFar: MAX_TASK_CHARS - 10 }, { billed: 10 }],
    ['plain text with enable_ssml (SDK call())', 'Hello.', { ...SSML, ssmlSupported: false }, { content: 'Hello.', ssml: false }],
    ['SSML bills its text content only', '<speak>你好<break time="1s"/></speak>', SSML, { content: '你好', billed: 4, ssml: true, breaks: [{ offset: 2, ms: 1000 }] }],
    ['SSML with enable_ssml off is plain text', '<speak>hi</speak>', PLAIN, { content: '<speak>hi</speak>', billed: 17, ssml: false }],
    ['whitespace is text', '  ', PLAIN, { content: '  ', billed: 2 }],
  ] as const)('%s', (_name, text, context, expected) => {
    expect(checkContinueText(text, context)).toMatchObject({ ok: true, ...expected });
  });
});
