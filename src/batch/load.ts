/**
 * From manifest text to checked, named items: parse the lines, check every item's fields, resolve text and
 * request, give each its output path. Every problem of every line is collected with its line number, so a bad
 * manifest is reported in full and refused before anything is sent.
 */
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HotFix } from '../protocol/messages.js';
import { parseFields } from './fields.js';
import { resolveItem, type ResolveContext, type ResolvedItem } from './item.js';
import { parseManifest, type ManifestFormat } from './manifest.js';
import { assignOutputs, describeItem } from './naming.js';
import type { PlannedItem } from './plan.js';

/** A problem of one manifest line. */
export interface LineProblem {
  line: number;
  message: string;
}

/** The checked items of a manifest, or its problems. */
export interface LoadedBatch {
  format: ManifestFormat;
  items: PlannedItem[];
  problems: LineProblem[];
  /** Request warnings, each with the number of items it concerns. */
  warnings: Map<string, number>;
}

/** What loading needs besides the manifest text. */
export interface LoadOptions extends ResolveContext {
  format: ManifestFormat;
  /** The --name template (checked). */
  template: string;
  /** Absolute output folder. */
  outDir: string;
}

/** Parses, resolves and names every item of a manifest. */
export async function loadBatch(text: string, options: LoadOptions): Promise<LoadedBatch> {
  const parsed = parseManifest(text, options.format);
  const problems: LineProblem[] = [...parsed.problems];
  const resolved: ResolvedItem[] = [];
  const warnings = new Map<string, number>();
  const hotFixes = new Map<string, Promise<HotFix>>();
  const ids = new Map<string, ResolvedItem>();
  let n = 0;
  for (const entry of parsed.entries) {
    n++;
    const fields = parseFields(entry.values);
    if (!fields.ok) {
      for (const message of fields.problems) problems.push({ line: entry.line, message });
      continue;
    }
    const result = await resolveItem(fields.fields, { n, line: entry.line }, options, hotFixes);
    if (!result.ok) {
      for (const message of result.problems) problems.push({ line: entry.line, message });
      continue;
    }
    const item = result.item;
    const twin = ids.get(item.id);
    if (twin) {
      problems.push({ line: entry.line, message: `id ${JSON.stringify(item.id)} is also the id of ${describeItem(twin)}; ids must be unique` });
      continue;
    }
    ids.set(item.id, item);
    for (const w of item.warnings) warnings.set(w, (warnings.get(w) ?? 0) + 1);
    resolved.push(item);
  }
  if (parsed.entries.length === 0 && problems.length === 0) problems.push({ line: 0, message: 'the manifest has no items' });
  const named = assignOutputs(resolved, options.template);
  problems.push(...named.problems);
  const items = resolved.map((item, i): PlannedItem => {
    const output = named.outputs[i] ?? '';
    return { ...item, output, path: join(options.outDir, output) };
  });
  for (const item of items) {
    const blocked = item.output === '' ? undefined : blockedPath(item.path, options.outDir);
    if (blocked !== undefined) problems.push({ line: item.line, message: blocked });
  }
  return { format: parsed.format, items, problems: problems.sort((a, b) => a.line - b.line), warnings };
}

/**
 * What is already on disk in the way of an output: a folder under its name, a named pipe or device (batch outputs
 * are files it hashes and can resume; writing into a pipe would do neither), or a file where a folder must go.
 */
function blockedPath(path: string, outDir: string): string | undefined {
  const kind = (p: string): 'folder' | 'file' | 'special' | undefined => {
    try {
      const info = statSync(p);
      return info.isDirectory() ? 'folder' : info.isFile() ? 'file' : 'special';
    } catch {
      return undefined;
    }
  };
  const here = kind(path);
  if (here === 'folder') return `output ${path} is an existing folder; remove it or name the output differently ("out", --name)`;
  if (here === 'special') return `output ${path} is a named pipe or device, not a file; batch writes files it can check and resume (to write into a pipe, use cosy say -o)`;
  for (let dir = dirname(path); dir.length > outDir.length && dir !== dirname(dir); dir = dirname(dir)) {
    if (kind(dir) === 'file') return `output ${path} needs ${dir} to be a folder, but it is a file`;
  }
  return undefined;
}
