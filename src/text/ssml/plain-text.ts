/**
 * Checks of plain text (input that is not SSML): it must have something to say and no NUL characters, markup that
 * looks like SSML is pointed out, and its counted length says how cosy will split it into messages and tasks.
 */
import { countCharacters } from '../../protocol/counting.js';
import { CLIENT_MAX_MESSAGE_CHARS } from '../../protocol/limits.js';
import { planTasks, splitText } from '../split-text.js';
import { SSML_MARKUP, SSML_MARKUP_ADVICE } from './detect.js';
import { SourceLocator } from './locate.js';
import type { Finding, RuleId, Severity } from './types.js';

/** What checkPlainText found, with the plan cosy say would follow. */
export interface PlainTextReport {
  findings: Finding[];
  /** Counted (billed) characters. */
  billed: number;
  /** continue-task messages cosy say would send. */
  messages: number;
  /** Tasks those messages take (200,000 counted characters each). */
  tasks: number;
}


/** Checks plain text; never throws. */
export function checkPlainText(text: string): PlainTextReport {
  const locator = new SourceLocator(text);
  const findings: Finding[] = [];
  const add = (rule: RuleId, severity: Severity, offset: number, message: string): void => {
    findings.push({ rule, severity, message, ...locator.position(offset), excerpt: locator.excerpt(offset) });
  };
  if (text.trim() === '') {
    add('R-TXT-EMPTY', 'error', 0, 'the text is empty or only whitespace: there is nothing to speak');
    return { findings, billed: 0, messages: 0, tasks: 0 };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const count = text.split('\u0000').length - 1;
    add('R-TXT-NUL', 'error', nul, `the text contains ${count === 1 ? 'a NUL character' : `${count} NUL characters`}: it looks like binary data, not text`);
  }
  const markup = SSML_MARKUP.exec(text);
  if (markup !== null) {
    add('R-TXT-MARKUP', 'warning', markup.index + (markup[0].length - markup[0].trimStart().length), SSML_MARKUP_ADVICE);
  }
  const billed = countCharacters(text);
  const tasks = planTasks(splitText(text));
  const messages = tasks.reduce((n, t) => n + t.length, 0);
  const plan = messages <= 1 ? 'it fits in one message' : `cosy say splits it into ${messages} messages of at most ${CLIENT_MAX_MESSAGE_CHARS.toLocaleString('en-US')}${tasks.length > 1 ? ` over ${tasks.length} tasks` : ''}`;
  add('R-TXT-LEN', 'info', 0, `${billed.toLocaleString('en-US')} billed characters: ${plan}`);
  return { findings, billed, messages, tasks: tasks.length };
}
