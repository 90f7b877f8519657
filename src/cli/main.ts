/**
 * Entry point: wires the real process (signals, streams, exit code) to `run.ts`. The first Ctrl-C aborts the
 * running command (it cleans up and exits 130); a second one exits at once (temporary files go with the exit hook).
 */
import { ExitCode, InterruptedError } from '../errors.js';
import { main } from './run.js';

/** Signals closer together than this count as one interrupt. */
const SAME_INTERRUPT_MS = 200;

/** Wires the real process: signals, streams, exit code. */
async function runProcess(): Promise<void> {
  const controller = new AbortController();
  const interrupt = new AbortController();
  let graceful = false;
  let interrupts = 0;
  let firstInterruptAt = 0;
  const onSigint = (): void => {
    // One keypress can arrive as two signals (e.g. `timeout` signals the process and its group): a second one
    // within a moment of the first is the same interrupt, not a deliberate second Ctrl-C.
    if (interrupts === 1 && Date.now() - firstInterruptAt < SAME_INTERRUPT_MS) return;
    interrupts++;
    if (interrupts === 1) {
      firstInterruptAt = Date.now();
      interrupt.abort(new InterruptedError());
      if (!graceful) controller.abort(new InterruptedError());
      return;
    }
    // Temporary files are removed by the exit hook temp-files.ts installs when it tracks one.
    process.stderr.write('cosy: interrupted again; exiting now\n');
    process.exit(ExitCode.Interrupted);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  // process.stdin/stdout/stderr are created on first access, and creating one costs start-up time (a pipe or a
  // terminal loads more of Node): a command gets each only when it uses it.
  const opened = new Set<NodeJS.WriteStream>();
  const writable = (stream: NodeJS.WriteStream): NodeJS.WriteStream => {
    if (!opened.has(stream)) {
      opened.add(stream);
      // A reader that goes away (EPIPE) is handled by the sinks; never let it crash the process.
      stream.on('error', () => undefined);
    }
    return stream;
  };
  const code = await main(process.argv.slice(2), {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return writable(process.stdout);
    },
    get stderr() {
      return writable(process.stderr);
    },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    interrupt: interrupt.signal,
    claimInterrupt: () => {
      graceful = true;
    },
  });
  process.exitCode = code;
  // Let pending writes to stdout and stderr flush (both may be pipes), then leave even if a handle is still open.
  await Promise.all([...opened].map(drained));
  process.exit(code);
}

/** Resolves once everything written to `stream` has been handed to the OS (or the stream is gone). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => resolve();
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

void runProcess();
