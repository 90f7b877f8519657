/**
 * The usual e2e set-up in one call: a fresh temporary folder per test, an emulator started on demand, both cleaned
 * up after each test.
 */
import { afterEach, beforeEach } from 'vitest';
import type { EmulatorOptions } from '../../src/emulator/server.js';
import { useEmulator, type TestEmulator } from './emulator.js';
import { tempDir } from './run-cli.js';

/** Per-test state: the folder, and the emulator once `start` was called. */
export interface E2eFixture {
  /** The test's temporary folder (HOME and working directory of the spawned cosy). */
  readonly dir: string;
  /** Starts the emulator for this test, with `defaults` overridden by `options`. */
  start(options?: EmulatorOptions): Promise<TestEmulator>;
}

/** Registers the hooks and returns the fixture; call at the top level of a test file. */
export function e2eFixture(defaults: EmulatorOptions = {}): E2eFixture {
  let dir = '';
  let cleanup = (): void => undefined;
  let emu: TestEmulator | undefined;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
    cleanup();
  });
  return {
    get dir() {
      return dir;
    },
    async start(options: EmulatorOptions = {}) {
      emu = await useEmulator(dir, { ...defaults, ...options });
      return emu;
    },
  };
}
