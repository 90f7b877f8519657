/**
 * `cosy voices`: the system voice catalogue with filters (no connection needed), `--custom` for the account's own
 * voices, and the subcommands `show`, `rm` and `update`.
 */
import { CosyError, UsageError } from '../../errors.js';
import { MODEL_IDS, type Region } from '../../protocol/models.js';
import { filterVoices, findVoicesById, type VoiceFilter } from '../../voices/catalogue.js';
import { deleteVoice, listVoices, queryVoice, updateVoice } from '../../voices/enrollment-api.js';
import { customVoiceTargetModel } from '../../voices/instructions.js';
import { DEFAULT_POLL_TIMEOUT_MS } from '../../voices/poll.js';
import { confirm } from '../confirm.js';
import type { CommandContext } from '../context.js';
import { audioUrlFor, checkedPrefix, outputFor, waitWithProgress, withEnrollment } from '../enrollment-session.js';
import { optionValues } from '../option-values.js';
import type { Output } from '../output.js';
import {
  customVoiceColumns,
  customVoiceDetails,
  customVoiceJson,
  customVoiceTable,
  systemVoiceColumns,
  systemVoiceDetails,
  systemVoiceJson,
  systemVoiceTable,
  type TableStyle,
} from '../voice-table.js';

/** Page size cosy asks for when listing custom voices. */
export const LIST_PAGE_SIZE = 100;

/** Options of `cosy voices` that choose system voices. */
const SYSTEM_FILTERS = ['language', 'ssml', 'instruct', 'timestamps', 'search'] as const;

/** The table style: colours on a terminal only. */
function styleFor(output: Output): TableStyle {
  return { bold: (t) => output.color.bold(t), dim: (t) => output.color.dim(t) };
}

/** The system voice filter from the options. */
export function systemFilter(raw: Record<string, unknown>): VoiceFilter {
  const o = optionValues(raw);
  const filter: VoiceFilter = {};
  const model = o.string('model');
  if (model !== undefined) {
    if (!MODEL_IDS.includes(model)) throw new UsageError(`--model ${model} is not a model cosy knows; choose one of ${MODEL_IDS.join(', ')}`);
    filter.model = model;
  }
  const language = o.string('language');
  if (language !== undefined) {
    if (language.trim() === '') throw new UsageError('--language is empty');
    filter.language = language.trim();
  }
  if (o.flag('ssml')) filter.ssml = true;
  if (o.flag('instruct')) filter.instruct = true;
  if (o.flag('timestamps')) filter.timestamps = true;
  const search = o.string('search');
  if (search !== undefined) filter.search = search;
  const region = o.string('region');
  if (region === 'cn' || region === 'intl') filter.region = region as Region;
  return filter;
}

/** Runs `cosy voices` (the list). */
export async function runVoices(raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const o = optionValues(raw);
  const output = outputFor(raw, context);
  if (o.flag('json') && o.flag('ids')) throw new UsageError('--json and --ids cannot be combined');
  if (o.flag('custom')) {
    await listCustom(raw, context, output);
    return;
  }
  if (o.string('prefix') !== undefined) throw new UsageError('--prefix applies to custom voices: add --custom');
  const voices = filterVoices(systemFilter(raw));
  if (o.flag('json')) {
    output.result({ ok: true, count: voices.length, voices: voices.map(systemVoiceJson) });
    return;
  }
  if (voices.length === 0) {
    output.info('no system voice matches these filters');
    return;
  }
  if (o.flag('ids')) {
    for (const id of new Set(voices.map((v) => v.voice))) output.resultLine(id);
    return;
  }
  const lines = context.stdout.isTTY === true ? systemVoiceTable(voices, styleFor(output)) : systemVoiceColumns(voices);
  for (const line of lines) output.resultLine(line);
}

async function listCustom(raw: Record<string, unknown>, context: CommandContext, output: Output): Promise<void> {
  const o = optionValues(raw);
  const given = SYSTEM_FILTERS.filter((name) => raw[name] !== undefined && raw[name] !== false);
  if (given.length > 0) {
    throw new UsageError(`--${given[0]} filters system voices; with --custom only --prefix and --model apply`);
  }
  const prefixOption = o.string('prefix');
  const prefix = prefixOption === undefined ? undefined : checkedPrefix(prefixOption);
  const model = o.string('model');
  if (model !== undefined && !MODEL_IDS.includes(model)) {
    throw new UsageError(`--model ${model} is not a model cosy knows; choose one of ${MODEL_IDS.join(', ')}`);
  }
  const voices = await withEnrollment(raw, context, output, (session) =>
    listVoices(session.client, { prefix, pageSize: LIST_PAGE_SIZE, onPage: (n) => output.debug(`list_voice page ${n}`) }),
  );
  const shown = model === undefined ? voices : voices.filter((v) => v.targetModel === model);
  if (o.flag('json')) {
    output.result({ ok: true, count: shown.length, voices: shown.map(customVoiceJson) });
    return;
  }
  if (shown.length === 0) {
    output.info(`no custom voices${prefix !== undefined ? ` with prefix ${prefix}` : ''}${model !== undefined ? ` for ${model}` : ''}`);
    return;
  }
  if (o.flag('ids')) {
    for (const v of shown) output.resultLine(v.voiceId);
    return;
  }
  const lines = context.stdout.isTTY === true ? customVoiceTable(shown, styleFor(output)) : customVoiceColumns(shown);
  for (const line of lines) output.resultLine(line);
}

/** Runs `cosy voices show ID`: a system voice from the catalogue, or a custom voice from the service. */
export async function runVoicesShow(id: string, raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const o = optionValues(raw);
  const output = outputFor(raw, context);
  const system = findVoicesById(id);
  if (system.length > 0) {
    if (o.flag('json')) output.result({ ok: true, voice: { voice_id: id, kind: 'system', models: system.map(systemVoiceJson) } });
    else for (const line of systemVoiceDetails(system)) output.resultLine(line);
    return;
  }
  const voice = await withEnrollment(raw, context, output, (session) => queryVoice(session.client, id));
  if (o.flag('json')) output.result({ ok: true, voice: customVoiceJson(voice) });
  else for (const line of customVoiceDetails(voice)) output.resultLine(line);
}

/** Runs `cosy voices rm ID…`: asks on a terminal, needs --yes elsewhere; deletes each voice in turn. */
export async function runVoicesRm(ids: string[], raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const o = optionValues(raw);
  const output = outputFor(raw, context);
  const unique = [...new Set(ids)];
  for (const id of unique) {
    if (findVoicesById(id).length > 0) throw new UsageError(`${id} is a system voice; only custom voices can be deleted`);
  }
  if (!o.flag('yes')) {
    const what = unique.length === 1 ? `custom voice ${unique[0]}` : `${unique.length} custom voices (${unique.join(', ')})`;
    if (!(await confirm(`Delete ${what}?`, '--yes', context))) {
      output.info('nothing deleted');
      return;
    }
  }
  const deleted: string[] = [];
  const failures: unknown[] = [];
  await withEnrollment(raw, context, output, async (session) => {
    for (const id of unique) {
      try {
        await deleteVoice(session.client, id);
        deleted.push(id);
        if (!o.flag('json')) output.resultLine(id);
        output.info(`deleted ${id}`);
      } catch (err) {
        if (context.signal.aborted) throw err;
        failures.push(err);
        output.debug(`could not delete ${id}: ${(err as Error).message}`);
      }
    }
  });
  const [first] = failures;
  if (first !== undefined) {
    if (deleted.length > 0) output.warn(`deleted ${deleted.length} of ${unique.length} voices`);
    // With --json the error document is all a script gets: it says which voices are gone.
    if (first instanceof CosyError) first.details = { ...first.details, deleted };
    throw first;
  }
  if (o.flag('json')) output.result({ ok: true, deleted });
}

/** Runs `cosy voices update ID <url|file>`: re-clones the voice from new audio and waits unless --no-wait. */
export async function runVoicesUpdate(id: string, audio: string, raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const o = optionValues(raw);
  const output = outputFor(raw, context);
  if (findVoicesById(id).length > 0) throw new UsageError(`${id} is a system voice; only cloned voices can be updated`);
  if (customVoiceTargetModel(id)?.designed === true) throw new UsageError(`${id} is a designed voice; only cloned voices can be updated from audio`);
  const wait = !o.negated('wait');
  const timeoutMs = o.number('timeout') ?? DEFAULT_POLL_TIMEOUT_MS;
  const voice = await withEnrollment(raw, context, output, async (session) => {
    const url = await audioUrlFor(audio, session.client, output);
    await updateVoice(session.client, id, url);
    output.info(`updating ${id} from the new audio`);
    return wait ? waitWithProgress(session, id, timeoutMs, output, context) : queryVoice(session.client, id);
  });
  if (o.flag('json')) output.result({ ok: true, ...customVoiceJson(voice) });
  else output.resultLine(voice.voiceId);
  if (wait) output.info(`${voice.voiceId} is ready (${voice.status})`);
}

