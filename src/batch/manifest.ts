/**
 * Reading a batch manifest: JSONL (one object per line), CSV with a header row, or plain text (one item per
 * non-empty line). Every entry keeps the line it starts on; malformed lines become problems with their line number
 * instead of stopping the parse, so one run reports every bad line at once.
 */
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { normalizeFieldName, unknownField, type RawValue } from './fields.js';

/** The manifest formats cosy reads. */
export const MANIFEST_FORMATS = ['jsonl', 'csv', 'text'] as const;
/** One of the manifest formats. */
export type ManifestFormat = (typeof MANIFEST_FORMATS)[number];

/** One item as written in the manifest, before its fields are checked. */
export interface ManifestEntry {
  /** 1-based line the item starts on. */
  line: number;
  values: Record<string, RawValue>;
}

/** A line that could not be read. */
export interface ManifestProblem {
  line: number;
  message: string;
}

/** Entries and problems of a manifest. */
export interface ParsedManifest {
  format: ManifestFormat;
  entries: ManifestEntry[];
  problems: ManifestProblem[];
}

/**
 * The format of a manifest: the explicit choice, else the extension (.jsonl/.ndjson, .csv, .txt), else a sniff of
 * the first non-blank line (`{` → JSONL, otherwise plain text).
 */
export function detectFormat(path: string, text: string, explicit?: ManifestFormat): ManifestFormat {
  if (explicit !== undefined) return explicit;
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  if (ext === '.txt') return 'text';
  const first = text.replace(/^\uFEFF/, '').split('\n').find((l) => l.trim() !== '');
  return first?.trimStart().startsWith('{') ? 'jsonl' : 'text';
}

/** Parses a manifest of the given format. */
export function parseManifest(text: string, format: ManifestFormat): ParsedManifest {
  const body = text.replace(/^\uFEFF/, '');
  switch (format) {
    case 'jsonl':
      return parseJsonl(body);
    case 'csv':
      return parseCsvManifest(body);
    case 'text':
      return parsePlain(body);
  }
}

/** Lines without their terminators (LF or CRLF). */
function lines(text: string): string[] {
  const out = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

function parseJsonl(text: string): ParsedManifest {
  const entries: ManifestEntry[] = [];
  const problems: ManifestProblem[] = [];
  lines(text).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      problems.push({ line, message: `not valid JSON: ${(err as Error).message}` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ line, message: 'expected a JSON object such as {"text": "Hello"}' });
      return;
    }
    const values: Record<string, RawValue> = {};
    const bad: string[] = [];
    for (const [key, v] of Object.entries(value)) {
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') values[key] = v;
      else bad.push(key);
    }
    if (bad.length > 0) {
      problems.push({ line, message: `${bad.map((k) => `"${k}"`).join(', ')} must be a string, number or boolean, not a list or object` });
      return;
    }
    entries.push({ line, values });
  });
  return { format: 'jsonl', entries, problems };
}

function parsePlain(text: string): ParsedManifest {
  const entries: ManifestEntry[] = [];
  lines(text).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed !== '') entries.push({ line: index + 1, values: { text: trimmed } });
  });
  return { format: 'text', entries, problems: [] };
}

/** One record as csv-parse returns it with `info` and `raw`. */
interface CsvRecord {
  record: Record<string, string>;
  raw: string;
  info: { lines: number };
}

/** The error csv-parse reports for a record it skipped. */
interface CsvSkip {
  message: string;
  lines?: number;
}

function parseCsvManifest(text: string): ParsedManifest {
  const problems: ManifestProblem[] = [];
  // csv-parse counts lines wrongly around CRLF blank lines; LF alone counts right (and "\r\n" inside quotes is a
  // line break either way).
  const body = text.replaceAll('\r\n', '\n');
  const headerLine = lines(body).findIndex((l) => l.trim() !== '') + 1;
  let header: string[] = [];
  let records: CsvRecord[];
  try {
    records = parseCsv(body, {
      columns: (names: string[]) => {
        header = names.map(normalizeFieldName);
        const seen = new Set<string>();
        for (const name of header) {
          if (name === '') throw new CsvHeaderError('the header row has an empty column name');
          if (seen.has(name)) throw new CsvHeaderError(`the header row names "${name}" twice`);
          seen.add(name);
        }
        // Once, at the header, rather than on every row (where an empty cell would hide it).
        const unknown = names.map(unknownField).find((m) => m !== undefined);
        if (unknown !== undefined) throw new CsvHeaderError(`the header row has an ${unknown}`);
        return header;
      },
      info: true,
      raw: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err: CsvSkip | undefined) => {
        if (err) problems.push({ line: err.lines ?? 0, message: cleanCsvMessage(err.message) });
      },
    }) as unknown as CsvRecord[];
  } catch (err) {
    const message = err instanceof CsvHeaderError ? err.message : cleanCsvMessage((err as Error).message);
    return { format: 'csv', entries: [], problems: [{ line: headerLine || 1, message }] };
  }
  if (header.length === 0) return { format: 'csv', entries: [], problems: [{ line: 1, message: 'the CSV has no header row' }] };
  const entries = records.map(({ record, raw, info }) => {
    // info.lines is the line the record ends on; its raw text (blank lines before it removed) says how many it spans.
    const spanned = raw.replace(/^\n+/, '').replace(/\n$/, '').split('\n').length - 1;
    // A CSV cannot tell an empty cell from a missing value: empty cells take the defaults.
    const values = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== ''));
    return { line: info.lines - spanned, values };
  });
  return { format: 'csv', entries, problems: problems.sort((a, b) => a.line - b.line) };
}

/** A problem with the CSV header row. */
class CsvHeaderError extends Error {}

/** csv-parse's message without its redundant "on line N" tail (cosy prefixes the line itself). */
function cleanCsvMessage(message: string): string {
  return message.replace(/\s*(on|at) line \d+/, '').replace(/^Invalid Record Length: columns length is (\d+), got (\d+)$/, 'expected $1 columns, got $2');
}
