import { describe, expect, it } from 'vitest';
import { canonicalJson, groupByRequest, requestKey } from '../../../src/batch/cache.js';
import type { SynthesisParameters } from '../../../src/protocol/messages.js';

const params = (over: Partial<SynthesisParameters> = {}): SynthesisParameters => ({
  text_type: 'PlainText', voice: 'longanyang', format: 'mp3', sample_rate: 22050, volume: 50, rate: 1, pitch: 1, ...over,
});

describe('requestKey', () => {
  it('does not depend on the order of parameter keys', () => {
    const reordered = Object.fromEntries(Object.entries(params()).reverse()) as unknown as SynthesisParameters;
    expect(requestKey('m', reordered, [['Hi.']])).toBe(requestKey('m', params(), [['Hi.']]));
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });

  it.each<[string, string, SynthesisParameters, string[][]]>([
    ['the text', 'm', params(), [['Hi!']]],
    ['the split into messages', 'm', params(), [['Hi.', '']]],
    ['the voice', 'm', params({ voice: 'longanhuan' }), [['Hi.']]],
    ['the format', 'm', params({ format: 'wav' }), [['Hi.']]],
    ['the rate', 'm', params({ rate: 1.1 }), [['Hi.']]],
    ['the seed', 'm', params({ seed: 1 }), [['Hi.']]],
    ['the model', 'other', params(), [['Hi.']]],
  ])('changes with %s', (_what, model, parameters, tasks) => {
    expect(requestKey(model, parameters, tasks)).not.toBe(requestKey('m', params(), [['Hi.']]));
  });
});

describe('groupByRequest', () => {
  const items = [{ key: 'a', n: 1 }, { key: 'b', n: 2 }, { key: 'a', n: 3 }, { key: 'c', n: 4 }, { key: 'b', n: 5 }];
  it('groups identical requests in order of first appearance, first item first', () => {
    expect(groupByRequest(items).map((g) => [g.key, g.items.map((i) => i.n)])).toEqual([['a', [1, 3]], ['b', [2, 5]], ['c', [4]]]);
  });
  it('keeps every item alone without the cache', () => {
    expect(groupByRequest(items, false).map((g) => g.items.map((i) => i.n))).toEqual([[1], [2], [3], [4], [5]]);
  });
});
