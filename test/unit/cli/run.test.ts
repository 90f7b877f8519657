import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main, reportError } from '../../../src/cli/run.js';
import type { CommandContext } from '../../../src/cli/context.js';
import { AuthError, InterruptedError, NetworkError, PartialOutputError, ServiceError, UsageError } from '../../../src/errors.js';
import { VERSION } from '../../../src/version.js';

function context(signal: AbortSignal = new AbortController().signal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const ctx: CommandContext = { stdin: new PassThrough(), stdout, stderr, env: {}, cwd: process.cwd(), signal };
  return { ctx, out: () => out, err: () => err };
}

describe('main', () => {
  it('prints the version on stdout', async () => {
    const c = context();
    expect(await main(['--version'], c.ctx)).toBe(0);
    expect(c.out()).toBe(`${VERSION}\n`);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['say', '--bogus'], "cosy: error: unknown option '--bogus'"],
    [['say', '--volume'], "cosy: error: option '--volume <0-100>' argument missing"],
    [['say', '--seed', 'x'], "option '--seed <n>' argument 'x' is invalid. \"x\" is not a number."],
    [['say', '--retries', '-1'], 'must not be negative'],
    [['emulator', '--port', '70000'], '70000 is not a port (0-65535).'],
    [['sya'], "cosy: error: unknown command 'sya'\n(Did you mean say?)"],
  ])('%j is a usage error: exit 2', async (argv, message) => {
    const c = context();
    expect(await main(argv, c.ctx)).toBe(2);
    expect(c.err()).toContain(message);
    expect(c.out()).toBe('');
  });

  it('builds only the command it runs, all of them for help', async () => {
    const c = context();
    expect(await main(['--help'], c.ctx)).toBe(0);
    expect(c.out()).toContain('say [options] [text...]');
    expect(c.out()).toContain('emulator [options]');
  });
});

describe('reportError', () => {
  it.each<[unknown, number, string]>([
    [new UsageError('bad input', { hint: 'fix it' }), 2, 'cosy: error: bad input\n  hint: fix it\n'],
    [new AuthError('no key'), 3, 'cosy: error: no key\n'],
    [new ServiceError('InvalidParameter', 'x', { taskId: 't1', hint: 'h' }), 4, 'cosy: error: the service failed the task: InvalidParameter: x\n  task: t1\n  hint: h\n'],
    [new NetworkError('down'), 5, 'cosy: error: down\n'],
    [new PartialOutputError(new NetworkError('down'), 10), 6, 'cosy: error: output is incomplete: 10 bytes of audio were written before the failure: down\n'],
  ])('prints %s and returns its exit code', async (err, code, text) => {
    const c = context();
    expect(await reportError(err, [], c.ctx)).toBe(code);
    expect(c.err()).toContain(text);
    expect(c.out()).toBe('');
  });

  it('reports an unexpected exception as an internal error (exit 1) with the stack and a bug hint', async () => {
    const c = context();
    expect(await reportError(new TypeError('x is undefined'), [], c.ctx)).toBe(1);
    expect(c.err()).toContain('cosy: error: internal error: TypeError: x is undefined');
    expect(c.err()).toContain('this is a bug in cosy');
  });

  it('maps anything after Ctrl-C to exit 130', async () => {
    const controller = new AbortController();
    controller.abort(new InterruptedError());
    const c = context(controller.signal);
    expect(await reportError(new InterruptedError(), [], c.ctx)).toBe(130);
    expect(c.err()).toContain('interrupted');
  });

  it('prints a JSON error object on stdout in --json mode', async () => {
    const c = context();
    expect(await reportError(new ServiceError('Throttling.RateQuota', 'Requests rate limit exceeded, please try again later.', { taskId: 't2' }), ['--json'], c.ctx)).toBe(4);
    expect(JSON.parse(c.out())).toEqual({
      ok: false,
      error: {
        message: 'the service failed the task: Throttling.RateQuota: Requests rate limit exceeded, please try again later.',
        code: 'SERVICE',
        exit_code: 4,
        hint: 'the account is over its rate limit (3 tasks per second by default); retry later or lower concurrency',
        task_id: 't2',
        service_code: 'Throttling.RateQuota',
        service_message: 'Requests rate limit exceeded, please try again later.',
      },
    });
  });
});
