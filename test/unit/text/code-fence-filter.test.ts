import { describe, expect, it } from 'vitest';
import { CodeFenceFilter } from '../../../src/text/code-fence-filter.js';

function run(text: string, size: number): string {
  const f = new CodeFenceFilter();
  let out = '';
  for (let i = 0; i < text.length; i += size) out += f.push(text.slice(i, i + size));
  return out + f.flush();
}

describe('CodeFenceFilter', () => {
  it.each([
    ['Before.\n```js\nconst x = 1;\n```\nAfter.', 'Before.\nAfter.'],
    ['Text\n~~~\ncode\n~~~\nmore', 'Text\nmore'],
    ['A\n  ```\nindented fence\n  ```\nB', 'A\nB'],
    ['Inline `code` stays.', 'Inline `code` stays.'],
    ['``not a fence``\nok', '``not a fence``\nok'],
    ['A\n````\n```\nstill code\n````\nB', 'A\nB'],
    ['A\n```\nunterminated code', 'A\n'],
    ['A\n```\ncode\n``` not closing\nstill code\n```\nB', 'A\nB'],
    ['```py\nprint(1)\n```', ''],
    ['No fences at all.', 'No fences at all.'],
    ['    ```\nfour spaces is not a fence (indented code)', '    ```\nfour spaces is not a fence (indented code)'],
  ])('%j → %j, whatever the chunk size', (input, expected) => {
    for (const size of [1, 2, 3, 5, 100]) expect(run(input, size)).toBe(expected);
  });

  it('passes ordinary text through at once (no line buffering)', () => {
    const f = new CodeFenceFilter();
    expect(f.push('Hello wor')).toBe('Hello wor');
    expect(f.push('ld, no newline yet')).toBe('ld, no newline yet');
  });

  it('holds only a possible fence start', () => {
    const f = new CodeFenceFilter();
    expect(f.push('``')).toBe('');
    expect(f.push('x')).toBe('``x');
  });
});
