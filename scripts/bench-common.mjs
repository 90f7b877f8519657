// What the benchmark scripts share: where the CLI is, and running a command with a safety-net timeout.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Absolute path of bin/cosy.js. */
export const COSY_BIN = resolve(import.meta.dirname, '../bin/cosy.js');

/** Safety net: kill any spawned command after this long, in ms. */
export const CHILD_TIMEOUT_MS = 120_000;

/**
 * Spawns a command and resolves when it exits, with the wall time from spawn to exit on performance.now().
 * `onStdout` receives every stdout chunk as it arrives (stdout is ignored when it is not given). With `stdin`,
 * the child's stdin is a pipe that `onSpawn` may write to (write errors are ignored: the exit status tells).
 */
export function run(command, args, { env, cwd, onStdout, onSpawn, stdin = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: env ?? process.env,
      cwd,
      stdio: [stdin ? 'pipe' : 'ignore', onStdout ? 'pipe' : 'ignore', 'pipe'],
    });
    child.stdin?.on('error', () => undefined);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString('utf8');
    });
    if (onStdout) child.stdout.on('data', (chunk) => onStdout(chunk, performance.now()));
    onSpawn?.(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', () => {
      const ms = performance.now() - started;
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolvePromise({ ms, code, signal, stderr });
      });
    });
  });
}
