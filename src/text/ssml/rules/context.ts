/**
 * Rules about the request an SSML document is meant for (specification §1): the model and voice must support SSML
 * (R-CTX-MODEL, R-CTX-VOICE), the document must go whole in one message (R-CTX-MODE), and it must fit the limit of
 * one message (R-CTX-LEN).
 */
import type { CharacterCounts } from '../../../protocol/counting.js';
import { CLIENT_MAX_MESSAGE_CHARS, SERVICE_MAX_MESSAGE_CHARS } from '../../../protocol/limits.js';
import { MODELS, findModel } from '../../../protocol/models.js';
import { findSystemVoice } from '../../../voices/catalogue.js';
import { customVoiceTargetModel } from '../../../voices/instructions.js';
import type { Report, SsmlContext } from '../types.js';

/** Models that support SSML according to the model table, for messages. */
function ssmlModels(): string {
  return MODELS.filter((m) => m.ssml === 'yes').map((m) => m.id).join(', ');
}

/** Checks the request context of a document; findings are placed at `offset` (the first `<speak>`). */
export function checkContext(context: SsmlContext, counts: CharacterCounts, offset: number, report: Report): void {
  if (context.mode === 'streaming') {
    report('R-CTX-MODE', 'error', offset, 'SSML cannot be streamed: the service takes it whole in exactly one message (use cosy say)');
  }
  const model = context.model;
  if (model !== undefined && context.requestChecked !== true) {
    const capabilities = findModel(model);
    if (capabilities === undefined) {
      report('R-CTX-MODEL', 'warning', offset, `cosy does not know model ${model}, so it cannot tell whether it takes SSML`);
    } else if (capabilities.ssml === 'no') {
      report('R-CTX-MODEL', 'error', offset, `${model} does not support SSML; use ${ssmlModels()}`);
    } else if (capabilities.ssml === 'unconfirmed') {
      report('R-CTX-MODEL', 'warning', offset, `SSML on ${model} is not confirmed by the documentation; the service may answer "SSML text is not supported at the moment!"`);
    }
    const voice = context.voice;
    if (voice !== undefined) {
      const system = findSystemVoice(model, voice);
      if (system !== undefined && !system.ssml) {
        report('R-CTX-VOICE', 'error', offset, `voice ${voice} does not support SSML on ${model} (see \`cosy voices --ssml\`)`);
      } else if (customVoiceTargetModel(voice)?.designed === true) {
        report('R-CTX-VOICE', 'info', offset, `SSML with designed voices such as ${voice} is documented only by the newest SDK page`);
      }
    }
  }
  if (counts.conservative > CLIENT_MAX_MESSAGE_CHARS) {
    const service = counts.billed > SERVICE_MAX_MESSAGE_CHARS ? `, and its text alone is over the service's limit of ${SERVICE_MAX_MESSAGE_CHARS.toLocaleString('en-US')}` : '';
    report(
      'R-CTX-LEN',
      'error',
      offset,
      `the document counts ${counts.conservative.toLocaleString('en-US')} characters with tags (${counts.billed.toLocaleString('en-US')} billed)${service}; ` +
        `SSML cannot be split, and cosy keeps one message to ${CLIENT_MAX_MESSAGE_CHARS.toLocaleString('en-US')} counted characters, tags included: ` +
        'split it into several <speak> documents and run cosy once for each, or use plain text, which cosy splits for you',
    );
  }
}
