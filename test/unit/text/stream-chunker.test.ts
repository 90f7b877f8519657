import { describe, expect, it } from 'vitest';
import { StreamChunker } from '../../../src/text/stream-chunker.js';
import { countCharacters } from '../../../src/protocol/counting.js';

/** Feeds tokens one by one and records what is sent after each. */
function feed(tokens: string[], options = {}): { sent: string[][]; chunker: StreamChunker } {
  const chunker = new StreamChunker(options);
  return { sent: tokens.map((t) => chunker.push(t)), chunker };
}

describe('StreamChunker', () => {
  it('holds tokens until a sentence is complete, then sends it at once', () => {
    const { sent, chunker } = feed(['Hel', 'lo', ' there', '.', ' How', ' are', ' you', '?']);
    expect(sent).toEqual([[], [], [], [], ['Hello there. '], [], [], []]);
    expect(chunker.pending).toBe('How are you?');
    expect(chunker.flush()).toEqual(['How are you?']);
    expect(chunker.pending).toBe('');
  });

  it('sends at a CJK terminator without waiting for more input', () => {
    const { sent } = feed(['你好', '，世界', '。', '今天']);
    expect(sent).toEqual([[], [], ['你好，世界。'], []]);
  });

  it('does not end a sentence at a decimal point or a dot not followed by space', () => {
    const { sent, chunker } = feed(['Pi is 3', '.', '14 exactly', '. Next']);
    expect(sent.flat()).toEqual(['Pi is 3.14 exactly. ']);
    expect(chunker.pending).toBe('Next');
  });

  it('coalesces several complete sentences arriving together into one fragment', () => {
    const { sent } = feed(['One. Two. Three. Four']);
    expect(sent).toEqual([['One. Two. Three. ']]);
  });

  it('sends long pending text at a clause or word boundary', () => {
    const { sent, chunker } = feed(['a'.repeat(10) + ', ' + 'b'.repeat(10) + ' ' + 'c'.repeat(5)], { coalesceChars: 20 });
    expect(sent.flat()).toEqual(['a'.repeat(10) + ', ' + 'b'.repeat(10) + ' ']);
    expect(chunker.pending).toBe('ccccc');
  });

  it('never sends a fragment over the per-message limit', () => {
    const chunker = new StreamChunker({ maxChars: 50, coalesceChars: 40 });
    const out: string[] = [];
    const text = 'word '.repeat(200) + '很长的句子'.repeat(30) + '。';
    for (const ch of text) out.push(...chunker.push(ch));
    out.push(...chunker.flush());
    expect(out.join('')).toBe(text);
    for (const f of out) expect(countCharacters(f)).toBeLessThanOrEqual(50);
  });

  it('keeps every character whatever the token boundaries', () => {
    const text = 'The fox. 狐狸跳了！ "Quoted." (Paren?) End…\nNew line; ok';
    for (let size = 1; size <= 7; size++) {
      const chunker = new StreamChunker();
      const out: string[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...chunker.push(text.slice(i, i + size)));
      out.push(...chunker.flush());
      expect(out.join('')).toBe(text);
    }
  });
});
