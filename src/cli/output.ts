/**
 * The one owner of cosy's two output streams. stdout carries only results (audio is written by sinks, JSON and ids
 * here); everything for people — progress, spinners, warnings, errors, verbose logs — goes to stderr.
 * Colour and spinners only on a TTY, never with NO_COLOR, TERM=dumb, --no-color, --json or --quiet.
 * Registered secrets are redacted from everything written here.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Writable } from 'node:stream';
import { CosyError } from '../errors.js';
import { redact } from '../secrets.js';

/** Output settings from the command line and environment. */
export interface OutputOptions {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
  color?: boolean | undefined;
}

/** The `{"ok":false,"error":{…}}` document of an error, as --json prints it on stdout. */
export function errorDocument(err: unknown): { ok: false; error: Record<string, unknown> } {
  const error: Record<string, unknown> = { message: err instanceof Error ? err.message : String(err) };
  if (err instanceof CosyError) {
    Object.assign(error, { code: err.code, exit_code: err.exitCode, hint: err.hint, task_id: err.taskId, ...err.details });
    const service = err as { serviceCode?: unknown; serviceMessage?: unknown };
    if (typeof service.serviceCode === 'string') Object.assign(error, { service_code: service.serviceCode, service_message: service.serviceMessage });
  }
  return { ok: false, error };
}

/** A minimal spinner interface (ora on a TTY, nothing otherwise). */
export interface Spinner {
  update(text: string): void;
  stop(): void;
}

/** Whether colour should be used on a stream, following no-color.org, FORCE_COLOR and TERM. */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (flag === true) return true;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

/** The output flags every command takes; `color: false` is --no-color (commander's negated option). */
export interface OutputFlags {
  quiet?: boolean | undefined;
  verbose?: boolean | undefined;
  json?: boolean | undefined;
  color?: boolean | undefined;
}

/** Terminal output of one cosy invocation. */
export class Output {
  readonly stdout: OutputOptions['stdout'];
  readonly stderr: OutputOptions['stderr'];
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly json: boolean;
  readonly color: ChalkInstance;
  readonly #interactive: boolean;
  #spinner: { stop(): void; text: string } | undefined;

  /** The Output of a command from its flags and the process's streams and environment. */
  static from(flags: OutputFlags, context: Pick<OutputOptions, 'stdout' | 'stderr' | 'env'>): Output {
    return new Output({
      stdout: context.stdout,
      stderr: context.stderr,
      env: context.env,
      quiet: flags.quiet,
      verbose: flags.verbose,
      json: flags.json,
      color: flags.color === false ? false : undefined,
    });
  }

  constructor(options: OutputOptions) {
    this.stdout = options.stdout;
    this.stderr = options.stderr;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    this.json = options.json ?? false;
    this.color = new Chalk({ level: shouldColor(options.stderr, options.env, options.color) ? 1 : 0 });
    const ci = options.env['CI'] !== undefined && options.env['CI'] !== '' && options.env['CI'] !== 'false';
    this.#interactive = options.stderr.isTTY === true && !ci && !this.quiet && !this.json;
  }

  /** Writes one line for people to stderr, clearing a spinner first. */
  #line(text: string): void {
    const spinner = this.#spinner;
    if (spinner) spinner.stop();
    this.stderr.write(`${redact(text)}\n`);
  }

  /** Progress or status for people; silent with --quiet. */
  info(text: string): void {
    if (!this.quiet) this.#line(text);
  }

  /** A warning; silent with --quiet. */
  warn(text: string): void {
    if (!this.quiet) this.#line(`${this.color.yellow('warning:')} ${text}`);
  }

  /** Preformatted report lines for people (e.g. lint findings), written to stderr as they are. */
  raw(text: string): void {
    const spinner = this.#spinner;
    if (spinner) spinner.stop();
    this.stderr.write(redact(text));
  }

  /** Text being sent, mirrored to stderr (--echo); written as is, without a newline of its own. */
  echo(text: string): void {
    this.stderr.write(redact(text));
  }

  /** Diagnostic detail shown with --verbose. */
  debug(text: string): void {
    if (this.verbose) this.#line(this.color.dim(`cosy: ${text}`));
  }

  /** One JSON document on stdout (the result of the command). */
  result(value: unknown): void {
    this.stdout.write(`${redact(JSON.stringify(value))}\n`);
  }

  /** A plain result line on stdout (an id, a URL). */
  resultLine(text: string): void {
    this.stdout.write(`${redact(text)}\n`);
  }

  /** Prints an error with its hint and task id; in --json mode also as a JSON object on stdout. */
  error(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const lines = [`${this.color.red('cosy: error:')} ${message}`];
    if (err instanceof CosyError) {
      if (err.taskId) lines.push(`  task: ${err.taskId}`);
      if (err.hint) lines.push(`  ${this.color.cyan('hint:')} ${err.hint}`);
    }
    this.#line(lines.join('\n'));
    if (this.json) this.result(errorDocument(err));
  }

  /** Starts a spinner on an interactive stderr; otherwise prints nothing (or one line with --verbose). */
  async spinner(text: string): Promise<Spinner> {
    if (!this.#interactive) {
      this.debug(text);
      return { update: () => undefined, stop: () => undefined };
    }
    const { default: ora } = await import('ora');
    const s = ora({ text: redact(text), stream: this.stderr, discardStdin: false, isEnabled: true }).start();
    this.#spinner = s;
    return {
      update: (t: string) => {
        s.text = redact(t);
      },
      stop: () => {
        s.stop();
        if (this.#spinner === s) this.#spinner = undefined;
      },
    };
  }
}
