import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output, shouldColor, type OutputOptions } from '../../../src/cli/output.js';
import { redact, registerSecret } from '../../../src/secrets.js';
import { AuthError, ExitCode, NetworkError, ServiceError, UsageError } from '../../../src/errors.js';

/** A writable that records what was written, optionally pretending to be a terminal. */
class Capture extends Writable {
  readonly chunks: Buffer[] = [];
  isTTY: boolean | undefined;
  constructor(isTTY?: boolean) {
    super();
    this.isTTY = isTTY;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** A capture with the cursor methods of a tty.WriteStream, for ora. */
class TtyCapture extends Capture {
  columns = 80;
  rows = 24;
  constructor() {
    super(true);
  }
  cursorTo(_x: number, _y?: number | (() => void), cb?: () => void): boolean {
    (typeof _y === 'function' ? _y : cb)?.();
    return true;
  }
  moveCursor(_dx: number, _dy: number, cb?: () => void): boolean {
    cb?.();
    return true;
  }
  clearLine(_dir: number, cb?: () => void): boolean {
    cb?.();
    return true;
  }
  getColorDepth(): number {
    return 8;
  }
  hasColors(): boolean {
    return true;
  }
}

function make(options: Partial<Omit<OutputOptions, 'stdout' | 'stderr'>> & { tty?: boolean } = {}): {
  out: Output;
  stdout: Capture;
  stderr: Capture;
} {
  const stdout = new Capture(options.tty);
  const stderr = new Capture(options.tty);
  const { tty: _tty, ...rest } = options;
  const out = new Output({ stdout, stderr, env: {}, ...rest });
  return { out, stdout, stderr };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

describe('shouldColor', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  const none = {};
  it.each<[string, { isTTY?: boolean }, NodeJS.ProcessEnv, boolean | undefined, boolean]>([
    ['a TTY, nothing set', tty, {}, undefined, true],
    ['a pipe, nothing set', pipe, {}, undefined, false],
    ['a stream without isTTY', none, {}, undefined, false],
    ['NO_COLOR=1 on a TTY', tty, { NO_COLOR: '1' }, undefined, false],
    ['NO_COLOR=0 on a TTY (any non-empty value)', tty, { NO_COLOR: '0' }, undefined, false],
    ['NO_COLOR empty on a TTY (no-color.org: ignored)', tty, { NO_COLOR: '' }, undefined, true],
    ['TERM=dumb on a TTY', tty, { TERM: 'dumb' }, undefined, false],
    ['TERM=xterm-256color on a TTY', tty, { TERM: 'xterm-256color' }, undefined, true],
    ['--no-color on a TTY', tty, {}, false, false],
    ['--no-color beats FORCE_COLOR', tty, { FORCE_COLOR: '1' }, false, false],
    ['FORCE_COLOR=1 on a pipe', pipe, { FORCE_COLOR: '1' }, undefined, true],
    ['FORCE_COLOR=3 on a pipe', pipe, { FORCE_COLOR: '3' }, undefined, true],
    ['FORCE_COLOR=true on a pipe', pipe, { FORCE_COLOR: 'true' }, undefined, true],
    ['FORCE_COLOR=1 beats TERM=dumb', tty, { FORCE_COLOR: '1', TERM: 'dumb' }, undefined, true],
    ['FORCE_COLOR=0 on a TTY does not force', pipe, { FORCE_COLOR: '0' }, undefined, false],
    ['FORCE_COLOR=false on a pipe does not force', pipe, { FORCE_COLOR: 'false' }, undefined, false],
    ['FORCE_COLOR empty on a pipe does not force', pipe, { FORCE_COLOR: '' }, undefined, false],
    ['NO_COLOR beats FORCE_COLOR', tty, { NO_COLOR: '1', FORCE_COLOR: '1' }, undefined, false],
    ['color flag true on a pipe', pipe, {}, true, true],
  ])('%s → %s', (_name, stream, env, flag, expected) => {
    expect(shouldColor(stream, env, flag)).toBe(expected);
  });
});

describe('Output colour', () => {
  it('colours errors on a TTY and not on a pipe', () => {
    const onTty = make({ tty: true });
    onTty.out.error(new Error('boom'));
    expect(onTty.stderr.text).toMatch(ANSI);
    const onPipe = make({ tty: false });
    onPipe.out.error(new Error('boom'));
    expect(onPipe.stderr.text).not.toMatch(ANSI);
    expect(onPipe.stderr.text).toBe('cosy: error: boom\n');
  });

  it.each<[string, Partial<OutputOptions>]>([
    ['NO_COLOR', { env: { NO_COLOR: '1' } }],
    ['TERM=dumb', { env: { TERM: 'dumb' } }],
    ['--no-color', { color: false }],
  ])('no colour on a TTY with %s', (_name, options) => {
    const { out, stderr } = make({ tty: true, verbose: true, ...options });
    out.error(new UsageError('bad', { hint: 'do this' }));
    out.warn('careful');
    out.debug('detail');
    expect(stderr.text).toContain('bad');
    expect(stderr.text).not.toMatch(ANSI);
  });
});

describe('Output streams', () => {
  it('writes nothing to stdout except result() and resultLine()', () => {
    const { out, stdout, stderr } = make({ verbose: true });
    out.info('progress');
    out.warn('a warning');
    out.debug('a detail');
    out.error(new NetworkError('reset', { hint: 'retry', taskId: 't1' }));
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe(
      ['progress', 'warning: a warning', 'cosy: a detail', 'cosy: error: reset', '  task: t1', '  hint: retry', ''].join('\n'),
    );
    out.result({ ok: true, n: 1 });
    out.resultLine('https://example.com/x');
    expect(stdout.text).toBe('{"ok":true,"n":1}\nhttps://example.com/x\n');
  });

  it('quiet suppresses info and warn but not errors', () => {
    const { out, stdout, stderr } = make({ quiet: true });
    out.info('progress');
    out.warn('a warning');
    expect(stderr.text).toBe('');
    out.error(new Error('it failed'));
    expect(stderr.text).toBe('cosy: error: it failed\n');
    expect(stdout.text).toBe('');
  });

  it.each([
    [true, 'cosy: a detail\n'],
    [false, ''],
  ])('debug prints only with verbose (verbose %s)', (verbose, expected) => {
    const { out, stderr, stdout } = make({ verbose });
    out.debug('a detail');
    expect(stderr.text).toBe(expected);
    expect(stdout.text).toBe('');
  });

  it('a spinner on a non-interactive stderr prints nothing (its text only with --verbose)', async () => {
    for (const verbose of [false, true]) {
      const { out, stderr, stdout } = make({ verbose });
      const spinner = await out.spinner('connecting');
      spinner.update('still connecting');
      spinner.stop();
      expect(stderr.text).toBe(verbose ? 'cosy: connecting\n' : '');
      expect(stdout.text).toBe('');
    }
  });
});

describe('Output --json errors', () => {
  it('prints a ServiceError as one JSON object on stdout, and the text on stderr', () => {
    const { out, stdout, stderr } = make({ json: true });
    const err = new ServiceError('InvalidParameter', '[tts:]Engine return error code: 418', { taskId: 'abc123' });
    out.error(err);
    const lines = stdout.text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      ok: false,
      error: {
        message: err.message,
        code: 'SERVICE',
        exit_code: ExitCode.Service,
        hint: err.hint,
        task_id: 'abc123',
        service_code: 'InvalidParameter',
        service_message: '[tts:]Engine return error code: 418',
      },
    });
    expect(err.hint).toMatch(/voice/);
    expect(stderr.text).toContain('cosy: error: the service failed the task');
    expect(stderr.text).toContain('task: abc123');
  });

  it.each<[string, unknown, Record<string, unknown>]>([
    ['a UsageError', new UsageError('bad --rate', { hint: 'use 0.5-2' }), { message: 'bad --rate', code: 'USAGE', exit_code: 2, hint: 'use 0.5-2' }],
    ['an AuthError', new AuthError('rejected', { code: 'AUTH_REJECTED', status: 401 }), { message: 'rejected', code: 'AUTH_REJECTED', exit_code: 3 }],
    ['a plain Error', new Error('bug'), { message: 'bug' }],
    ['a thrown string', 'weird', { message: 'weird' }],
  ])('%s has the documented shape', (_name, err, error) => {
    const { out, stdout } = make({ json: true });
    out.error(err);
    expect(JSON.parse(stdout.text)).toEqual({ ok: false, error });
  });

  it('without --json errors never reach stdout', () => {
    const { out, stdout } = make({ json: false });
    out.error(new ServiceError('InternalError', 'x'));
    expect(stdout.text).toBe('');
  });
});

describe('redaction', () => {
  const SECRET = 'sk-output-test-0123456789SECRET';
  registerSecret(SECRET);

  it('redact() masks every occurrence of a registered secret', () => {
    const masked = redact(`key ${SECRET} and again ${SECRET}${SECRET}.`);
    expect(masked).not.toContain(SECRET);
    expect(masked).not.toContain('0123456789');
    expect(masked.match(/redacted/g)).toHaveLength(3);
    expect(masked.startsWith('key ')).toBe(true);
    expect(masked.endsWith('.')).toBe(true);
  });

  it('redact() leaves text without secrets alone', () => {
    expect(redact('nothing to hide here')).toBe('nothing to hide here');
  });

  it('redacts every registered secret, not just the last one', () => {
    const other = 'st-temporary-token-ABCDEFGH';
    registerSecret(other);
    const masked = redact(`${SECRET} ${other}`);
    expect(masked).not.toContain(SECRET);
    expect(masked).not.toContain(other);
  });

  it('ignores secrets too short to be keys (they would mangle ordinary words)', () => {
    registerSecret('abc');
    expect(redact('abc abcdef')).toBe('abc abcdef');
  });

  it('no output method ever emits a registered secret', () => {
    const { out, stdout, stderr } = make({ verbose: true, json: true, tty: true });
    out.info(`info ${SECRET}`);
    out.warn(`warn ${SECRET}`);
    out.debug(`debug ${SECRET}`);
    out.result({ key: SECRET, nested: [SECRET] });
    out.resultLine(`line ${SECRET}`);
    out.error(new Error(`message ${SECRET}`));
    out.error(new AuthError(`auth ${SECRET}`, { hint: `hint ${SECRET}`, taskId: SECRET }));
    out.error(new ServiceError('InvalidParameter', `echoed ${SECRET}`));
    const all = stdout.text + stderr.text;
    expect(all).not.toContain(SECRET);
    expect(all).toContain('redacted');
    // Everything still arrived.
    for (const word of ['info', 'warn', 'debug', 'line', 'message', 'auth', 'hint', 'echoed']) expect(all).toContain(word);
    // The JSON documents stay valid JSON after redaction.
    const documents = stdout.text.trim().split('\n').filter((line) => line.startsWith('{'));
    expect(documents).toHaveLength(4);
    for (const line of documents) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('an interactive spinner never shows a registered secret, in its first text or in updates', async () => {
    const stdout = new Capture(true);
    const stderr = new TtyCapture();
    const out = new Output({ stdout, stderr, env: {} });
    const spinner = await out.spinner(`connecting with ${SECRET}`);
    await new Promise((resolve) => setTimeout(resolve, 90));
    spinner.update(`still connecting with ${SECRET}`);
    await new Promise((resolve) => setTimeout(resolve, 90));
    spinner.stop();
    expect(stderr.text).toContain('connecting with');
    expect(stderr.text).toContain('still connecting with');
    expect(stderr.text).not.toContain(SECRET);
    expect(stdout.text).toBe('');
  });
});
