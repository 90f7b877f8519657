/**
 * Reads the text to speak from an argument, a file, or stdin, and checks it is usable text.
 */
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { firstInvalidUtf8 } from '../text/utf8.js';

/** Where text comes from. */
export interface InputSource {
  /** The positional argument(s), joined with spaces (or an option's value: see textOrigin). */
  text?: string | undefined;
  /** What `text` is called in messages; default "the text argument". */
  textOrigin?: string | undefined;
  /** `-f FILE`; `-` means stdin. */
  file?: string | undefined;
  stdin: Readable & { isTTY?: boolean };
}

/** Text read and where it came from (for messages). */
export interface ReadText {
  text: string;
  origin: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes bytes as UTF-8 text.
 * @throws UsageError on invalid UTF-8 or binary content, naming the byte offset.
 */
export function decodeText(bytes: Uint8Array, origin: string): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new UsageError(`${origin} is not valid UTF-8 text (at byte ${firstInvalidUtf8(bytes)})`, {
      code: 'INVALID_TEXT',
      hint: 'convert it first, e.g. iconv -f GB18030 -t UTF-8',
    });
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    throw new UsageError(`${origin} contains a NUL character at position ${nul}: it looks like binary data, not text`, {
      code: 'INVALID_TEXT',
    });
  }
  return text;
}


/** Every byte of a stream (stdin), once it ends. */
export async function readStream(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/**
 * Reads the input text.
 * @throws UsageError when there is no text, both an argument and a file are given, the file cannot be read, or the
 * text is empty, whitespace only, or not UTF-8.
 */
export async function readInput(source: InputSource): Promise<ReadText> {
  if (source.text !== undefined && source.file !== undefined) {
    throw new UsageError(`give the text either as ${source.textOrigin ?? 'an argument'} or with -f FILE, not both`);
  }
  let result: ReadText;
  if (source.text !== undefined) {
    result = { text: source.text, origin: source.textOrigin ?? 'the text argument' };
  } else if (source.file !== undefined && source.file !== '-') {
    let bytes: Buffer;
    try {
      bytes = await readFile(source.file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      throw new UsageError(`cannot read ${source.file}: ${why}`, { code: 'INPUT' });
    }
    result = { text: decodeText(bytes, source.file), origin: source.file };
  } else {
    if (source.file === undefined && source.stdin.isTTY) {
      throw new UsageError('no text to speak', {
        hint: 'pass it as an argument (cosy say "Hello"), with -f FILE, or pipe it in (echo Hello | cosy say -o hello.mp3)',
      });
    }
    result = { text: decodeText(await readStream(source.stdin), 'stdin'), origin: 'stdin' };
  }
  if (result.text.startsWith('\uFEFF')) result.text = result.text.slice(1);
  if (result.text.trim() === '') {
    throw new UsageError(`${result.origin} is empty or only whitespace: there is nothing to speak`, { code: 'EMPTY_TEXT' });
  }
  return result;
}
