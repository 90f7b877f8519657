import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeText, readInput, type InputSource } from '../../../src/cli/read-input.js';
import { firstInvalidUtf8 } from '../../../src/text/utf8.js';
import { ExitCode, UsageError } from '../../../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cosy-input-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

/** A stdin that is a pipe: the chunks, then end. */
function pipeStdin(chunks: Array<string | Buffer> = [], isTTY?: boolean): InputSource['stdin'] {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (isTTY !== undefined) stdin.isTTY = isTTY;
  for (const c of chunks) stdin.write(c);
  stdin.end();
  return stdin;
}

/** A stdin that is a terminal: never ends (reading it would hang the test). */
function ttyStdin(): InputSource['stdin'] {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = true;
  return stdin;
}

async function rejection(p: Promise<unknown>): Promise<UsageError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a rejection');
}

function thrownBy(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a throw');
}

// Invalid UTF-8 inputs and the byte offset of the first bad sequence.
const INVALID: Array<[string, Uint8Array, number]> = [
  ['a lone 0xFF', bytes('ab', [0xff], 'cd'), 2],
  ['a lone 0xFE at the start', bytes([0xfe], 'x'), 0],
  ['a lone continuation byte', bytes('a', [0x80]), 1],
  ['an overlong 2-byte "/" (C0 AF)', bytes('ab', [0xc0, 0xaf]), 2],
  ['an overlong C1 lead', bytes([0xc1, 0x81]), 0],
  ['an overlong 3-byte "/" (E0 80 AF)', bytes('x', [0xe0, 0x80, 0xaf]), 1],
  ['an overlong 4-byte (F0 80 80 AF)', bytes([0xf0, 0x80, 0x80, 0xaf]), 0],
  ['a UTF-16 surrogate encoded as UTF-8 (ED A0 80)', bytes('hi ', [0xed, 0xa0, 0x80]), 3],
  ['a low surrogate encoded as UTF-8 (ED BF BF)', bytes([0xed, 0xbf, 0xbf]), 0],
  ['a code point above U+10FFFF (F4 90 80 80)', bytes('z', [0xf4, 0x90, 0x80, 0x80]), 1],
  ['an F5 lead byte', bytes([0xf5, 0x80, 0x80, 0x80]), 0],
  ['a 3-byte sequence cut at the end', bytes('你好', [0xe4, 0xbd]), 6],
  ['a 4-byte sequence cut at the end', bytes('ok', [0xf0, 0x9f, 0x98]), 2],
  ['a 2-byte lead followed by ASCII', bytes('é', [0xc3], 'a'), 2],
  ['a 3-byte lead with a bad second continuation', bytes([0xe4, 0xbd, 0x41]), 0],
  ['GB18030 "你好" (C4 E3 BA C3)', bytes([0xc4, 0xe3, 0xba, 0xc3]), 0],
  ['Latin-1 "café"', bytes('caf', [0xe9]), 3],
];

describe('firstInvalidUtf8', () => {
  it.each(INVALID)('%s → byte %i', (_name, input, offset) => {
    expect(firstInvalidUtf8(input)).toBe(offset);
  });

  it.each([
    ['empty', bytes('')],
    ['ASCII', bytes('Hello.')],
    ['2-, 3- and 4-byte characters', bytes('é 你好 😀 𠀀')],
    ['U+FFFF and U+10FFFF', bytes('\uffff\u{10ffff}')],
  ])('%s → the length (no invalid byte)', (_name, input) => {
    expect(firstInvalidUtf8(input)).toBe(-1);
  });
});

describe('decodeText', () => {
  it.each(['Hello, world.', '你好，世界。', 'Ünïcödé 😀 text\nwith lines\r\n', 'a\u200db', ''])('decodes valid UTF-8 %j', (text) => {
    expect(decodeText(bytes(text), 'input')).toBe(text);
  });

  it('drops a UTF-8 byte-order mark', () => {
    expect(decodeText(bytes([0xef, 0xbb, 0xbf], 'Hi'), 'input')).toBe('Hi');
  });

  it.each(INVALID)('refuses %s, naming the origin and byte %i', (_name, input, offset) => {
    const err = thrownBy(() => decodeText(input, 'notes.txt'));
    expect(err.code).toBe('INVALID_TEXT');
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toBe(`notes.txt is not valid UTF-8 text (at byte ${offset})`);
    expect(err.hint).toMatch(/iconv/);
  });

  it.each([
    ['a NUL in the middle', bytes('ab', [0], 'cd'), 2],
    ['a NUL first', bytes([0], 'x'), 0],
    ['binary data', bytes([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), 4],
  ])('refuses %s as binary data', (_name, input, position) => {
    const err = thrownBy(() => decodeText(input, 'stdin'));
    expect(err.code).toBe('INVALID_TEXT');
    expect(err.message).toContain(`NUL character at position ${position}`);
    expect(err.message).toContain('stdin');
  });

  it('is not confused by an earlier failure (the decoder keeps no state)', () => {
    expect(() => decodeText(bytes('ok', [0xe4, 0xbd]), 'a')).toThrow(UsageError);
    expect(decodeText(bytes('好'), 'b')).toBe('好');
  });
});

describe('readInput: sources', () => {
  it('takes the argument as is', async () => {
    expect(await readInput({ text: 'Hello there.', stdin: ttyStdin() })).toEqual({ text: 'Hello there.', origin: 'the text argument' });
  });

  it('reads a file, stripping a BOM', async () => {
    const file = join(dir, 'in.txt');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('第一句。Second.\n')]));
    expect(await readInput({ file, stdin: ttyStdin() })).toEqual({ text: '第一句。Second.\n', origin: file });
  });

  it('reads a piped stdin, joining chunks that split a character', async () => {
    const whole = Buffer.from('你好 world');
    const stdin = pipeStdin([whole.subarray(0, 2), whole.subarray(2, 5), whole.subarray(5)]);
    expect(await readInput({ stdin })).toEqual({ text: '你好 world', origin: 'stdin' });
  });

  it('reads stdin with -f - even when it is a terminal', async () => {
    const stdin = pipeStdin(['typed text'], true);
    expect(await readInput({ file: '-', stdin })).toEqual({ text: 'typed text', origin: 'stdin' });
  });

  it('strips a BOM from stdin and from the argument', async () => {
    expect((await readInput({ stdin: pipeStdin([Buffer.from([0xef, 0xbb, 0xbf]), 'Hi']) })).text).toBe('Hi');
    expect((await readInput({ text: '\uFEFFHi', stdin: ttyStdin() })).text).toBe('Hi');
  });

  it('keeps inner and surrounding whitespace of real text', async () => {
    expect((await readInput({ text: '  Hi  there \n', stdin: ttyStdin() })).text).toBe('  Hi  there \n');
  });
});

describe('readInput: errors', () => {
  it('a terminal stdin without text is a usage error with a hint, and stdin is not read', async () => {
    const err = await rejection(readInput({ stdin: ttyStdin() }));
    expect(err.message).toBe('no text to speak');
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.hint).toContain('cosy say "Hello"');
    expect(err.hint).toContain('-f FILE');
    expect(err.hint).toMatch(/pipe/);
  });

  it('both an argument and a file is a usage error', async () => {
    const err = await rejection(readInput({ text: 'Hi', file: join(dir, 'x.txt'), stdin: ttyStdin() }));
    expect(err.message).toMatch(/not both/);
  });

  it.each<[string, () => InputSource, RegExp]>([
    ['an empty argument', () => ({ text: '', stdin: ttyStdin() }), /the text argument is empty or only whitespace/],
    ['a whitespace argument', () => ({ text: ' \t\n\u3000', stdin: ttyStdin() }), /the text argument is empty/],
    ['a BOM-only argument', () => ({ text: '\uFEFF', stdin: ttyStdin() }), /the text argument is empty/],
    ['an empty stdin', () => ({ stdin: pipeStdin([]) }), /stdin is empty/],
    ['a whitespace stdin', () => ({ stdin: pipeStdin(['\n\n  \r\n']) }), /stdin is empty/],
    [
      'an empty file',
      () => {
        writeFileSync(join(dir, 'empty.txt'), '');
        return { file: join(dir, 'empty.txt'), stdin: ttyStdin() };
      },
      /empty\.txt is empty/,
    ],
    [
      'a BOM-only file',
      () => {
        writeFileSync(join(dir, 'bom.txt'), Buffer.from([0xef, 0xbb, 0xbf, 0x0a]));
        return { file: join(dir, 'bom.txt'), stdin: ttyStdin() };
      },
      /bom\.txt is empty/,
    ],
  ])('%s → EMPTY_TEXT', async (_name, source, message) => {
    const err = await rejection(readInput(source()));
    expect(err.code).toBe('EMPTY_TEXT');
    expect(err.message).toMatch(message);
  });

  it.each<[string, () => string, RegExp]>([
    ['a missing file', () => join(dir, 'missing.txt'), /missing\.txt: no such file/],
    [
      'a folder',
      () => {
        mkdirSync(join(dir, 'folder'));
        return join(dir, 'folder');
      },
      /folder: it is a folder/,
    ],
  ])('%s → INPUT usage error', async (_name, file, message) => {
    const err = await rejection(readInput({ file: file(), stdin: ttyStdin() }));
    expect(err.code).toBe('INPUT');
    expect(err.message).toMatch(message);
  });

  it('an invalid UTF-8 file names the file and the byte', async () => {
    const file = join(dir, 'latin1.txt');
    writeFileSync(file, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const err = await rejection(readInput({ file, stdin: ttyStdin() }));
    expect(err.message).toBe(`${file} is not valid UTF-8 text (at byte 3)`);
  });

  it('binary data on stdin is refused', async () => {
    const err = await rejection(readInput({ stdin: pipeStdin([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])]) }));
    expect(err.code).toBe('INVALID_TEXT');
    expect(err.message).toContain('stdin is not valid UTF-8 text (at byte 0)');
  });
});
