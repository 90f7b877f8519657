/**
 * `cosy clone <url|file>`: checks and uploads a local sample (or passes a URL through), creates a cloned voice, and
 * unless --no-wait waits until it is OK. Prints the voice id alone on stdout (the full record with --json).
 */
import { UsageError } from '../../errors.js';
import { LANGUAGE_HINTS } from '../../protocol/limits.js';
import { MODEL_IDS, type ModelCapabilities } from '../../protocol/models.js';
import { createCloneVoice, queryVoice } from '../../voices/enrollment-api.js';
import { enrollmentTarget } from '../../voices/enrollment-rules.js';
import { DEFAULT_POLL_TIMEOUT_MS } from '../../voices/poll.js';
import type { CommandContext } from '../context.js';
import { audioUrlFor, checkedPrefix, outputFor, waitWithProgress, withEnrollment } from '../enrollment-session.js';
import { optionValues } from '../option-values.js';
import type { Output } from '../output.js';
import { customVoiceJson } from '../voice-table.js';

/** Target model of `cosy clone` and `cosy design` unless --model says otherwise. */
export const DEFAULT_ENROLLMENT_MODEL = 'cosyvoice-v3.5-plus';
/** Prefix of new voices unless --prefix says otherwise. */
export const DEFAULT_PREFIX = 'cosy';

/**
 * The target model for cloning or design, checked against cosy's capability table.
 * @throws UsageError naming the models that can be used.
 */
export function checkedTargetModel(model: string, kind: 'clone' | 'design'): ModelCapabilities {
  const target = enrollmentTarget(model, kind);
  if (target === undefined) {
    const usable = MODEL_IDS.filter((id) => enrollmentTarget(id, kind) !== undefined);
    throw new UsageError(`--model ${model} cannot be the target of voice ${kind === 'clone' ? 'cloning' : 'design'}; choose one of ${usable.join(', ')}`);
  }
  return target;
}

/** Checks the region against the target model; warns where the documentation says enrollment is Beijing-only. */
export function checkEnrollmentRegion(target: ModelCapabilities, region: string, output: Output): void {
  if (region !== 'cn' && region !== 'intl') return;
  if (!target.regions.includes(region)) {
    throw new UsageError(`${target.id} is not offered in region ${region}; use --region cn (Beijing) or another --model`);
  }
  if (region === 'intl') {
    output.warn('the documentation says voice cloning and design are offered in Beijing only (--region cn); trying Singapore anyway');
  }
}

/** The --language option, checked. */
export function checkedLanguage(language: string | undefined, allowed: readonly string[]): string | undefined {
  if (language !== undefined && !allowed.includes(language)) {
    throw new UsageError(`--language ${language} is not supported here; choose one of ${allowed.join(', ')}`);
  }
  return language;
}

/** Runs `cosy clone`. */
export async function runClone(audio: string, raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const o = optionValues(raw);
  const output = outputFor(raw, context);
  const prefix = checkedPrefix(o.string('prefix') ?? DEFAULT_PREFIX);
  const target = checkedTargetModel(o.string('model') ?? DEFAULT_ENROLLMENT_MODEL, 'clone');
  const language = checkedLanguage(o.string('language'), LANGUAGE_HINTS);
  const wait = !o.negated('wait');
  const timeoutMs = o.number('timeout') ?? DEFAULT_POLL_TIMEOUT_MS;
  if (audio.trim() === '') throw new UsageError('the audio argument is empty: pass a file or an https:// URL');

  const voice = await withEnrollment(raw, context, output, async (session) => {
    checkEnrollmentRegion(target, session.connection.region, output);
    const url = await audioUrlFor(audio, session.client, output);
    const voiceId = await createCloneVoice(session.client, { targetModel: target.id, prefix, url, language });
    output.info(`created ${voiceId} for ${target.id}`);
    return wait ? waitWithProgress(session, voiceId, timeoutMs, output, context) : queryVoice(session.client, voiceId);
  });
  if (o.flag('json')) output.result({ ok: true, ...customVoiceJson(voice) });
  else output.resultLine(voice.voiceId);
  if (wait) output.info(`${voice.voiceId} is ready: cosy say --model ${target.id} --voice ${voice.voiceId} "…"`);
  else output.info(`${voice.voiceId} is ${voice.status}; check it with \`cosy voices show ${voice.voiceId}\``);
}
