/**
 * `cosy completion bash|zsh|fish`: prints a completion script generated from the whole commander tree, so new
 * commands and options are completed without anyone editing the scripts.
 */
import { VERSION } from '../../version.js';
import { completionScript, completionSpec, type Shell } from '../completion-scripts.js';
import type { CommandContext } from '../context.js';
import { createProgram } from '../program.js';

/** Runs `cosy completion SHELL` (commander has already checked SHELL against the choices). */
export async function runCompletion(shell: Shell, context: CommandContext): Promise<void> {
  // The program as `cosy --help` builds it: every command, not only the one being run.
  const program = createProgram(context, ['--help']);
  context.stdout.write(completionScript(shell, completionSpec(program), VERSION));
}
