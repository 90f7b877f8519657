/**
 * cosy's command tree as the tests see it: every command path, read from the program itself, so tests that cover
 * "every command" (help fixtures, completion) pick up new commands without editing.
 */
import type { Command } from 'commander';
import { createProgram } from '../../src/cli/program.js';

/** Every command path of `cmd`: [] for itself, ['voices', 'show'] for a nested one. */
export function commandPaths(cmd: Command, path: string[] = []): string[][] {
  return [path, ...cmd.commands.flatMap((sub) => commandPaths(sub, [...path, sub.name()]))];
}

/** The whole program, every command built (as for --help). */
const PROGRAM = createProgram(
  { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: {}, cwd: process.cwd(), signal: new AbortController().signal },
  ['--help'],
);

/** Every command path of cosy. */
export const PATHS = commandPaths(PROGRAM);
