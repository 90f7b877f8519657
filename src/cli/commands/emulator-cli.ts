/**
 * Maps `cosy emulator` flags onto the emulator command.
 */
import type { CommandContext } from '../context.js';
import { runEmulatorCommand } from './emulator.js';

/** Runs `cosy emulator` until the first Ctrl-C / SIGTERM. */
export async function runEmulatorFromCli(o: Record<string, unknown>, context: CommandContext): Promise<void> {
  const num = (k: string): number | undefined => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
  await runEmulatorCommand(
    {
      host: typeof o['host'] === 'string' ? o['host'] : '127.0.0.1',
      port: num('port') ?? 0,
      json: o['json'] === true,
      keys: Array.isArray(o['key']) ? (o['key'] as string[]) : [],
      idleTimeoutMs: num('idleTimeout'),
      verbose: o['verbose'] === true,
      slowFirstPacketMs: num('slowFirstPacket'),
      frameDelayMs: num('frameDelay'),
      failAfterFrames: num('failAfterFrames'),
      dropAfterFrames: num('dropAfterFrames'),
      malformedFrameAfter: num('malformedFrameAfter'),
      closeBeforeTaskStarted: o['closeBeforeTaskStarted'] === true,
      maxTasksPerSecond: num('maxTasksPerSecond'),
      throttleFirst: num('throttleFirst'),
      throttleAt: o['throttleAt'] === 'handshake' ? 'handshake' : 'task',
      times: num('faultTimes'),
      voiceReadyMs: num('voiceReady'),
      rejectAudioMarker: typeof o['rejectAudio'] === 'string' ? o['rejectAudio'] : undefined,
    },
    { stdout: context.stdout, stderr: context.stderr, signal: context.signal },
  );
}
