/**
 * Entry point: wires the real process (signals, streams, exit code) to `run.ts`. The first Ctrl-C aborts the
 * running command (it cleans up and exits 130); a second one removes temporary files and exits at once.
 */
import { ExitCode, InterruptedError } from '../errors.js';
import { removeAllSync } from '../temp-files.js';
import { main } from './run.js';

/** Wires the real process: signals, streams, exit code. */
async function runProcess(): Promise<void> {
  const controller = new AbortController();
  const interrupt = new AbortController();
  let graceful = false;
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      interrupt.abort(new InterruptedError());
      if (!graceful) controller.abort(new InterruptedError());
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
    interrupt: interrupt.signal,
    claimInterrupt: () => {
      graceful = true;
    },
  });
  process.exitCode = code;
  // Let pending writes to stdout/stderr flush, then leave even if a handle is still open.
  const done = (): void => process.exit(code);
  if (process.stdout.writableLength > 0) process.stdout.once('drain', done);
  else setImmediate(done);
}

await runProcess();
