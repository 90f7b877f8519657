import { describe, expect, it } from 'vitest';
import { designLanguageOf, enrollmentTarget, isChineseOrEnglish, prefixProblem, PREFIX_PATTERN } from '../../../src/voices/enrollment-rules.js';

describe('prefixProblem', () => {
  it.each([
    ['narrator1', undefined],
    ['a', undefined],
    ['123456789', undefined],
    ['', /empty/],
    ['Narrator', /uppercase/],
    ['my-voice', /only lowercase letters a-z and digits/],
    ['my_voice', /only lowercase/],
    ['é', /only lowercase/],
    ['abcdefghij', /10 characters long; at most 9/],
  ])('%j → %s', (prefix, expected) => {
    const problem = prefixProblem(prefix);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
    expect(PREFIX_PATTERN.test(prefix)).toBe(expected === undefined);
  });
});

describe('isChineseOrEnglish and designLanguageOf', () => {
  it.each([
    ['Calm male news anchor, 40 years old.', true, 'en'],
    ['温柔的年轻女声，语速适中。', true, 'zh'],
    ['A voice like 新闻主播', true, 'zh'],
    ['やさしい声', false, 'zh'],
    ['Спокойный голос', false, 'en'],
    ['한국어 목소리', false, 'en'],
    ['123 !?', true, 'en'],
  ])('%s', (text, ok, language) => {
    expect(isChineseOrEnglish(text)).toBe(ok);
    expect(designLanguageOf(text)).toBe(language);
  });
});

describe('enrollmentTarget', () => {
  it('knows which models can be cloned to and designed for', () => {
    expect(enrollmentTarget('cosyvoice-v2', 'clone')?.id).toBe('cosyvoice-v2');
    expect(enrollmentTarget('cosyvoice-v2', 'design')).toBeUndefined();
    expect(enrollmentTarget('cosyvoice-v3.5-plus', 'design')?.id).toBe('cosyvoice-v3.5-plus');
    expect(enrollmentTarget('voice-enrollment', 'clone')).toBeUndefined();
  });
});
