/**
 * Runs one cosy invocation: builds the program, runs the command, and is the one place that turns errors into
 * printed messages and exit codes. No process globals: the entry point (`main.ts`) supplies them.
 */
import { CommanderError } from 'commander';
import { CosyError, ExitCode, InterruptedError, ReportedError, UsageError, isAbortError } from '../errors.js';
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

/** Prints an error the way cosy does and returns the exit code it maps to. */
export async function reportError(err: unknown, argv: string[], context: CommandContext): Promise<number> {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return ExitCode.Ok;
    }
    // commander already printed the message on stderr; a script that asked for --json gets it on stdout too
    if (argv.includes('--json')) {
      const { Output, errorDocument } = await import('./output.js');
      Output.from({ json: true, color: false }, context).result(errorDocument(new UsageError(err.message.replace(/^error: /, ''))));
    }
    return ExitCode.Usage;
  }
  if (err instanceof ReportedError) return err.exitCode;
  const json = argv.includes('--json');
  // Loaded only when needed: chalk is a noticeable part of start-up time.
  const { Output } = await import('./output.js');
  const output = Output.from({ json, color: !argv.includes('--no-color') }, context);
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

