/**
 * Yes/no questions for destructive commands. A question is asked only when stdin and stderr are both terminals;
 * otherwise the command must be told in advance with the flag that answers it (e.g. `--yes`).
 */
import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors.js';
import type { CommandContext } from './context.js';

/** Whether cosy may ask the user a question. */
export function canPrompt(context: Pick<CommandContext, 'stdin' | 'stderr'>): boolean {
  return context.stdin.isTTY === true && context.stderr.isTTY === true;
}

/** Whether an answer means yes (`y` or `yes`, any case). */
export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/iu.test(answer);
}

/**
 * Asks `question` on stderr and reads the answer from stdin; anything but y/yes is no.
 * @throws UsageError naming `flag` when no question can be asked (not a terminal).
 */
export async function confirm(question: string, flag: string, context: CommandContext): Promise<boolean> {
  if (!canPrompt(context)) {
    throw new UsageError(`cannot ask "${question}": stdin and stderr must both be terminals`, {
      hint: `cosy asks only on a terminal; pass ${flag} to confirm in scripts`,
    });
  }
  const rl = createInterface({ input: context.stdin, output: context.stderr, terminal: true });
  try {
    return isYes(await rl.question(`${question} [y/N] `, { signal: context.signal }));
  } finally {
    rl.close();
  }
}
