/**
 * The fault matrix (issue 8): every fault the service or the machine can throw at say and stream, with the
 * documented exit code, a message naming the cause (and the task id when a task had started), and no file under the
 * requested name unless it is complete. docs/reliability.md carries the same table: this test fails when they differ
 * (COSY_UPDATE_DOCS=1 rewrites the table in the doc).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorOptions } from '../../src/emulator/server.js';
import { runCli, tempDir } from '../helpers/run-cli.js';
import { useEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';

type Command = 'say' | 'stream';
type FileOutcome = 'none' | 'complete';

interface FaultCase {
  fault: string;
  command: Command;
  emulator?: EmulatorOptions;
  args?: string[];
  env?: Record<string, string>;
  /** Drives the child (signals, slow input); default: the text on stdin (stream) or as an argument (say). */
  drive?: (child: ChildProcess) => void;
  code: number;
  message: RegExp;
  taskId: boolean;
  file: FileOutcome;
}

const TEXT = 'The first sentence of the test. The second sentence follows it. And a third one ends it.';
const NO_RETRY = ['--retries', '0'];

function slowInput(parts: Array<string | number>) {
  return (child: ChildProcess): void => {
    const next = (): void => {
      const p = parts.shift();
      if (p === undefined) child.stdin?.end();
      else if (typeof p === 'number') setTimeout(next, p);
      else {
        child.stdin?.write(p);
        setImmediate(next);
      }
    };
    next();
  };
}

function both(fault: string, spec: Omit<FaultCase, 'fault' | 'command'>): FaultCase[] {
  return (['say', 'stream'] as const).map((command) => ({ fault, command, ...spec }));
}

const CASES: FaultCase[] = [
  ...both('connection dropped mid-audio', { emulator: { faults: { dropAfterFrames: 1 } }, args: NO_RETRY, code: 5, message: /the connection closed before the task finished/, taskId: true, file: 'none' }),
  ...both('task-failed mid-audio', { emulator: { faults: { failAfterFrames: 1 } }, args: NO_RETRY, code: 4, message: /the service failed the task: InternalError/, taskId: true, file: 'none' }),
  ...both('malformed frame', { emulator: { faults: { malformedFrameAfter: 1 } }, code: 4, message: /malformed frame from the server: not valid JSON/, taskId: true, file: 'none' }),
  ...both('throttling (retries exhausted)', { emulator: { faults: { maxTasksPerSecond: 0 } }, args: NO_RETRY, code: 4, message: /Throttling\.RateQuota: Requests rate limit exceeded/, taskId: true, file: 'none' }),
  ...both('401 at the handshake', { env: { DASHSCOPE_API_KEY: 'sk-not-the-right-key-000' }, code: 3, message: /the service rejected the API key \(HTTP 401/, taskId: false, file: 'none' }),
  {
    fault: 'the service\'s idle timeout (23 s, shortened)',
    command: 'stream',
    emulator: { idleTimeoutMs: 400 },
    args: ['--idle-timeout', '30', ...NO_RETRY],
    drive: slowInput(['The first sentence is read. ', 'Then the input pauses', 1200, ' for too long.']),
    code: 4,
    message: /CLIENT_ERROR: request timeout after 0 seconds/,
    taskId: true,
    file: 'none',
  },
  ...both('slow first packet beyond --timeout', { emulator: { faults: { slowFirstPacketMs: 3000 } }, args: ['--timeout', '0.5', ...NO_RETRY], code: 5, message: /no audio arrived within 500 ms/, taskId: true, file: 'none' }),
  ...both('unresolvable host', { env: { DASHSCOPE_WEBSOCKET_BASE_URL: 'wss://cosy-fault.invalid/api-ws/v1/inference' }, args: NO_RETRY, code: 5, message: /cannot resolve the host of wss:\/\/cosy-fault\.invalid/, taskId: false, file: 'none' }),
  ...both('server closes before task-started', { emulator: { faults: { closeBeforeTaskStarted: true } }, args: NO_RETRY, code: 5, message: /the service closed the connection before the task started/, taskId: true, file: 'none' }),
  {
    fault: 'SIGINT',
    command: 'say',
    emulator: { faults: { frameDelayMs: 100 } },
    drive: (child) => {
      child.stdin?.end();
      setTimeout(() => child.kill('SIGINT'), 500);
    },
    code: 130,
    message: /interrupted; nothing was written under the requested name/,
    taskId: false,
    file: 'none',
  },
  {
    fault: 'SIGINT',
    command: 'stream',
    drive: (child) => {
      child.stdin?.write(`${TEXT} `);
      setTimeout(() => child.kill('SIGINT'), 600);
    },
    code: 130,
    message: /interrupted: stopped reading stdin; out\.wav holds the complete audio of the text read so far/,
    taskId: false,
    file: 'complete',
  },
  ...both('output disk full', { env: { COSY_TEST_DISK_FULL_AFTER: '2000' }, args: NO_RETRY, code: 2, message: /cannot write out\.wav: no space left on the device/, taskId: false, file: 'none' }),
];

/** EPIPE is checked separately: the output is stdout, not a file. */
const EPIPE_EXIT = 0;

let dir: string;
let cleanup: () => void;
let emu: TestEmulator | undefined;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  cleanup();
});

function wavComplete(path: string): boolean {
  const wav = readFileSync(path);
  return wav.toString('ascii', 0, 4) === 'RIFF' && wav.readUInt32LE(4) === wav.length - 8 && wav.readUInt32LE(40) === wav.length - 44;
}

describe('fault matrix', () => {
  it.each(CASES.map((c) => [`${c.command}: ${c.fault}`, c] as const))('%s', async (_name, c) => {
    emu = await useEmulator(dir, c.emulator ?? {});
    const env = { ...emu.env, ...c.env };
    const args = c.command === 'say' ? ['say', TEXT, '-o', 'out.wav', ...(c.args ?? [])] : ['stream', '-o', 'out.wav', ...(c.args ?? [])];
    const r = await runCli(args, {
      env,
      cwd: dir,
      ...(c.drive ? { onSpawn: c.drive } : c.command === 'stream' ? { stdin: TEXT } : {}),
    });
    expect(r.stderr).toMatch(c.message);
    expect(r.code).toBe(c.code);
    if (c.taskId) expect(r.stderr).toMatch(/\n  task: [0-9a-f]{32}\n/);
    expect(r.stderr).not.toContain(TEST_KEY);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    const left = readdirSync(dir).filter((f) => f !== '.env');
    if (c.file === 'none') expect(left).toEqual([]);
    else {
      expect(left).toEqual(['out.wav']);
      expect(wavComplete(join(dir, 'out.wav'))).toBe(true);
    }
  });

  it.each(['say', 'stream'] as const)('%s: EPIPE on stdout is a normal end', async (command) => {
    emu = await useEmulator(dir, { faults: { frameDelayMs: 5 } });
    const r = await runCli(command === 'say' ? ['say', TEXT.repeat(10), '--format', 'pcm'] : ['stream', '--format', 'pcm'], {
      env: emu.env,
      cwd: dir,
      onSpawn: (child) => {
        child.stdout?.once('data', () => child.stdout?.destroy());
        if (command === 'stream') child.stdin?.write(TEXT.repeat(10));
        else child.stdin?.end();
        setTimeout(() => child.stdin?.end(), 2000);
      },
    });
    expect(r.code).toBe(EPIPE_EXIT);
    expect(r.stderr).toBe('');
    expect(existsSync(join(dir, 'out.wav'))).toBe(false);
  });
});

/** The table in docs/reliability.md, generated from CASES. */
function table(): string {
  const faults = [...new Set(CASES.map((c) => c.fault))];
  const cell = (fault: string, command: Command): string => {
    const c = CASES.find((x) => x.fault === fault && x.command === command);
    if (!c) return 'n/a';
    return `exit ${c.code}${c.taskId ? ', names the task' : ''}; ${c.file === 'none' ? 'no file' : 'complete file kept'}`;
  };
  const rows = faults.map((f) => `| ${f} | ${cell(f, 'say')} | ${cell(f, 'stream')} |`);
  rows.push(`| EPIPE on stdout | exit ${EPIPE_EXIT}, quiet | exit ${EPIPE_EXIT}, quiet |`);
  return ['| fault | `cosy say` | `cosy stream` |', '| --- | --- | --- |', ...rows].join('\n');
}

const DOC = resolve(import.meta.dirname, '../../docs/reliability.md');
const BEGIN = '<!-- fault-matrix:begin (generated from test/e2e/fault-matrix.e2e.test.ts) -->';
const END = '<!-- fault-matrix:end -->';

afterAll(() => undefined);

describe('docs/reliability.md', () => {
  it('carries the fault matrix exactly as tested', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start, `docs/reliability.md needs the markers ${BEGIN} … ${END}`).toBeGreaterThanOrEqual(0);
    const current = doc.slice(start + BEGIN.length, end).trim();
    if (process.env['COSY_UPDATE_DOCS'] === '1' && current !== table()) {
      writeFileSync(DOC, `${doc.slice(0, start + BEGIN.length)}\n${table()}\n${doc.slice(end)}`);
      return;
    }
    expect(current).toBe(table());
  });
});
