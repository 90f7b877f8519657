/**
 * What a command gets from the process: streams, environment, working directory and the abort signal.
 * Passed in (never read from globals inside commands) so tests can run commands in-process.
 */
import type { Readable, Writable } from 'node:stream';

/** The process as a command sees it. */
export interface CommandContext {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
}
