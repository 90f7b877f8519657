/**
 * Entry point: builds the program, runs the command, and is the one place that prints errors and sets the exit
 * code. The first Ctrl-C aborts the running command (it cleans up and exits 130); a second one exits at once.
 */
import { CommanderError } from 'commander';
import { CosyError, ExitCode, InterruptedError, isAbortError } from '../errors.js';
import { removeAllSync } from '../temp-files.js';
import type { CommandContext } from './context.js';
import { createProgram } from './program.js';

/** Runs cosy with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], context: CommandContext): Promise<number> {
  const program = createProgram(context, argv);
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => context.stdout.write(s),
    writeErr: (s) => context.stderr.write(s),
    outputError: (s, write) => write(s.replace(/^error:/, 'cosy: error:')),
  });
  for (const sub of program.commands) {
    sub.exitOverride();
    sub.configureOutput({
      writeOut: (s) => context.stdout.write(s),
      writeErr: (s) => context.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error:/, 'cosy: error:')),
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.Ok;
  } catch (err) {
    return await reportError(err, argv, context);
  }
}

async function reportError(err: unknown, argv: string[], context: CommandContext): Promise<number> {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return ExitCode.Ok;
    }
    // commander already printed the message
    return ExitCode.Usage;
  }
  const json = argv.includes('--json');
  // Loaded only when needed: chalk is a noticeable part of start-up time.
  const { Output } = await import('./output.js');
  const output = new Output({ stdout: context.stdout, stderr: context.stderr, env: context.env, json, color: argv.includes('--no-color') ? false : undefined });
  if (context.signal.aborted && (isAbortError(err) || err instanceof InterruptedError || !(err instanceof CosyError))) {
    output.error(new InterruptedError('interrupted; nothing was written under the requested name'));
    return ExitCode.Interrupted;
  }
  if (err instanceof CosyError) {
    output.error(err);
    return err.exitCode;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  output.error(new CosyError(`internal error: ${message}`, 'INTERNAL', ExitCode.Internal, {
    hint: 'this is a bug in cosy; please report it with the command line you ran (without your key)',
  }));
  return ExitCode.Internal;
}

/** Wires the real process: signals, streams, exit code. */
async function runProcess(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      controller.abort(new InterruptedError());
      return;
    }
    removeAllSync();
    process.stderr.write('cosy: interrupted again; exiting now\n');
    process.exit(ExitCode.Interrupted);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  // A reader that goes away (EPIPE) is handled by the sinks; never let it crash the process.
  process.stdout.on('error', () => undefined);
  const code = await main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  process.exitCode = code;
  // Let pending writes to stdout/stderr flush, then leave even if a handle is still open.
  const done = (): void => process.exit(code);
  if (process.stdout.writableLength > 0) process.stdout.once('drain', done);
  else setImmediate(done);
}

await runProcess();
