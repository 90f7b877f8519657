import { describe, expect, it } from 'vitest';
import { countCharacters } from '../../../src/protocol/counting.js';
import { MAX_SENTENCE_CHARS, segment } from '../../../src/emulator/segmenter.js';

/** The trimmed sentences and the rest, for compact tables. */
function run(buffer: string, final = false): { texts: string[]; rest: string } {
  const { sentences, rest } = segment(buffer, final);
  return { texts: sentences.map((s) => s.text), rest };
}

describe('segment', () => {
  it.each([
    // [buffer, final, sentences, rest]
    ['你好。世界', false, ['你好。'], '世界'],
    ['你好！你好？你好；', false, ['你好！', '你好？', '你好；'], ''],
    ['等等……然后', false, ['等等……'], '然后'],
    ['line one\nline two', false, ['line one'], 'line two'],
    ['Hello there. How are', false, ['Hello there.'], ' How are'],
    ['Hello there.', false, [], 'Hello there.'],
    ['Hello there. ', false, ['Hello there.'], ' '],
    ['Really?! Yes', false, ['Really?!'], ' Yes'],
    ['He said "stop." Then', false, ['He said "stop."'], ' Then'],
    ['(Aside.) Next', false, ['(Aside.)'], ' Next'],
    ['Pi is 3.14 exactly. OK', false, ['Pi is 3.14 exactly.'], ' OK'],
    ['a.b.c', false, [], 'a.b.c'],
    ['Wait... what', false, ['Wait...'], ' what'],
    ['他说：“你好。”然后', false, ['他说：“你好。”'], '然后'],
    ['Mixed.。Next', false, ['Mixed.。'], 'Next'],
    ['\n\n  Lead.\n', false, ['Lead.'], ''],
    ['tail without end', true, ['tail without end'], ''],
    ['One. two', true, ['One.', 'two'], ''],
    ['   ', true, [], '   '],
    ['', true, [], ''],
    ['Done.', true, ['Done.'], ''],
  ] as const)('%j (final %s)', (buffer, final, texts, rest) => {
    expect(run(buffer, final)).toEqual({ texts, rest });
  });

  it('consumes every character exactly once (raw pieces and rest rebuild the buffer)', () => {
    const buffer = '  First one.  Second?\n\nThird；fourth, still going';
    const { sentences, rest } = segment(buffer, false);
    expect(sentences.map((s) => s.raw).join('') + rest).toBe(buffer);
    for (const s of sentences) expect(s.raw.slice(s.leading, s.leading + s.text.length)).toBe(s.text);
  });

  it('cuts an unterminated sentence after its last comma once it exceeds the limit', () => {
    const clause = 'abcdefghi, '; // 11 counted characters
    const buffer = clause.repeat(40);
    const { sentences, rest } = segment(buffer, false);
    expect(sentences.length).toBeGreaterThan(0);
    for (const s of sentences) {
      expect(countCharacters(s.raw)).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
      expect(s.text.endsWith(',')).toBe(true);
    }
    expect(countCharacters(rest)).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    expect(sentences.map((s) => s.raw).join('') + rest).toBe(buffer);
  });

  it('cuts hard at the limit when there is no comma or space (Han ideographs count 2)', () => {
    const perSentence = MAX_SENTENCE_CHARS / 2;
    const buffer = '字'.repeat(2 * perSentence + 100);
    const { sentences, rest } = segment(buffer, false);
    expect(sentences.map((s) => s.text)).toEqual(['字'.repeat(perSentence), '字'.repeat(perSentence)]);
    expect(rest).toBe('字'.repeat(100));
  });

  it('keeps surrogate pairs whole', () => {
    const ext = '𠀀'; // CJK Extension B, two UTF-16 code units, counts 2
    const { sentences, rest } = segment(ext.repeat(200), false);
    for (const s of [...sentences.map((x) => x.raw), rest]) expect(s).toBe(ext.repeat(Array.from(s).length));
  });

  it('scans a long run of terminators that ends nothing once (no quadratic blow-up)', () => {
    // 400,000 terminators: about 40 ms when the run is scanned once; rescanning it for every 300-character cut took
    // 12 s. The bound leaves a loaded machine fifty times the linear time.
    const buffer = `${'.'.repeat(400_000)}x`;
    const started = performance.now();
    const { sentences, rest } = segment(buffer, false);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(sentences.length).toBe(Math.floor(400_000 / MAX_SENTENCE_CHARS));
    expect(sentences.map((s) => s.raw).join('') + rest).toBe(buffer);
  });
});
