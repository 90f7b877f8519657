/**
 * Whether input is SSML, by cosy's rule. Kept apart from the validator so that callers which only need the rule do
 * not load the XML parser (start-up time and memory).
 */

/**
 * Whether text is SSML by cosy's rule: it starts with `<speak` after whitespace, a byte-order mark and an optional
 * XML declaration (which the validator then warns about, R-DOC-PROLOG).
 */
export function looksLikeSsml(text: string): boolean {
  return /^[\s\ufeff]*(?:<\?xml[^>]*\?>[\s\ufeff]*)?<speak[\s>/]/u.test(text);
}

/** Markup of the CosyVoice dialect in text that is not SSML by the rule above: the tags would be read aloud. */
export const SSML_MARKUP = /<\/?(?:speak|break|sub|phoneme|soundEvent|say-as|vhml)\b|^[\s\ufeff]*<\?xml/u;

/** What to tell a user whose plain text holds SSML markup (R-TXT-MARKUP). */
export const SSML_MARKUP_ADVICE =
  'this looks like SSML, but the text does not start with <speak>: cosy say would read the tags aloud; start it with <speak>, or pass --ssml';
