/**
 * Whether input is SSML, by cosy's rule. Kept apart from the validator so that callers which only need the rule do
 * not load the XML parser (start-up time and memory).
 */

/** Whether text is SSML by cosy's rule: it starts with `<speak` after whitespace and a byte-order mark. */
export function looksLikeSsml(text: string): boolean {
  return /^[\s\ufeff]*<speak[\s>/]/u.test(text);
}
