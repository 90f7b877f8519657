/**
 * Billing-character counting (protocol.md §2.9): every Han ideograph counts 2, every other code point 1.
 * SSML tags are excluded from the billed count but included in the conservative count used for limits.
 */

const HAN = /\p{Script=Han}/u;

/** Counted characters of one code point. */
export function codePointWeight(cp: string): 1 | 2 {
  return HAN.test(cp) ? 2 : 1;
}

/** Counted characters of a string: Han ideographs 2, everything else 1, per code point. */
export function countCharacters(text: string): number {
  let total = 0;
  for (const cp of text) total += HAN.test(cp) ? 2 : 1;
  return total;
}

/**
 * Text content of an SSML document with tags removed and the five XML entities decoded, which is what the
 * newest sources bill. Comments, processing instructions and CDATA markers are dropped; CDATA content is kept.
 */
export function ssmlTextContent(ssml: string): string {
  return ssml
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/<[^<>]*>/g, '')
    .replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, name: string) => decodeEntity(name));
}

function decodeEntity(name: string): string {
  switch (name) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
    default: {
      const cp = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(cp) && cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    }
  }
}

/** Both counts of an input: billed (tags excluded for SSML) and the conservative count used against limits. */
export interface CharacterCounts {
  billed: number;
  conservative: number;
}

/** Counts of a text, which is SSML when `isSsml`. */
export function countInput(text: string, isSsml: boolean): CharacterCounts {
  const conservative = countCharacters(text);
  return { billed: isSsml ? countCharacters(ssmlTextContent(text)) : conservative, conservative };
}
