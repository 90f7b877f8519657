/**
 * Instruction checks for system voices (the exact forms of the voice list) and the parsing of custom voice ids.
 */
import { MODEL_IDS } from '../protocol/models.js';
import type { InstructForm, SystemVoice } from './catalogue.js';

/** The result of matchInstruction: the form the instruction follows, or every form the voice accepts. */
export type InstructionMatch =
  | {
      ok: true;
      /** The form the instruction follows. */
      form: InstructForm;
      /** Placeholder → the value the instruction uses for it. */
      values: Record<string, string>;
    }
  | {
      ok: false;
      /** Human-readable forms the voice accepts (see describeForm); empty when the voice takes no instruction. */
      accepted: string[];
    };

/** A custom (cloned or designed) voice id taken apart. */
export interface CustomVoiceId {
  /** The model the voice was created for; it works only with this model. */
  targetModel: string;
  /** The prefix given when the voice was created. */
  prefix: string;
  /** True for a designed voice (`…-vd-…`), false for a cloned one. */
  designed: boolean;
}

/** A piece of a template: literal text or a placeholder name. */
type Piece = { literal: string } | { placeholder: string };

/** Splits a template into literal text and `<placeholder>` pieces. */
function piecesOf(template: string): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of template.matchAll(/<([^<>]+)>/gu)) {
    if (m.index > last) pieces.push({ literal: template.slice(last, m.index) });
    pieces.push({ placeholder: m[1] ?? '' });
    last = m.index + m[0].length;
  }
  if (last < template.length) pieces.push({ literal: template.slice(last) });
  return pieces;
}

/**
 * Matches `text` from `pos` against `pieces`, trying each allowed value of a placeholder in turn (backtracking, so a
 * value that is a prefix of another cannot hide a match). Returns the chosen values or undefined.
 */
function matchPieces(
  text: string,
  pos: number,
  pieces: readonly Piece[],
  form: InstructForm,
): Record<string, string> | undefined {
  const [piece, ...rest] = pieces;
  if (piece === undefined) return pos === text.length ? {} : undefined;
  if ('literal' in piece) {
    return text.startsWith(piece.literal, pos) ? matchPieces(text, pos + piece.literal.length, rest, form) : undefined;
  }
  for (const value of form.values[piece.placeholder] ?? []) {
    if (!text.startsWith(value, pos)) continue;
    const tail = matchPieces(text, pos + value.length, rest, form);
    if (tail !== undefined) return { [piece.placeholder]: value, ...tail };
  }
  return undefined;
}

/**
 * One line describing a form for people: the template in 「」 and, for each placeholder, its allowed values with
 * their English glosses, e.g. `「请用<方言>表达。」 where <方言> = 普通话 (Mandarin) | 广东话 (Cantonese)`.
 */
export function describeForm(form: InstructForm): string {
  const lists = Object.entries(form.values).map(([placeholder, values]) => {
    const shown = values.map((v) => {
      const gloss = form.glosses[v];
      return gloss === undefined ? v : `${v} (${gloss})`;
    });
    return `<${placeholder}> = ${shown.join(' | ')}`;
  });
  return `${form.kind} 「${form.template}」 where ${lists.join('; ')}`;
}

/** The template of `form` with each placeholder replaced by the value given for it in `values`. */
export function fillTemplate(form: InstructForm, values: Record<string, string>): string {
  return piecesOf(form.template)
    .map((p) => ('literal' in p ? p.literal : (values[p.placeholder] ?? `<${p.placeholder}>`)))
    .join('');
}

/**
 * Checks an instruction against the forms a system voice accepts. It matches a form when it is the form's template
 * with every placeholder replaced by one of that placeholder's allowed values, character for character
 * (punctuation and the final 。 included; no trimming). A voice without instruction forms matches nothing.
 */
export function matchInstruction(voice: SystemVoice, instruction: string): InstructionMatch {
  for (const form of voice.instructForms) {
    const values = matchPieces(instruction, 0, piecesOf(form.template), form);
    if (values !== undefined) return { ok: true, form, values };
  }
  return { ok: false, accepted: voice.instructForms.map(describeForm) };
}

/** Known model ids, longest first, so that the longest id that prefixes a voice id wins. */
const MODELS_LONGEST_FIRST = [...MODEL_IDS].sort((a, b) => b.length - a.length);

/** A prefix or unique part of a custom voice id: digits and lowercase letters (the documented prefix rule). */
const ID_PART = /^[0-9a-z]+$/u;

/**
 * Takes apart a custom voice id, `{target_model}-{prefix}-{unique}` (cloned) or `{target_model}-vd-{prefix}-{unique}`
 * (designed), where target_model is a model id cosy knows (the longest one that fits wins). Returns undefined for
 * anything else, including system voice ids and ids of unknown models.
 */
export function customVoiceTargetModel(voiceId: string): CustomVoiceId | undefined {
  const targetModel = MODELS_LONGEST_FIRST.find((id) => voiceId.startsWith(`${id}-`));
  if (targetModel === undefined) return undefined;
  const parts = voiceId.slice(targetModel.length + 1).split('-');
  if (!parts.every((p) => ID_PART.test(p))) return undefined;
  if (parts.length === 2 && parts[0] !== undefined) return { targetModel, prefix: parts[0], designed: false };
  if (parts.length === 3 && parts[0] === 'vd' && parts[1] !== undefined) {
    return { targetModel, prefix: parts[1], designed: true };
  }
  return undefined;
}
