/**
 * UTF-8 helpers shared by the commands that read text (say, stream, lint).
 */

const strict = new TextDecoder('utf-8', { fatal: true });

/** Offset of the first byte that does not start a complete, valid UTF-8 sequence, or -1 when all bytes are valid. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] ?? 0;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    if (length > 1) {
      try {
        strict.decode(bytes.subarray(i, i + length));
      } catch {
        return i;
      }
    }
    i += length;
  }
  return -1;
}
