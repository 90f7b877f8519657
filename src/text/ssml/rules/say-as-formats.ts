/**
 * The documented content formats of each `<say-as>` type (specification §4), as case-insensitive patterns over the
 * trimmed content. A miss is only a warning: the tables describe English text and the documentation's own examples
 * stray from them.
 */

/** Content longer than this is not matched against formats (nothing documented is that long). */
const MAX_FORMAT_LENGTH = 200;

const UNSIGNED = '(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?';
const NUMBER = `-?${UNSIGNED}`;
const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const WEEKDAY = '(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)';
const YEAR = '[12]\\d{3}';
const SEP = '\\s*[-~&\u2013]\\s*';
const SEP_NO_AMP = '\\s*[-~\u2013]\\s*';
const DAY = '(?<d>\\d{1,2})';
const MM = '(?<m>\\d{2})';

/** Builds an anchored, case-insensitive pattern. */
function pattern(source: string): RegExp {
  return new RegExp(`^${source}$`, 'iu');
}

const CARDINAL = [
  NUMBER,
  `${NUMBER}\\s*[-~]\\s*${NUMBER}`,
  `-?${UNSIGNED}/${UNSIGNED}`,
  `-?\\d+ \\d+/\\d+`,
  `${NUMBER}\\^${NUMBER}`,
  `-?${UNSIGNED}e-?${UNSIGNED}`,
  `${NUMBER}%`,
].map(pattern);

const DIGIT_GROUPS = pattern('\\d+(?:[ -]\\d+)*');
const TELEPHONE = [DIGIT_GROUPS, pattern('\\+\\d+(?:[ -]\\d+)*'), pattern('\\(\\d+\\) ?\\d+(?:[ -]\\d+)*')];

const DATE = [
  `${YEAR}/${MM}`,
  `${YEAR}-\\d{2}`,
  YEAR,
  `${WEEKDAY}${SEP}${WEEKDAY}`,
  `\\d{1,2}${SEP}${DAY} ${MONTH},? ${YEAR}`,
  `${MONTH} \\d{1,2}${SEP}${DAY}`,
  `${MONTH}${SEP}${MONTH}`,
  `${YEAR}${SEP_NO_AMP}${YEAR}`,
  `${WEEKDAY},? ${DAY} ${MONTH},? ${YEAR}`,
  `${WEEKDAY},? ${DAY} ${MONTH}`,
  `${WEEKDAY},? ${MONTH} ${DAY},? ${YEAR}`,
  `${WEEKDAY},? ${MONTH} ${DAY}`,
  `${WEEKDAY},? ${YEAR}-${MM}-${DAY}`,
  `${WEEKDAY},? ${YEAR}/${MM}/${DAY}`,
  `${WEEKDAY},? ${MM}/${DAY}/${YEAR}`,
  `${MM}/${DAY}/${YEAR}`,
  `${DAY} ${MONTH},? ${YEAR}`,
  `${DAY} ${MONTH}`,
  `${MONTH} ${YEAR}`,
  `${WEEKDAY}\\.? ${DAY}/${MONTH}/${YEAR}`,
  `${MONTH} ${DAY}(?:st|nd|rd|th)?(?:,\\s*${YEAR})?`,
  `${YEAR}/${MM}/${DAY}`,
  `${YEAR}-${MM}-${DAY}`,
  `${YEAR}'?s`,
].map(pattern);

const MARKER = '(?:a\\.m\\.|p\\.m\\.|am|pm)';
const CLOCK = pattern(`(?<h>\\d{1,2}):(?<mi>\\d{2})(?:\\s*(?<mk>${MARKER}))?`);
const COMPACT_CLOCK = pattern(`(?<hm>\\d{3,4})(?:\\s*(?<mk>${MARKER}))?`);

const CODES = 'CN¥|CNY|RMB|AUD|CAD|CHF|DKK|EUR|GBP|HKD|JPY|NOK|SEK|SGD|USD';
const PREFIXES = `US\\$|CA\\$|AU\\$|SG\\$|HK\\$|C\\$|A\\$|\\$|£|€|${CODES}`;
const QUANTIFIERS = 'thousand|million|billion|trillion|mil|bil|mm|bn|tn|k|m';
const CURRENCY = [
  pattern(`${UNSIGNED}\\s*(?:(?:${QUANTIFIERS})\\s*)?(?:${CODES})`),
  pattern(`(?:${PREFIXES})\\s*${UNSIGNED}(?:\\s*(?:${QUANTIFIERS}))?`),
];

const UNIT = '[a-zµμ°][a-zµμ°²³0-9/]*';
const MEASURE = [pattern(`${UNSIGNED}\\s*${UNIT}`), pattern(UNIT)];

/** Characters `characters`, `id` and `punctuation` read (§4.10): Han, ASCII letters, digits, symbols, listed marks. */
const READABLE = /^[\p{Script=Han}\x20-\x7e！“”‘’（），。—：；？、…《》¥≥≤≠≈±×π\u0391-\u03a9\u03b1-\u03c9∧∏∑\s]$/u;

/** A month or day captured by a date pattern that is out of range, as a message. */
function dateSanity(groups: Record<string, string | undefined> | undefined): string | undefined {
  const month = groups?.['m'];
  const day = groups?.['d'];
  if (month !== undefined && (Number(month) < 1 || Number(month) > 12)) return `month ${month} is not 01 to 12`;
  if (day !== undefined && (Number(day) < 1 || Number(day) > 31)) return `day ${day} is not 1 to 31`;
  return undefined;
}

function checkDate(text: string): string | undefined {
  for (const p of DATE) {
    const m = p.exec(text);
    if (m !== null) return dateSanity(m.groups);
  }
  return 'matches no documented date format (e.g. 2000/01, 11/20/2011, Sun 20 Nov 2011, Mar 10th, 2001)';
}

function checkTime(text: string): string | undefined {
  const parts = text.split(/\s*[-~]\s*/u);
  if (parts.length > 2) return 'matches no documented time format (e.g. 09:00 AM, 21:00, 0500, 8:00 am - 05:30 pm)';
  for (const part of parts) {
    const clock = CLOCK.exec(part);
    const compact = clock === null ? COMPACT_CLOCK.exec(part) : null;
    if (clock === null && compact === null) return 'matches no documented time format (e.g. 09:00 AM, 21:00, 0500, 8:00 am - 05:30 pm)';
    const hm = compact?.groups?.['hm'];
    const hours = Number(clock?.groups?.['h'] ?? hm?.slice(0, -2) ?? '0');
    const minutes = Number(clock?.groups?.['mi'] ?? hm?.slice(-2) ?? '0');
    const marker = clock?.groups?.['mk'] ?? compact?.groups?.['mk'];
    if (hours > 23 || minutes > 59) return `${part} is not a time of day`;
    if (marker !== undefined && (hours > 12 || hours === 0)) return `${part}: with ${marker} the hour is 1 to 12`;
  }
  return undefined;
}

function checkCardinal(text: string): string | undefined {
  if (!CARDINAL.some((p) => p.test(text))) return 'matches no documented cardinal format (e.g. 145, -1,000.5, 1/2, 23.10%)';
  for (const m of text.matchAll(/(\d[\d,]*)(?:\.(\d+))?/gu)) {
    const integer = (m[1] ?? '').replace(/,/gu, '').replace(/^0+(?=\d)/u, '');
    if (integer.length > 12) return `the integer part has ${integer.length} digits; the documented range is 12 digits`;
    if ((m[2] ?? '').length > 10) return `${(m[2] ?? '').length} decimals; at most 10 are recommended`;
  }
  return undefined;
}

function checkDigitGroups(text: string, formats: readonly RegExp[], type: string): string | undefined {
  if (!formats.some((p) => p.test(text))) {
    return type === 'digits' ? 'matches no documented digits format: digits, in groups separated by spaces or hyphens' : 'matches no documented telephone format (e.g. 12034, 1-23-456 7890, +43-211-0567, (21) 654-3210)';
  }
  const groups = text.match(/\d+/gu) ?? [];
  if (groups.length > 5) return `${groups.length} digit groups; at most 5 are documented`;
  const digits = groups.join('').length;
  if (digits > 20) return `${digits} digits; at most 20 are recommended`;
  return undefined;
}

function checkReadable(text: string): string | undefined {
  const unreadable = [...new Set([...text].filter((c) => !READABLE.test(c)))];
  if (unreadable.length === 0) return undefined;
  return `the service reads Chinese characters, A–Z, a–z, 0–9 and a documented set of symbols; not ${unreadable.slice(0, 5).join(' ')}`;
}

/** Why content does not fit its say-as type, or undefined when it does (or the type has no format). */
export function sayAsFormatProblem(type: string, content: string): string | undefined {
  const text = content.trim();
  if (text.length > MAX_FORMAT_LENGTH) return undefined;
  switch (type) {
    case 'cardinal':
      return checkCardinal(text);
    case 'digits':
      return checkDigitGroups(text, [DIGIT_GROUPS], 'digits');
    case 'telephone':
      return checkDigitGroups(text, TELEPHONE, 'telephone');
    case 'address':
      return /\p{Script=Han}/u.test(text) ? undefined : 'address reading is not supported for English text';
    case 'characters':
    case 'id':
    case 'punctuation':
      return checkReadable(text);
    case 'date':
      return checkDate(text);
    case 'time':
      return checkTime(text);
    case 'currency':
      return CURRENCY.some((p) => p.test(text)) ? undefined : 'matches no documented currency format (e.g. 1.00 RMB, $0.01, US$ 1.00, 1.23 Tn RMB)';
    case 'measure':
      return MEASURE.some((p) => p.test(text)) ? undefined : 'matches no documented measure format: a number and a unit (1.0 kg), or a unit';
    default:
      return undefined;
  }
}
