/**
 * `<phoneme>` (specification §3.4): the alphabet (R-PHN-ALPHA), the pronunciation (R-PHN-PH), text-only content
 * (R-PHN-CONTENT), pinyin syllables and their count (R-PHN-PY-SYLLABLE, R-PHN-PY-COUNT), CMU phones (R-PHN-CMU).
 */
import { own } from '../../../own.js';
import { CMU_PHONES, CMU_VOWELS } from '../schema.js';
import { attributeOf, ownText, type SsmlAttribute, type SsmlElement } from '../tree.js';
import type { Report } from '../types.js';
import { offsetIn, quoted, tokensOf } from './values.js';

const HAN = /\p{Script=Han}/u;
const ALPHABET_HINTS: Readonly<Record<string, string>> = {
  pinyin: 'write py',
  ipa: 'IPA is not supported: use py (pinyin) for Chinese or cmu for English',
  'x-sampa': 'X-SAMPA is not supported: use py (pinyin) for Chinese or cmu for English',
};

/** Checks a `<phoneme>` element. */
export function checkPhoneme(element: SsmlElement, report: Report): void {
  const alphabet = attributeOf(element, 'alphabet');
  const ph = attributeOf(element, 'ph');
  const text = ownText(element);
  if (alphabet === undefined) {
    report('R-PHN-ALPHA', 'error', element.start, '<phoneme> needs alphabet="py" (pinyin, Chinese) or alphabet="cmu" (CMU phones, English)');
  } else if (alphabet.wellFormed && alphabet.value !== 'py' && alphabet.value !== 'cmu') {
    const lower = alphabet.value.toLowerCase();
    const hint = lower === 'py' || lower === 'cmu' ? `alphabets are lowercase: write ${lower}` : own(ALPHABET_HINTS, lower) ?? 'write py (pinyin, Chinese) or cmu (CMU phones, English)';
    report('R-PHN-ALPHA', 'error', alphabet.valueOffset, `alphabet ${quoted(alphabet.value)} is not supported: ${hint}`);
  }
  if (ph === undefined) {
    report('R-PHN-PH', 'error', element.start, '<phoneme> needs ph="…": the pronunciation');
  } else if (ph.wellFormed && ph.value.trim() === '') {
    report('R-PHN-PH', 'error', ph.valueOffset, 'ph is empty: give the pronunciation');
  }
  const hasText = /\S/u.test(text);
  if (!hasText && element.children.every((c) => c.kind === 'text')) {
    report('R-PHN-CONTENT', 'error', element.start, '<phoneme> has no text to pronounce');
  }
  if (ph === undefined || !ph.wellFormed || ph.value.trim() === '' || alphabet === undefined) return;
  if (alphabet.value === 'py') checkPinyin(ph, text, hasText, element, report);
  else if (alphabet.value === 'cmu') checkCmu(ph, report);
}

/** What is wrong with one pinyin syllable, or undefined. */
function syllableProblem(syllable: string): string | undefined {
  if (/^[a-zvü]+[1-5]$/u.test(syllable)) return undefined;
  if (/[A-ZÜ]/u.test(syllable)) return `pinyin is lowercase: write ${syllable.toLowerCase()}`;
  if (/[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]/u.test(syllable)) return 'write tones as a digit after the syllable (ma3), not as marks';
  if (/^[a-zvü]+$/u.test(syllable)) return `the tone digit is missing: add 1 to 5 (5 = neutral), e.g. ${syllable}5`;
  if (/^[a-zvü]+[06-9]$/u.test(syllable)) return 'the tone must be 1 to 5 (5 = neutral)';
  if (/^[a-zvü]+\d{2,}$/u.test(syllable)) return 'one syllable takes one tone digit; separate syllables with spaces';
  return 'a pinyin syllable is lowercase letters followed by one tone digit 1 to 5';
}

function checkPinyin(ph: SsmlAttribute, text: string, hasText: boolean, element: SsmlElement, report: Report): void {
  const syllables = tokensOf(ph.value);
  for (const { token, index } of syllables) {
    const problem = syllableProblem(token);
    if (problem !== undefined) report('R-PHN-PY-SYLLABLE', 'error', offsetIn(ph, index), `pinyin ${quoted(token)}: ${problem}`);
  }
  if (!hasText) return;
  const characters = [...text].filter((c) => /\S/u.test(c));
  if (characters.length !== syllables.length) {
    report('R-PHN-PY-COUNT', 'error', ph.valueOffset, `${syllables.length} pinyin syllable${syllables.length === 1 ? '' : 's'} for ${characters.length} character${characters.length === 1 ? '' : 's'} of ${quoted(text.trim())}: give exactly one syllable per character`);
  }
  if (characters.some((c) => !HAN.test(c))) {
    report('R-PHN-PY-COUNT', 'warning', element.start, `the content ${quoted(text.trim())} has characters other than Chinese ones; how the service matches syllables to them is not documented`);
  }
}

function checkCmu(ph: SsmlAttribute, report: Report): void {
  if (/[a-z]/u.test(ph.value)) report('R-PHN-CMU', 'warning', ph.valueOffset, `CMU phones are written in uppercase: ${quoted(ph.value.toUpperCase())}`);
  for (const { token, index } of tokensOf(ph.value)) {
    const phone = token.toUpperCase();
    const m = /^([A-Z]+)(\d?)$/u.exec(phone);
    const base = m?.[1] ?? '';
    const stress = m?.[2] ?? '';
    const at = offsetIn(ph, index);
    if (m === null || !CMU_PHONES.includes(base)) {
      report('R-PHN-CMU', 'error', at, `${quoted(token)} is not a CMU phone (${CMU_PHONES.join(' ')})`);
    } else if (stress !== '' && !CMU_VOWELS.includes(base)) {
      report('R-PHN-CMU', 'error', at, `${quoted(token)}: only vowels take a stress digit`);
    } else if (stress !== '' && !/^[012]$/u.test(stress)) {
      report('R-PHN-CMU', 'error', at, `${quoted(token)}: stress is 0, 1 or 2`);
    }
  }
}
