#!/usr/bin/env node
/**
 * Generates src/voices/catalogue-data.ts from the system voice list (voices.tsv, described in voices.md).
 *
 *   node scripts/gen-catalogue.mjs path/to/voices.tsv > src/voices/catalogue-data.ts
 *
 * The parse is strict: a wrong header, a row with the wrong number of columns, an unknown yes/no or region value, a
 * malformed instruction form or an unknown value-list key stops the script with exit code 1 and a message naming
 * the line, and nothing is written to stdout.
 */
import { readFileSync } from 'node:fs';

/** The columns of voices.tsv, in order. */
const COLUMNS = [
  'model',
  'voice',
  'name',
  'scenario',
  'traits',
  'age',
  'languages',
  'ssml',
  'instruct',
  'timestamps',
  'regions',
  'instruct_forms',
];

/** The `regions` column → the Region values of src/protocol/models.ts. */
const REGIONS = {
  both: ['cn', 'intl'],
  beijing: ['cn'],
};

/**
 * The parts of a form kind (EMOTION, SCENE+EMOTION, …): the key that lists the part's values in the TSV and the
 * template placeholder the values fill. Every placeholder of a template must come from its kind's parts.
 */
const KIND_PARTS = {
  EMOTION: { key: 'values', placeholder: '情感值' },
  SCENE: { key: 'scenes', placeholder: '场景' },
  ROLE: { key: 'roles', placeholder: '角色' },
  IDENTITY: { key: 'identities', placeholder: '身份' },
  DIALECT: { key: 'dialects', placeholder: '方言' },
};

/** Keys that may appear after a template, mapped to the kind part they belong to. */
const KEY_TO_PART = Object.fromEntries(Object.entries(KIND_PARTS).map(([part, { key }]) => [key, part]));

/** Separator between the instruction forms of one cell. */
const FORM_SEPARATOR = ' || ';

/** An error in the input, reported with its line number. */
class TsvError extends Error {}

/** Throws a TsvError for `line` (1-based, the header is line 1). */
function fail(line, message) {
  throw new TsvError(`voices.tsv line ${line}: ${message}`);
}

/** Parses a yes/no cell. */
function parseYesNo(line, column, cell) {
  if (cell === 'yes') return true;
  if (cell === 'no') return false;
  return fail(line, `column ${column} must be "yes" or "no", got ${JSON.stringify(cell)}`);
}

/**
 * Splits `text` at every occurrence of `separator` that is outside parentheses, so that a gloss such as
 * "(story machine)" may contain the separator.
 */
function splitOutsideParens(line, text, separator) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth < 0) fail(line, `unbalanced ")" in ${JSON.stringify(text)}`);
    } else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  if (depth !== 0) fail(line, `unbalanced "(" in ${JSON.stringify(text)}`);
  parts.push(text.slice(start));
  return parts;
}

/** Parses `a(gloss),b(gloss),c` into values and glosses. */
function parseValueList(line, key, text) {
  const values = [];
  const glosses = {};
  for (const item of splitOutsideParens(line, text, ',')) {
    const m = /^([^()\s][^()]*?)(?:\(([^()]+)\))?$/u.exec(item);
    if (m === null) fail(line, `${key}: malformed value ${JSON.stringify(item)}`);
    const [, value, gloss] = m;
    if (values.includes(value)) fail(line, `${key}: duplicate value ${JSON.stringify(value)}`);
    values.push(value);
    if (gloss !== undefined) glosses[value] = gloss;
  }
  return { values, glosses };
}

/** The placeholders of a template, in order of appearance. */
function placeholdersOf(template) {
  return [...template.matchAll(/<([^<>]+)>/gu)].map((m) => m[1]);
}

/** Parses one form, `KIND 「template」 key=list key=list`, into its raw parts (emotion values not yet shared). */
function parseForm(line, text) {
  const m = /^([A-Z]+(?:\+[A-Z]+)*) 「([^「」]+)」(?: (.+))?$/u.exec(text);
  if (m === null) fail(line, `malformed instruction form ${JSON.stringify(text)}`);
  const [, kind, template, rest = ''] = m;
  const parts = kind.split('+');
  for (const part of parts) {
    if (!Object.hasOwn(KIND_PARTS, part)) fail(line, `unknown form kind part ${JSON.stringify(part)} in ${kind}`);
  }
  const placeholders = placeholdersOf(template);
  const expected = parts.map((part) => KIND_PARTS[part].placeholder);
  if (placeholders.length !== expected.length || !expected.every((p) => placeholders.includes(p))) {
    fail(line, `${kind} template ${JSON.stringify(template)} must have the placeholders <${expected.join('>, <')}>`);
  }
  if (/[<>]/u.test(template.replace(/<[^<>]+>/gu, ''))) fail(line, `stray < or > in template ${JSON.stringify(template)}`);

  const lists = {};
  for (const assignment of rest === '' ? [] : splitOutsideParens(line, rest, ' ')) {
    const a = /^([a-z]+)=(.+)$/u.exec(assignment);
    if (a === null) fail(line, `malformed value list ${JSON.stringify(assignment)} in ${kind}`);
    const [, key, list] = a;
    if (!Object.hasOwn(KEY_TO_PART, key)) fail(line, `unknown value-list key ${JSON.stringify(key)} in ${kind}`);
    const part = KEY_TO_PART[key];
    if (!parts.includes(part)) fail(line, `${kind} must not have ${key}= (it belongs to ${part})`);
    if (Object.hasOwn(lists, part)) fail(line, `${kind} has ${key}= twice`);
    lists[part] = parseValueList(line, key, list);
  }
  return { kind, parts, template, lists };
}

/**
 * Parses an instruct_forms cell. A combined form (SCENE+EMOTION, …) does not repeat the emotion values: they are
 * the values of the same voice's EMOTION form, so every list a form lacks is taken from the single-part form of
 * that kind; when there is none, the row fails.
 */
function parseForms(line, cell) {
  if (cell === '') return [];
  const raw = cell.split(FORM_SEPARATOR).map((text) => parseForm(line, text));
  const kinds = raw.map((f) => f.kind);
  const dup = kinds.find((k, i) => kinds.indexOf(k) !== i);
  if (dup !== undefined) fail(line, `form kind ${dup} appears twice`);
  return raw.map((form) => {
    const values = {};
    const glosses = {};
    for (const part of form.parts) {
      const list = form.lists[part] ?? raw.find((f) => f.kind === part)?.lists[part];
      if (list === undefined) {
        fail(line, `${form.kind} gives no ${KIND_PARTS[part].key}= and the voice has no ${part} form to take them from`);
      }
      values[KIND_PARTS[part].placeholder] = list.values;
      for (const [value, gloss] of Object.entries(list.glosses)) {
        if (Object.hasOwn(glosses, value) && glosses[value] !== gloss) fail(line, `conflicting glosses for ${value}`);
        glosses[value] = gloss;
      }
    }
    // Values in the order the placeholders appear in the template.
    const ordered = Object.fromEntries(placeholdersOf(form.template).map((p) => [p, values[p]]));
    return { kind: form.kind, template: form.template, values: ordered, glosses };
  });
}

/** Parses the whole TSV text into SystemVoice objects. */
function parseVoicesTsv(text) {
  const lines = text.replace(/\r\n/gu, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = lines[0]?.split('\t') ?? [];
  if (header.join('\t') !== COLUMNS.join('\t')) {
    fail(1, `header must be ${COLUMNS.join(', ')} (tab-separated), got ${JSON.stringify(lines[0] ?? '')}`);
  }
  const seen = new Set();
  const rows = [];
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const cells = lines[i].split('\t');
    if (cells.length !== COLUMNS.length) fail(line, `expected ${COLUMNS.length} columns, got ${cells.length}`);
    cells.forEach((cell, c) => {
      if (cell !== cell.trim()) fail(line, `column ${COLUMNS[c]} has leading or trailing whitespace`);
    });
    const [model, voice, name, scenario, traits, age, languages, ssml, instruct, timestamps, regions, forms] = cells;
    if (!/^cosyvoice-v[0-9.]+(?:-[a-z]+)?$/u.test(model)) fail(line, `bad model id ${JSON.stringify(model)}`);
    if (!/^[a-z][a-z0-9_]*$/u.test(voice)) fail(line, `bad voice id ${JSON.stringify(voice)}`);
    if (name === '') fail(line, 'empty name');
    const key = `${model}\t${voice}`;
    if (seen.has(key)) fail(line, `duplicate row for ${model} ${voice}`);
    seen.add(key);
    const langs = languages.split(';');
    for (const lang of langs) {
      if (!/^[a-z]{2,3}(?:-[A-Za-z]+)?$/u.test(lang)) fail(line, `bad language ${JSON.stringify(lang)}`);
    }
    if (!Object.hasOwn(REGIONS, regions)) {
      fail(line, `column regions must be one of ${Object.keys(REGIONS).join(', ')}, got ${JSON.stringify(regions)}`);
    }
    const isInstruct = parseYesNo(line, 'instruct', instruct);
    const instructForms = parseForms(line, forms);
    if (isInstruct !== instructForms.length > 0) {
      fail(line, isInstruct ? 'instruct is yes but instruct_forms is empty' : 'instruct is no but instruct_forms is set');
    }
    rows.push({
      model,
      voice,
      name,
      scenario,
      traits,
      age,
      languages: langs,
      ssml: parseYesNo(line, 'ssml', ssml),
      instruct: isInstruct,
      timestamps: parseYesNo(line, 'timestamps', timestamps),
      regions: [...REGIONS[regions]],
      instructForms,
    });
  }
  if (rows.length === 0) fail(2, 'no rows');
  return rows;
}

/** A TS string literal: single-quoted unless the text holds a quote, backslash or control character. */
function str(s) {
  return /['\\\u0000-\u001f\u2028\u2029]/u.test(s) ? JSON.stringify(s) : `'${s}'`;
}

/** A TS literal for plain data (strings, booleans, arrays, objects), indented by `indent`. */
function literal(value, indent) {
  if (typeof value === 'string') return str(value);
  if (typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return `[${value.map(str).join(', ')}]`;
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const keyOf = (k) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/u.test(k) ? k : str(k));
  return `{\n${entries.map(([k, v]) => `${inner}${keyOf(k)}: ${literal(v, inner)},\n`).join('')}${indent}}`;
}

/** Renders the generated module. */
function renderModule(rows) {
  return [
    '// generated by scripts/gen-catalogue.mjs from voices.tsv; do not edit by hand',
    "import type { SystemVoice } from './catalogue.js';",
    '',
    `/** The ${rows.length} (model, voice) rows of the system voice list, in the order of voices.tsv. */`,
    `export const VOICE_ROWS: readonly SystemVoice[] = ${literal(rows, '')};`,
    '',
  ].join('\n');
}

/** Entry point: reads the TSV named on the command line and prints the module. */
function main(argv) {
  if (argv.length !== 1) {
    process.stderr.write('usage: node scripts/gen-catalogue.mjs path/to/voices.tsv > src/voices/catalogue-data.ts\n');
    return 2;
  }
  try {
    process.stdout.write(renderModule(parseVoicesTsv(readFileSync(argv[0], 'utf8'))));
    return 0;
  } catch (err) {
    if (!(err instanceof TsvError)) throw err;
    process.stderr.write(`gen-catalogue: ${err.message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
