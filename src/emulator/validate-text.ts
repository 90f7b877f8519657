/**
 * continue-task text validation (pure): empty text, the single-message rule of SSML tasks, SSML support and
 * well-formedness, and the per-message and per-task character limits (protocol.md §2.8, §2.9).
 */
import { countInput } from '../protocol/counting.js';
import { MAX_TASK_CHARS, SERVICE_MAX_MESSAGE_CHARS } from '../protocol/limits.js';
import { invalidParameter, MESSAGES, type TaskFailure } from './service-errors.js';
import { startsWithTag, parseSsml, type SsmlBreak } from './ssml.js';

/** What a task knows when a continue-task text arrives. */
export interface TextContext {
  /** `enable_ssml` of the task. */
  enableSsml: boolean;
  /** Whether the model and voice accept SSML markup. */
  ssmlSupported: boolean;
  /** Text messages the task accepted before this one. */
  messagesSoFar: number;
  /** Billed characters the task accepted before this one. */
  billedSoFar: number;
}

/** An accepted text: what to speak, the SSML breaks in it, and what it bills. */
export interface AcceptedText {
  ok: true;
  /** The text to segment and speak (the text content for SSML). */
  content: string;
  /** Breaks at code-unit offsets of `content`. */
  breaks: SsmlBreak[];
  billed: number;
  ssml: boolean;
}

/** The result of checking one continue-task text. */
export type TextCheck = AcceptedText | { ok: false; failure: TaskFailure };

/** Our wording for a message over the per-message limit (the service's text is UNCONFIRMED). */
export const MESSAGE_TOO_LONG =
  `Parameter invalid: text is too long, the limit of a single request is ${SERVICE_MAX_MESSAGE_CHARS} characters`;
/** Our wording for a task over the cumulative limit (the service's text is UNCONFIRMED). */
export const TASK_TOO_LONG = `Parameter invalid: text is too long, the limit of a task is ${MAX_TASK_CHARS} characters`;

/**
 * Checks a continue-task text. With `enable_ssml`, text that starts with a tag must be SSML the voice supports;
 * plain text is accepted as plain text (the SDKs' `call()` always sets `enable_ssml`).
 */
export function checkContinueText(text: string | undefined, context: TextContext): TextCheck {
  const fail = (failure: TaskFailure): TextCheck => ({ ok: false, failure });
  if (text === undefined || text === '') return fail(invalidParameter(MESSAGES.textNull));
  if (context.enableSsml && context.messagesSoFar >= 1) return fail(invalidParameter(MESSAGES.ssmlSingleRequest));
  const ssml = context.enableSsml && startsWithTag(text);
  let content = text;
  let breaks: SsmlBreak[] = [];
  if (ssml) {
    const doc = context.ssmlSupported ? parseSsml(text) : undefined;
    if (doc === undefined) return fail(invalidParameter(MESSAGES.ssmlUnsupported));
    content = doc.text;
    breaks = doc.breaks;
  }
  const { billed } = countInput(text, ssml);
  if (billed > SERVICE_MAX_MESSAGE_CHARS) return fail(invalidParameter(MESSAGE_TOO_LONG));
  if (context.billedSoFar + billed > MAX_TASK_CHARS) return fail(invalidParameter(TASK_TOO_LONG));
  return { ok: true, content, breaks, billed, ssml };
}
