/**
 * Pure formatters for voices: the catalogue and custom voice lists as an aligned table (terminals) or tab-separated
 * columns (pipes), their JSON shapes, and the detail lines of `cosy voices show`.
 */
import type { SystemVoice } from '../voices/catalogue.js';
import type { CustomVoiceDetails, CustomVoiceSummary } from '../voices/enrollment-api.js';
import { describeForm } from '../voices/instructions.js';

/** How to style text on a terminal (chalk or identity functions). */
export interface TableStyle {
  bold(text: string): string;
  dim(text: string): string;
}

/** No styling. */
export const PLAIN_STYLE: TableStyle = { bold: (t) => t, dim: (t) => t };

/** Languages shown in a terminal table before the rest are summarised as `+N`. */
export const TABLE_LANGUAGES = 3;

/** The features of a system voice as words: ssml, instruct, timestamps. */
export function featuresOf(voice: SystemVoice): string[] {
  return [voice.ssml ? 'ssml' : '', voice.instruct ? 'instruct' : '', voice.timestamps ? 'timestamps' : ''].filter((f) => f !== '');
}

/** Lines of `rows` with every column but the last padded to its widest cell (cells are ASCII). */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

function shortLanguages(languages: readonly string[]): string {
  const shown = languages.slice(0, TABLE_LANGUAGES).join(',');
  return languages.length > TABLE_LANGUAGES ? `${shown},+${languages.length - TABLE_LANGUAGES}` : shown;
}

/**
 * The system voice list for a terminal: a header, one aligned row per (model, voice), and under every
 * Instruct-capable voice the instruction forms it accepts.
 */
export function systemVoiceTable(voices: readonly SystemVoice[], style: TableStyle = PLAIN_STYLE): string[] {
  const header = ['VOICE', 'MODEL', 'FEATURES', 'LANGUAGES', 'NAME'];
  const rows = voices.map((v) => [v.voice, v.model, featuresOf(v).join(',') || '-', shortLanguages(v.languages), v.name]);
  const [head = '', ...lines] = alignColumns([header, ...rows]);
  const out = [style.bold(head)];
  voices.forEach((v, i) => {
    out.push(lines[i] ?? '');
    for (const form of v.instructForms) out.push(style.dim(`    instruct: ${describeForm(form)}`));
  });
  return out;
}

/**
 * The system voice list for a pipe: tab-separated voice, model, languages, features, name, scenario and the kinds of
 * instruction forms (`-` for none), no header.
 */
export function systemVoiceColumns(voices: readonly SystemVoice[]): string[] {
  return voices.map((v) =>
    [v.voice, v.model, v.languages.join(','), featuresOf(v).join(',') || '-', v.name, v.scenario, v.instructForms.map((f) => f.kind).join(',') || '-']
      .map((cell) => cell.replace(/[\t\n]/gu, ' '))
      .join('\t'),
  );
}

/** The JSON shape of a system voice (snake_case, stable). */
export function systemVoiceJson(v: SystemVoice): Record<string, unknown> {
  return {
    voice: v.voice,
    model: v.model,
    name: v.name,
    scenario: v.scenario,
    traits: v.traits,
    age: v.age,
    languages: v.languages,
    ssml: v.ssml,
    instruct: v.instruct,
    timestamps: v.timestamps,
    regions: v.regions,
    instruct_forms: v.instructForms.map((f) => ({ kind: f.kind, template: f.template, values: f.values })),
  };
}

/** The custom voice list for a terminal: voice id, status, target model, created, modified. */
export function customVoiceTable(voices: readonly CustomVoiceSummary[], style: TableStyle = PLAIN_STYLE): string[] {
  const rows = voices.map((v) => [v.voiceId, v.status, v.targetModel ?? '?', v.gmtCreate ?? '', v.gmtModified ?? '']);
  const [head = '', ...lines] = alignColumns([['VOICE ID', 'STATUS', 'TARGET MODEL', 'CREATED', 'MODIFIED'], ...rows]);
  return [style.bold(head), ...lines];
}

/** The custom voice list for a pipe: the same columns, tab-separated, no header. */
export function customVoiceColumns(voices: readonly CustomVoiceSummary[]): string[] {
  return voices.map((v) => [v.voiceId, v.status, v.targetModel ?? '', v.gmtCreate ?? '', v.gmtModified ?? ''].join('\t'));
}

/** The JSON shape of a custom voice (list entry or full record; absent fields are left out). */
export function customVoiceJson(v: CustomVoiceSummary | CustomVoiceDetails): Record<string, unknown> {
  const json: Record<string, unknown> = {
    voice_id: v.voiceId,
    status: v.status,
    target_model: v.targetModel,
    gmt_create: v.gmtCreate,
    gmt_modified: v.gmtModified,
  };
  if ('kind' in v) {
    json['kind'] = v.kind;
    if (v.resourceLink !== undefined) json['resource_link'] = v.resourceLink;
    if (v.voicePrompt !== undefined) json['voice_prompt'] = v.voicePrompt;
    if (v.previewText !== undefined) json['preview_text'] = v.previewText;
  }
  return Object.fromEntries(Object.entries(json).filter(([, value]) => value !== undefined));
}

/** `label: value` lines with the labels padded to one width. */
function labelled(pairs: ReadonlyArray<readonly [string, string | undefined]>): string[] {
  const present = pairs.filter((p): p is readonly [string, string] => p[1] !== undefined);
  const width = Math.max(...present.map(([label]) => label.length)) + 1;
  return present.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`);
}

/** The detail lines of a custom voice for `cosy voices show`. */
export function customVoiceDetails(v: CustomVoiceDetails): string[] {
  return labelled([
    ['voice', v.voiceId],
    ['kind', v.kind === 'design' ? 'designed' : 'cloned'],
    ['status', v.status],
    ['target model', v.targetModel],
    ['created', v.gmtCreate],
    ['modified', v.gmtModified],
    ['source audio', v.resourceLink],
    ['description', v.voicePrompt],
    ['preview text', v.previewText],
  ]);
}

/** The detail lines of a system voice id for `cosy voices show` (one block per model that has it). */
export function systemVoiceDetails(entries: readonly SystemVoice[]): string[] {
  const out: string[] = [];
  for (const v of entries) {
    if (out.length > 0) out.push('');
    out.push(
      ...labelled([
        ['voice', v.voice],
        ['model', v.model],
        ['name', v.name],
        ['scenario', v.scenario],
        ['traits', v.traits],
        ['age', v.age],
        ['languages', v.languages.join(', ')],
        ['features', featuresOf(v).join(', ') || 'none'],
        ['regions', v.regions.join(', ')],
      ]),
    );
    for (const form of v.instructForms) out.push(`  instruct: ${describeForm(form)}`);
  }
  return out;
}
