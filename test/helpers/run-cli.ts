/**
 * Spawns the built `cosy` binary (bin/cosy.js → dist) with a controlled environment and captures stdout as bytes,
 * stderr as text and the exit code. The environment never inherits DASHSCOPE_* from the machine running the tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Absolute path of bin/cosy.js. */
export const COSY_BIN = resolve(import.meta.dirname, '../../bin/cosy.js');

/** What a finished run produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Options of one run. */
export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Bytes or text written to stdin, then stdin is closed. Omit to leave stdin as an empty closed pipe. */
  stdin?: string | Buffer;
  /** Called once the child exists (to send signals, write stdin over time...). */
  onSpawn?: (child: ChildProcess) => void;
  /** Kill the child after this many ms (a test safety net). */
  timeoutMs?: number;
}

/** A fresh temporary directory, removed by the returned cleanup function. */
export function tempDir(prefix = 'cosy-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A base environment: PATH and a HOME without a key file, nothing from DASHSCOPE_*, no colour forcing. */
export function baseEnv(home: string): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8' };
}

/** Runs `cosy args…` and resolves when it exits. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [COSY_BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: Object.fromEntries(Object.entries(options.env ?? baseEnv(tmpdir())).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8');
    });
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout: Buffer.concat(out), stderr: err });
    });
    if (options.onSpawn) options.onSpawn(child);
    else if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}
