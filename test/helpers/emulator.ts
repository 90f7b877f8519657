/**
 * Starts the emulator in the test process on 127.0.0.1:0 and builds the environment that points a spawned cosy at
 * it, the way a user would (the SDK environment variables).
 */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { baseEnv } from './run-cli.js';

/** The key tests use; recognisable so leaks can be grepped for. */
export const TEST_KEY = 'sk-test0123456789abcdefSECRET';

/** A running emulator plus the env for cosy. */
export interface TestEmulator {
  emulator: RunningEmulator;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts an emulator accepting TEST_KEY and returns the env pointing cosy at it. */
export async function useEmulator(home: string, options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({ keys: [TEST_KEY], ...options });
  const env = {
    ...baseEnv(home),
    DASHSCOPE_API_KEY: TEST_KEY,
    DASHSCOPE_WEBSOCKET_BASE_URL: emulator.websocketUrl,
    DASHSCOPE_HTTP_BASE_URL: emulator.httpUrl,
  };
  return { emulator, env, close: () => emulator.close() };
}
