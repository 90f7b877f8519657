/**
 * The API key never appears in any output: stdout, stderr, --verbose, --json, errors, or files written.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/run-cli.js';
import { TEST_KEY, useEmulator, type TestEmulator } from '../helpers/emulator.js';

let dir: string;
let cleanup: () => void;
let emu: TestEmulator;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  emu = await useEmulator(dir, { faults: { failAfterFrames: 3, times: 2 } });
});
afterEach(async () => {
  await emu.close();
  cleanup();
});

function assertNoKey(text: string | Buffer): void {
  const s = Buffer.isBuffer(text) ? text.toString('latin1') : text;
  expect(s).not.toContain(TEST_KEY);
  expect(s).not.toContain(TEST_KEY.slice(3));
}

it.each<[string, string[], Record<string, string>]>([
  ['key from the environment, --verbose --json, a failing then retried task', ['--verbose', '--json', '-o', 'a.wav'], {}],
  ['key on the command line', ['--api-key', TEST_KEY, '--verbose', '-o', 'b.mp3', '--retries', '0'], { DASHSCOPE_API_KEY: '' }],
  ['key in a key file', ['--verbose', '-o', 'c.opus'], { DASHSCOPE_API_KEY: '', DASHSCOPE_API_KEY_FILE_PATH: 'KEYFILE' }],
])('%s', async (_name, args, envPatch) => {
  writeFileSync(join(dir, 'keyfile.txt'), `${TEST_KEY}\n`);
  const env = { ...emu.env, ...envPatch };
  if (env['DASHSCOPE_API_KEY_FILE_PATH'] === 'KEYFILE') env['DASHSCOPE_API_KEY_FILE_PATH'] = join(dir, 'keyfile.txt');
  const r = await runCli(['say', 'A secret-free sentence. And another one.', ...args], { env, cwd: dir });
  assertNoKey(r.stdout);
  assertNoKey(r.stderr);
  expect(r.stderr.length).toBeGreaterThan(0);
  for (const f of readdirSync(dir)) if (f !== 'keyfile.txt') assertNoKey(readFileSync(join(dir, f)));
});

it('a rejected key is not echoed', async () => {
  const wrong = 'sk-this-is-not-accepted-0000SECRET';
  const r = await runCli(['say', 'Hi.', '-o', 'x.mp3', '--verbose', '--json'], { env: { ...emu.env, DASHSCOPE_API_KEY: wrong }, cwd: dir });
  expect(r.code).toBe(3);
  expect(r.stderr + r.stdout.toString()).not.toContain(wrong);
  expect(r.stderr + r.stdout.toString()).not.toContain(wrong.slice(3));
});
