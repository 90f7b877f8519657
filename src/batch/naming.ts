/**
 * Output names of batch items: the `--name` template (`{n}`, `{id}`, `{voice}`, `{hash}`, `{ext}`) or an item's
 * own `out`, checked to stay inside the output folder (relative, no `..`) and to be unique, before anything is sent.
 */
import { posix } from 'node:path';
import { UsageError } from '../errors.js';
import type { AudioFormat } from '../protocol/limits.js';
import { LEDGER_FILE } from './defaults.js';

/** Placeholders a template may use. */
export const PLACEHOLDERS = ['n', 'id', 'voice', 'hash', 'ext'] as const;
/** One of the template placeholders. */
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Characters of the request key that `{hash}` shows. */
export const HASH_LENGTH = 12;

/** File names in the output folder that belong to cosy and may not be outputs. */
const RESERVED_PREFIX = LEDGER_FILE.replace(/\.jsonl$/, '');

/** The file extension of an audio format. */
export function extensionFor(format: AudioFormat): string {
  return format;
}

/**
 * Checks a template: only known placeholders and balanced braces.
 * @throws UsageError naming the problem.
 */
export function checkTemplate(template: string): void {
  const stripped = template.replace(/\{([^{}]*)\}/g, (_m, name: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new UsageError(`--name ${JSON.stringify(template)}: unknown placeholder {${name}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`);
    }
    return '';
  });
  if (/[{}]/.test(stripped)) throw new UsageError(`--name ${JSON.stringify(template)}: unbalanced { or }`);
}

/** Fills a (checked) template. */
export function renderName(template: string, values: Readonly<Record<Placeholder, string>>): string {
  return template.replace(/\{(n|id|voice|hash|ext)\}/g, (_m, name: Placeholder) => values[name]);
}

/** A normalised output path relative to the output folder, or why it is not acceptable. */
export type PathCheck = { ok: true; path: string } | { ok: false; message: string };

/** The subtitle sidecar of an audio file: the same name with the subtitle format's extension. */
export function sidecarPath(audioPath: string, format: string): string {
  const dot = audioPath.lastIndexOf('.');
  const slash = Math.max(audioPath.lastIndexOf('/'), audioPath.lastIndexOf('\\'));
  return `${dot > slash ? audioPath.slice(0, dot) : audioPath}.${format}`;
}

/** Checks that a path stays inside the output folder: relative, no `..`, no NUL, not a folder, not cosy's ledger. */
export function checkOutputPath(path: string): PathCheck {
  if (path.trim() === '') return { ok: false, message: 'the output name is empty' };
  if (path.includes('\u0000')) return { ok: false, message: 'the output name contains a NUL character' };
  const slashed = path.replaceAll('\\', '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) {
    return { ok: false, message: `output ${JSON.stringify(path)} is an absolute path; outputs go inside the output folder (-d)` };
  }
  if (slashed.split('/').includes('..')) {
    return { ok: false, message: `output ${JSON.stringify(path)} leaves the output folder (..); outputs go inside it (-d)` };
  }
  if (slashed.endsWith('/')) return { ok: false, message: `output ${JSON.stringify(path)} names a folder, not a file` };
  const normalized = posix.normalize(slashed);
  if (normalized === '.' || normalized === '') return { ok: false, message: `output ${JSON.stringify(path)} names the output folder itself` };
  // Compared ignoring case, like output names: on macOS and Windows COSY-BATCH… is the ledger too.
  if (posix.basename(normalized).toLowerCase().startsWith(RESERVED_PREFIX)) {
    return { ok: false, message: `output ${JSON.stringify(path)} would overwrite cosy's ledger` };
  }
  return { ok: true, path: normalized };
}

/** What naming needs to know about an item. */
export interface NameableItem {
  n: number;
  line: number;
  id: string;
  voice: string;
  format: AudioFormat;
  key: string;
  /** The item's own `out` field. */
  out: string | undefined;
  /** The subtitle sidecar it writes next to its audio, if any. */
  subtitles?: { format: string } | undefined;
}

/** A naming problem of one item. */
export interface NamingProblem {
  line: number;
  message: string;
}

/** How an item is referred to in messages. */
export function describeItem(item: { line: number; id: string }): string {
  return `line ${item.line} (id ${JSON.stringify(item.id)})`;
}

/**
 * The output path of every item (same order), and every problem: a name that escapes the folder, two items with
 * the same path (compared case-insensitively, as macOS and Windows do), or a path that another output needs as a
 * folder.
 */
export function assignOutputs(items: readonly NameableItem[], template: string): { outputs: string[]; problems: NamingProblem[] } {
  const outputs: string[] = [];
  const problems: NamingProblem[] = [];
  const owners = new Map<string, NameableItem>();
  for (const item of items) {
    const name =
      item.out ??
      renderName(template, { n: String(item.n), id: item.id, voice: item.voice, hash: item.key.slice(0, HASH_LENGTH), ext: extensionFor(item.format) });
    const checked = checkOutputPath(name);
    if (!checked.ok) {
      problems.push({ line: item.line, message: checked.message });
      outputs.push('');
      continue;
    }
    outputs.push(checked.path);
    const folded = checked.path.toLowerCase();
    const owner = owners.get(folded);
    if (owner) {
      problems.push({
        line: item.line,
        message: `output ${checked.path} is also the output of ${describeItem(owner)}; give each item its own "id" or "out", or use {n} or {hash} in --name`,
      });
    } else {
      owners.set(folded, item);
    }
  }
  // Subtitle sidecars are outputs too: one may not land on another item's audio or sidecar.
  items.forEach((item, index) => {
    const path = outputs[index] ?? '';
    if (path === '' || item.subtitles === undefined) return;
    const sidecar = sidecarPath(path, item.subtitles.format);
    const folded = sidecar.toLowerCase();
    const owner = owners.get(folded);
    if (owner && owner !== item) {
      problems.push({ line: item.line, message: `its subtitles ${sidecar} would overwrite an output of ${describeItem(owner)}; rename one of them ("out")` });
    } else if (owner === item) {
      problems.push({ line: item.line, message: `its subtitles ${sidecar} would overwrite its own audio; name the audio with an audio extension ("out")` });
    } else {
      owners.set(folded, item);
    }
  });
  items.forEach((item, index) => {
    const path = outputs[index] ?? '';
    for (let dir = posix.dirname(path); dir !== '.' && dir !== '/' && path !== ''; dir = posix.dirname(dir)) {
      const owner = owners.get(dir.toLowerCase());
      if (owner) problems.push({ line: item.line, message: `output ${path} needs ${dir} to be a folder, but it is the output of ${describeItem(owner)}` });
    }
  });
  return { outputs, problems: problems.sort((a, b) => a.line - b.line) };
}
