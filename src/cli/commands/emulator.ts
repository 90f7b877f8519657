/**
 * `cosy emulator`: runs the local emulator of the CosyVoice service until the signal aborts, printing where it
 * listens (one JSON line with --json) and, with --verbose, one stderr line per connection or task event.
 */
import { startEmulator } from '../../emulator/server.js';
import { UsageError } from '../../errors.js';
import type { FaultOptions } from '../../emulator/types.js';

/** The options of `cosy emulator`, one per flag. */
export interface EmulatorCommandOptions extends FaultOptions {
  host?: string;
  port?: number;
  /** Print exactly one JSON line `{"websocket":…,"http":…}` instead of human lines. */
  json?: boolean;
  /** Accepted API keys; empty accepts any `sk-…` key. */
  keys?: string[];
  idleTimeoutMs?: number;
  msPerCharacter?: number;
  /** Log connections and tasks on stderr. */
  verbose?: boolean;
  /** How long custom voices stay DEPLOYING, ms. */
  voiceReadyMs?: number | undefined;
  /** Cloning audio whose URL or bytes contain this ends UNDEPLOYED. */
  rejectAudioMarker?: string | undefined;
}

/** Streams and the stop signal of the command. */
export interface EmulatorCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal: AbortSignal;
}

/** A key the emulator accepts when no key list is given, for the hint. */
const SAMPLE_KEY = 'sk-emulator';

/** The fault fields of the options, without the undefined ones. */
function faultOptions(options: EmulatorCommandOptions): FaultOptions {
  const faults: FaultOptions = {
    slowFirstPacketMs: options.slowFirstPacketMs,
    frameDelayMs: options.frameDelayMs,
    failAfterFrames: options.failAfterFrames,
    dropAfterFrames: options.dropAfterFrames,
    malformedFrameAfter: options.malformedFrameAfter,
    closeBeforeTaskStarted: options.closeBeforeTaskStarted,
    maxTasksPerSecond: options.maxTasksPerSecond,
    throttleFirst: options.throttleFirst,
    throttleAt: options.throttleAt,
    times: options.times,
  };
  return Object.fromEntries(Object.entries(faults).filter(([, v]) => v !== undefined)) as FaultOptions;
}

/** Resolves when `signal` aborts (at once if it already has). */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Starts the emulator, reports its URLs, and resolves after `io.signal` aborts and the server has closed. */
export async function runEmulatorCommand(options: EmulatorCommandOptions, io: EmulatorCommandIo): Promise<void> {
  const keys = options.keys ?? [];
  const emulator = await startEmulator({
    host: options.host,
    port: options.port,
    keys,
    idleTimeoutMs: options.idleTimeoutMs,
    msPerCharacter: options.msPerCharacter,
    voiceReadyMs: options.voiceReadyMs,
    rejectAudioMarker: options.rejectAudioMarker,
    faults: faultOptions(options),
    log: options.verbose === true ? (line) => io.stderr.write(`emulator: ${line}\n`) : undefined,
  }).catch((err: unknown) => {
    throw listenError(err, options.host ?? '127.0.0.1', options.port ?? 0);
  });
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify({ websocket: emulator.websocketUrl, http: emulator.httpUrl })}\n`);
  } else {
    // Configured keys are never printed (CI logs); the hint names a placeholder instead.
    const key = keys.length > 0 ? '<one of the --key values>' : SAMPLE_KEY;
    io.stdout.write(
      [
        `websocket: ${emulator.websocketUrl}`,
        `http: ${emulator.httpUrl}`,
        `keys: ${keys.length > 0 ? `${keys.length} configured` : 'any sk-… key'}`,
        'point cosy at it with:',
        `  DASHSCOPE_WEBSOCKET_BASE_URL=${emulator.websocketUrl} DASHSCOPE_HTTP_BASE_URL=${emulator.httpUrl} ` +
          `DASHSCOPE_API_KEY=${key} cosy say "Hello"`,
        '',
      ].join('\n'),
    );
  }
  await aborted(io.signal);
  await emulator.close();
}

/** A listen failure as a usage error naming the address (port taken, address not on this machine, no permission). */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return new UsageError(`cannot listen on ${where}: the port is in use`, { hint: 'pick another --port, or --port 0 for a free one' });
  if (code === 'EADDRNOTAVAIL') return new UsageError(`cannot listen on ${where}: the address is not on this machine`, { hint: 'use --host 127.0.0.1' });
  if (code === 'EACCES') return new UsageError(`cannot listen on ${where}: permission denied`, { hint: 'ports below 1024 need privileges; use a higher --port' });
  return err;
}
