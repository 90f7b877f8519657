/**
 * A deterministic corpus of malformed SSML for robustness tests: truncated documents, tag and attribute mutations,
 * bad references, deep nesting, huge attributes and binary bytes, generated from a seeded PRNG. Every entry is
 * malformed by construction (each generator breaks a rule that cannot be repaired by chance).
 */

/** One corpus entry: how it was made, and the input as text or raw bytes. */
export interface CorpusEntry {
  name: string;
  text: string;
  /** The raw bytes, for entries that are not valid UTF-8 (the text is their lossy decoding). */
  bytes?: Uint8Array;
}

/** mulberry32: a small seeded PRNG, so that the corpus is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid single-`<speak>` documents the mutations start from. */
export const BASE_DOCUMENTS: readonly string[] = [
  '<speak rate="1.2" volume="60">Hello <break time="500ms"/> world</speak>',
  '<speak>去<phoneme alphabet="py" ph="dian3 dang4 hang2">典当行</phoneme>吧</speak>',
  '<speak effect="eq" effectValue="1 -20 1 1 1 1 20 1"><say-as interpret-as="telephone">+43-211-0567</say-as></speak>',
  '<speak bgm="https://x.oss/m.wav?a=1&amp;b=2" backgroundMusicVolume="30"><sub alias="World Wide Web Consortium">W3C</sub> &#38; more</speak>',
  '<speak>\n  Say <phoneme alphabet="cmu" ph="S AY1 N">sin</phoneme>\n  <soundEvent src="https://x/cat.wav"/>\n</speak>',
];

/** Insertions that are illegal anywhere in text. */
const JUNK = ['<', '&', '&x', '</', '<!', '<?', '\u0000', '\ud800', '&#0;', '<speak>', '</break>', '< 2', '&#xFFFE;'];

/** The corpus: at least 200 malformed inputs, the same on every call. */
export function malformedCorpus(seed = 20260401): CorpusEntry[] {
  const random = prng(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const out: CorpusEntry[] = [];

  // Truncations: any strict prefix of a single-<speak> document leaves it unclosed or empty.
  for (let k = 0; k < 50; k++) {
    const doc = pick(BASE_DOCUMENTS);
    const cut = int(doc.length - 1);
    out.push({ name: `truncated-${k}`, text: doc.slice(0, cut) });
  }

  // Mutations that always break a rule.
  const mutations: ((doc: string) => string)[] = [
    (doc) => doc.replace(/<([a-zA-Z-]+)/u, (_m, name: string) => `<${name.toUpperCase()}x`),
    (doc) => doc.replace(/="/u, '='),
    (doc) => doc.replace(/(<speak)/u, '$1 rate="9"'),
    (doc) => doc.replace(/(<speak[^>]*?)(\/?>)/u, '$1 effect="robot" effect="echo"$2'),
    (doc) => doc.replace(/>([^<]*)</u, (_m, text: string) => `>${text.slice(0, int(text.length + 1))}${pick(JUNK)}${text.slice(0, 0)}<`),
    (doc) => doc.replace('</speak>', `<zz${int(1000)} q="1">x</zz${int(1000)}></speak>`),
    (doc) => doc.replace(/<\/speak>\s*$/u, ''),
    (doc) => doc.replace(/">/u, '"'),
    (doc) => `${pick(['text before ', '<voice>', '<!DOCTYPE x>', '&nbsp;'])}${doc}`,
    (doc) => doc.replace('<speak', '<speak><speak'),
    (doc) => doc.replace(/<speak([^>]*)>/u, `<speak$1><break time="${pick(['0s', '11s', '1.5s', '500', '2S', 'soon', ''])}"/>`),
    (doc) => doc.replace(/<speak([^>]*)>/u, `<speak$1><say-as interpret-as="${pick(['ordinal', 'Date', ''])}">1</say-as>`),
  ];
  for (let k = 0; k < 60; k++) {
    const mutate = mutations[k % mutations.length];
    if (mutate) out.push({ name: `mutation-${k}`, text: mutate(pick(BASE_DOCUMENTS)) });
  }

  // Bad references.
  const references = ['&foo;', '&#0;', '&#x110000;', '& ', '&amp', '&#xZZ;', '&#;', '&;', '&#xD800;', '&nbsp;', `&${'a'.repeat(60)};`];
  for (let k = 0; k < 30; k++) {
    const where = int(2);
    const ref = pick(references);
    out.push({ name: `reference-${k}`, text: where === 0 ? `<speak>a ${ref} b</speak>` : `<speak bgm="https://x/m.wav?${ref}">x</speak>` });
  }

  // Deep nesting, closed and unclosed, of dialect and unknown elements.
  for (let k = 0; k < 20; k++) {
    const depth = 40 + int(k < 10 ? 200 : 20_000);
    const tag = pick(['speak', 'say-as', 'a', 'sub']);
    const closed = k % 2 === 0;
    out.push({ name: `deep-${k}-${depth}`, text: `${`<${tag}>`.repeat(depth)}x${closed ? `</${tag}>`.repeat(depth) : ''}` });
  }

  // Huge attributes: values, names, unclosed quotes, many attributes.
  for (let k = 0; k < 20; k++) {
    const size = 10_000 + int(200_000);
    const forms = [
      `<speak rate="${'9'.repeat(size)}">x</speak>`,
      `<speak ${'a'.repeat(size)}="1">x</speak>`,
      `<speak bgm="${'x'.repeat(size)}>x</speak>`,
      `<speak>${'<break time="1s"/>'.repeat(size / 100)}</speak>`,
      `<speak ${Array.from({ length: size / 100 }, (_v, i) => `a${i}="1"`).join(' ')}>x</speak>`,
    ];
    out.push({ name: `huge-${k}`, text: forms[k % forms.length] ?? '' });
  }

  // Binary bytes: random bytes (mostly invalid UTF-8), and random UTF-16 code units (lone surrogates, controls).
  const decoder = new TextDecoder('utf-8', { fatal: false });
  for (let k = 0; k < 40; k++) {
    if (k % 2 === 0) {
      const bytes = new Uint8Array(1 + int(4000));
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
      if (k % 4 === 0) bytes.set(new TextEncoder().encode('<speak>'), 0);
      out.push({ name: `bytes-${k}`, text: decoder.decode(bytes), bytes });
    } else {
      const units = Array.from({ length: 1 + int(4000) }, () => int(k % 3 === 0 ? 0x80 : 0x10000));
      out.push({ name: `units-${k}`, text: `<speak>${String.fromCharCode(...units.map((u) => (u === 0x20 ? 0x0 : u)))}` });
    }
  }
  return out;
}
