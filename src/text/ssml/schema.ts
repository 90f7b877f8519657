/**
 * The CosyVoice SSML dialect as data (specification §2–§3): its elements, their attributes, what each may contain,
 * and the closed value lists. Pure data, no logic.
 */

/** Every element of the dialect. Names are case-sensitive. */
export const ELEMENTS = ['speak', 'break', 'sub', 'phoneme', 'soundEvent', 'say-as', 'vhml'] as const;

/** An element of the dialect. */
export type ElementName = (typeof ELEMENTS)[number];

/** Whether a name is an element of the dialect (exact case). */
export function isElementName(name: string): name is ElementName {
  return (ELEMENTS as readonly string[]).includes(name);
}

/** The attributes each element takes (exact case). */
export const ATTRIBUTES: Readonly<Record<ElementName, readonly string[]>> = {
  speak: ['voice', 'rate', 'pitch', 'volume', 'effect', 'effectValue', 'bgm', 'backgroundMusicVolume'],
  break: ['time'],
  sub: ['alias'],
  phoneme: ['alphabet', 'ph'],
  soundEvent: ['src'],
  'say-as': ['interpret-as'],
  vhml: [],
};

/** W3C boilerplate on `<speak>` that the server may ignore (a warning, not an error). */
export const SPEAK_BOILERPLATE: readonly string[] = ['version', 'xmlns', 'xml:lang'];

/** The child elements each element may hold; `text` says whether it may hold text. */
export const CONTENT: Readonly<Record<ElementName, { elements: readonly ElementName[]; text: boolean }>> = {
  speak: { elements: ['break', 'sub', 'phoneme', 'soundEvent', 'say-as'], text: true },
  break: { elements: [], text: false },
  sub: { elements: [], text: true },
  phoneme: { elements: [], text: true },
  soundEvent: { elements: [], text: false },
  'say-as': { elements: ['vhml'], text: true },
  vhml: { elements: [], text: false },
};

/** Values of `<speak effect>`; one per element. */
export const EFFECTS: readonly string[] = ['robot', 'lolita', 'lowpass', 'echo', 'eq', 'lpfilter', 'hpfilter'];

/** Values of `<say-as interpret-as>`. */
export const INTERPRET_AS: readonly string[] = [
  'cardinal',
  'digits',
  'telephone',
  'name',
  'address',
  'id',
  'characters',
  'punctuation',
  'date',
  'time',
  'currency',
  'measure',
];

/** The phones of the CMU Pronouncing Dictionary. */
export const CMU_PHONES: readonly string[] = [
  'AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'B', 'CH', 'D', 'DH', 'EH', 'ER', 'EY', 'F', 'G', 'HH', 'IH', 'IY', 'JH', 'K',
  'L', 'M', 'N', 'NG', 'OW', 'OY', 'P', 'R', 'S', 'SH', 'T', 'TH', 'UH', 'UW', 'V', 'W', 'Y', 'Z', 'ZH',
];

/** CMU vowels: the phones that may carry a stress digit 0, 1 or 2. */
export const CMU_VOWELS: readonly string[] = ['AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW'];

/** What to write instead of an element from W3C SSML or another dialect. */
export const ELEMENT_HINTS: Readonly<Record<string, string>> = {
  audio: 'use <soundEvent src="…"/> to insert a sound',
  prosody: 'set rate, pitch and volume on <speak> instead',
  voice: 'set the voice attribute on <speak> instead',
  emphasis: 'CosyVoice has no emphasis; rephrase, or use an instruction with an Instruct-capable voice',
  p: 'CosyVoice has no paragraphs; separate them with punctuation or <break/>',
  s: 'CosyVoice has no sentence element; use punctuation',
  w: 'CosyVoice has no word element; use <phoneme> for a pronunciation',
  lang: 'CosyVoice has no language element; pass --language',
  mark: 'CosyVoice has no marks',
  lexicon: 'CosyVoice has no lexicons; use <phoneme> or <sub>, or --pronounce',
  desc: 'CosyVoice has no desc element',
  metadata: 'CosyVoice has no metadata element',
};
