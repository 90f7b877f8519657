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
  /** Aborted when the command must stop now: the first Ctrl-C, unless the command claimed it (see `interrupt`). */
  signal: AbortSignal;
  /**
   * Aborted on the first Ctrl-C. A command that can stop gracefully (finish what was requested) calls
   * `claimInterrupt()`; then the first Ctrl-C only aborts `interrupt`, and a second one ends the process.
   */
  interrupt?: AbortSignal | undefined;
  /** Claims the first Ctrl-C for a graceful stop. */
  claimInterrupt?: (() => void) | undefined;
}
