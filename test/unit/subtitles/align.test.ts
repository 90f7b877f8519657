import { describe, expect, it } from 'vitest';
import { alignSentence, foldText, locateServiceWords, mapSpan } from '../../../src/subtitles/align.js';

/** The user text an alignment covers, or undefined. */
function aligned(user: string, service: string, from = 0): string | undefined {
  const cps = Array.from(user);
  const a = alignSentence(foldText(user), cps, from, foldText(service));
  return a === undefined ? undefined : cps.slice(a.begin, a.end).join('');
}

describe('alignSentence', () => {
  it.each([
    ['exact', 'Hello there. Bye.', 'Hello there.', 0, 'Hello there.'],
    ['from a later position', 'Hello there. Bye.', 'bye.', 0, 'Bye.'],
    ['the nearest repeat after `from`', 'Yes. Yes! Yes?', 'yes', 5, 'Yes!'],
    ['whitespace inserted by the service', '中文English混合', '中文 English 混合', 0, '中文English混合'],
    ['opening marks the service dropped, back to `from` only', '«Oui», dit-il.', 'Oui, dit-il.', 0, '«Oui», dit-il.'],
    ['closing marks, but not the next opening one', '他说：“走。”“好！”', '他说：“走。', 0, '他说：“走。”'],
    ['a different text', 'Hello there.', 'Goodbye.', 0, undefined],
    ['nothing to compare', 'Hello.', '  ', 0, undefined],
    ['text too far past `from`', `${'x '.repeat(2_000)}Hello.`, 'Hello.', 0, undefined],
  ])('%s', (_name, user, service, from, expected) => {
    expect(aligned(user, service, from)).toBe(expected);
  });
});

describe('locateServiceWords', () => {
  it('uses indices that hold the word and searches for the others in order', () => {
    const keys = foldText('the cat and the hat');
    const spans = locateServiceWords(keys, [
      { text: 'the', begin_index: 0, end_index: 3 },
      { text: 'cat', begin_index: 0, end_index: 1 },
      { text: 'and', begin_index: 99, end_index: 102 },
      { text: 'the', begin_index: 0, end_index: 1 },
      { text: 'dog', begin_index: 16, end_index: 19 },
      { text: ' ', begin_index: 3, end_index: 4 },
    ]);
    expect(spans).toEqual([
      { begin: 0, end: 3 },
      { begin: 4, end: 7 },
      { begin: 8, end: 11 },
      { begin: 12, end: 15 },
      undefined,
      undefined,
    ]);
  });
});

describe('mapSpan', () => {
  it('covers the matched user code points of a span', () => {
    expect(mapSpan([5, -1, 7, 8], { begin: 0, end: 3 })).toEqual({ begin: 5, end: 8 });
    expect(mapSpan([-1, -1], { begin: 0, end: 2 })).toBeUndefined();
  });
});
