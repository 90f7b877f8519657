/**
 * The fields a manifest item may carry, and their parsing from raw manifest values (JSON values, or CSV/plain text
 * strings) into typed `ItemFields`. Unknown fields and values of the wrong type are errors, named by field.
 */
import { own } from '../own.js';
import { AUDIO_FORMATS, isAudioFormat, type AudioFormat } from '../protocol/limits.js';
import type { SubtitleFormat } from '../subtitles/format.js';
import { parseDecimal, parseMultiplier } from '../text/multiplier.js';
import type { Tuning } from '../tts/request.js';

/** A value as a manifest holds it: JSON scalars, or strings from CSV and plain text. */
export type RawValue = string | number | boolean | null;

/** The typed fields of one manifest item. All optional: the command line supplies defaults. */
export interface ItemFields extends Partial<Tuning> {
  id?: string;
  text?: string;
  /** A text file, relative to the manifest's folder. */
  file?: string;
  ssml?: string;
  /** Output path inside the output folder (overrides --name). */
  out?: string;
  model?: string;
  voice?: string;
  format?: AudioFormat;
  /** A --pronounce JSON file, relative to the manifest's folder. */
  pronounce?: string;
  /** A subtitle sidecar next to the audio: srt, vtt, lrc or json; `none` turns off the command line's --subtitles. */
  subtitles?: SubtitleFormat | 'none';
}

type Kind = 'string' | 'id' | 'number' | 'integer' | 'multiplier' | 'boolean' | 'format' | 'subtitles';

/** Subtitle formats a manifest may name, plus `none`. */
const SUBTITLE_CHOICES: readonly string[] = ['srt', 'vtt', 'lrc', 'json', 'none'];

/** Manifest field name → typed field and its kind. Names are snake_case; kebab-case is accepted as well. */
const FIELDS: Readonly<Record<string, readonly [keyof ItemFields, Kind]>> = {
  id: ['id', 'id'],
  text: ['text', 'string'],
  file: ['file', 'string'],
  ssml: ['ssml', 'string'],
  out: ['out', 'string'],
  model: ['model', 'string'],
  voice: ['voice', 'string'],
  format: ['format', 'format'],
  sample_rate: ['sampleRate', 'integer'],
  volume: ['volume', 'number'],
  rate: ['rate', 'multiplier'],
  pitch: ['pitch', 'multiplier'],
  bit_rate: ['bitRate', 'number'],
  seed: ['seed', 'number'],
  language: ['language', 'string'],
  instruction: ['instruction', 'string'],
  markdown_filter: ['markdownFilter', 'boolean'],
  pronounce: ['pronounce', 'string'],
  aigc_tag: ['aigcTag', 'boolean'],
  aigc_propagator: ['aigcPropagator', 'string'],
  aigc_propagate_id: ['aigcPropagateId', 'string'],
  subtitles: ['subtitles', 'subtitles'],
};

/** Every field name a manifest may use, for help text and errors. */
export const FIELD_NAMES: readonly string[] = Object.keys(FIELDS);

/** The canonical spelling of a field name: trimmed, lower case, `-` → `_`. */
export function normalizeFieldName(name: string): string {
  return name.trim().toLowerCase().replaceAll('-', '_');
}

/** Fields parsed from one item, or the problems found (one message per bad field). */
export type FieldsResult = { ok: true; fields: ItemFields } | { ok: false; problems: string[] };

const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

/** Parses one value; returns the typed value, undefined for "absent", or an error message. */
function parseValue(name: string, kind: Kind, raw: RawValue): { value?: string | number | boolean; error?: string } {
  if (raw === null) return {};
  if (typeof raw === 'string' && raw.trim() === '' && kind !== 'string') return {};
  switch (kind) {
    case 'string':
      if (typeof raw !== 'string') return { error: `"${name}" must be a string, not ${JSON.stringify(raw)}` };
      return { value: raw };
    case 'id': {
      const id = typeof raw === 'number' && Number.isInteger(raw) ? String(raw) : raw;
      if (typeof id !== 'string') return { error: `"id" must be a string or a whole number, not ${JSON.stringify(raw)}` };
      if (id.trim() === '') return { error: '"id" is empty' };
      if (/[\u0000-\u001f\u007f]/.test(id)) return { error: '"id" contains a control character' };
      return { value: id };
    }
    case 'number':
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? (parseDecimal(raw) ?? Number.NaN) : Number.NaN;
      if (typeof raw === 'boolean' || !Number.isFinite(n)) return { error: `"${name}" must be a number, not ${JSON.stringify(raw)}` };
      if (kind === 'integer' && !Number.isInteger(n)) return { error: `"${name}" must be a whole number, not ${JSON.stringify(raw)}` };
      return { value: n };
    }
    case 'multiplier': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseMultiplier(raw) : undefined;
      if (n === undefined || !Number.isFinite(n)) {
        return { error: `"${name}" must be a multiplier such as 1.1 or a signed change in percent such as "-10%", not ${JSON.stringify(raw)}` };
      }
      return { value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      const word = String(raw).trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return { value: true };
      if (FALSE_WORDS.has(word)) return { value: false };
      return { error: `"${name}" must be true or false, not ${JSON.stringify(raw)}` };
    }
    case 'subtitles': {
      const value = typeof raw === 'string' ? raw.trim().toLowerCase().replace(/^\./, '') : raw;
      if (typeof value !== 'string' || !SUBTITLE_CHOICES.includes(value)) {
        return { error: `"subtitles" must be one of ${SUBTITLE_CHOICES.join(', ')}, not ${JSON.stringify(raw)}` };
      }
      return { value };
    }
    case 'format': {
      const format = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
      if (typeof format !== 'string' || !isAudioFormat(format)) {
        return { error: `"format" must be one of ${AUDIO_FORMATS.join(', ')}, not ${JSON.stringify(raw)}` };
      }
      return { value: format };
    }
  }
}

/**
 * Why a field name is not one (with the nearest known name), or undefined when it is one. Own names only: a field
 * called "constructor" is unknown, not Object's constructor.
 */
export function unknownField(rawName: string): string | undefined {
  return own(FIELDS, normalizeFieldName(rawName)) === undefined ? unknownFieldMessage(rawName) : undefined;
}

/** "unknown field …", with the nearest known name when there is one. */
function unknownFieldMessage(rawName: string): string {
  const near = FIELD_NAMES.find((f) => editDistance(f, normalizeFieldName(rawName)) <= 2);
  return `unknown field "${rawName}"${near ? ` (did you mean "${near}"?)` : ''}; fields are ${FIELD_NAMES.join(', ')}`;
}

/** Parses the raw values of one item into typed fields; every unknown field and bad value is reported. */
export function parseFields(values: Readonly<Record<string, RawValue>>): FieldsResult {
  const fields: Record<string, string | number | boolean> = {};
  const problems: string[] = [];
  for (const [rawName, raw] of Object.entries(values)) {
    const name = normalizeFieldName(rawName);
    const spec = own(FIELDS, name);
    if (spec === undefined) {
      problems.push(unknownFieldMessage(rawName));
      continue;
    }
    const [key, kind] = spec;
    if (fields[key] !== undefined) {
      problems.push(`field "${name}" is given twice`);
      continue;
    }
    const parsed = parseValue(name, kind, raw);
    if (parsed.error !== undefined) problems.push(parsed.error);
    else if (parsed.value !== undefined) fields[key] = parsed.value;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields: fields as ItemFields };
}

/** Levenshtein distance between two short strings (for "did you mean"). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
