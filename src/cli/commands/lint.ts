/**
 * `cosy lint FILE…`: checks SSML and plain-text files offline (no key, no network) and prints every finding as
 * `file:line:column: severity: message [rule]` with a caret excerpt on stderr, or one JSON document on stdout.
 * Exit 0 when no file has errors (warnings too with --strict), 2 otherwise.
 */
import { readFile } from 'node:fs/promises';
import { ExitCode, ReportedError, UsageError } from '../../errors.js';
import { addSeverities, countSeverities, describeCounts, formatFinding, type Painter } from '../../text/ssml/format.js';
import { lintInput, type LintResult } from '../../text/ssml/lint-input.js';
import type { Finding, Severity } from '../../text/ssml/types.js';
import type { CommandContext } from '../context.js';
import { Output } from '../output.js';
import { readStream } from '../read-input.js';

/** Options of `cosy lint` after commander parsed them. */
export interface LintOptions {
  model?: string;
  voice?: string;
  sampleRate?: number;
  strict?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  json?: boolean;
  color?: boolean;
}

/** One linted file: its name as given, whether it could be read, and what was found. */
interface LintedFile {
  name: string;
  readable: boolean;
  result: LintResult;
}

/** A result for a file that could not be read. */
function unreadable(message: string): LintResult {
  const finding: Finding = { rule: 'R-FILE', severity: 'error', message, line: 0, column: 0 };
  return { kind: 'text', findings: [finding], omitted: 0, totals: countSeverities([finding]), counts: { billed: 0, conservative: 0 }, messages: 0, tasks: 0 };
}

async function lintFile(name: string, options: LintOptions, ssml: boolean | undefined, context: CommandContext): Promise<LintedFile> {
  let bytes: Buffer;
  try {
    bytes = name === '-' ? await readStream(context.stdin) : await readFile(name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    return { name, readable: false, result: unreadable(`cannot read ${name}: ${why}`) };
  }
  const source = name === '-' ? 'stdin' : name;
  return { name: source, readable: true, result: lintInput(bytes, source, { model: options.model, voice: options.voice, sampleRate: options.sampleRate, ssml }) };
}

/** Whether a finding is printed for people under the output options. */
function shown(severity: Severity, options: LintOptions): boolean {
  if (severity === 'info') return options.verbose === true;
  if (severity === 'warning') return options.quiet !== true || options.strict === true;
  return true;
}

function summaryLine(file: LintedFile): string {
  const { result } = file;
  const counts = result.totals;
  const characters = result.counts.billed.toLocaleString('en-US');
  const what =
    result.kind === 'ssml'
      ? `SSML, ${characters} characters (${result.counts.conservative.toLocaleString('en-US')} with tags)`
      : `plain text, ${characters} characters, ${result.messages} message${result.messages === 1 ? '' : 's'}${result.tasks > 1 ? ` in ${result.tasks} tasks` : ''}`;
  const omitted = result.omitted > 0 ? ` (${result.omitted.toLocaleString('en-US')} more not shown)` : '';
  return `${file.name}: ${file.readable ? what : 'not read'}: ${describeCounts(counts)}${omitted}`;
}

function toJson(file: LintedFile, strict: boolean): Record<string, unknown> {
  const { result } = file;
  const counts = result.totals;
  return {
    file: file.name,
    kind: file.readable ? result.kind : 'unreadable',
    ok: counts.error === 0 && (!strict || counts.warning === 0),
    characters: result.counts.billed,
    characters_with_tags: result.counts.conservative,
    messages: result.messages,
    tasks: result.tasks,
    errors: counts.error,
    warnings: counts.warning,
    infos: counts.info,
    omitted: result.omitted,
    findings: result.findings,
  };
}

/** Runs `cosy lint`. */
export async function runLint(files: string[], raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const options = raw as LintOptions;
  const output = Output.from(options, context);
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('- (stdin) can be named only once');
  const ssml = raw['ssml'] === true ? true : raw['ssml'] === false ? false : undefined;
  const strict = options.strict === true;

  const linted: LintedFile[] = [];
  for (const name of files) linted.push(await lintFile(name, options, ssml, context));

  const totals = addSeverities(...linted.map((f) => f.result.totals));
  const failed = totals.error > 0 || (strict && totals.warning > 0);
  if (options.json) {
    output.result({ ok: !failed, strict, errors: totals.error, warnings: totals.warning, infos: totals.info, files: linted.map((f) => toJson(f, strict)) });
  } else {
    const c = output.color;
    const painter: Painter = {
      severity: (severity, text) => (severity === 'error' ? c.red.bold(text) : severity === 'warning' ? c.yellow.bold(text) : c.cyan(text)),
      caret: (text) => c.green.bold(text),
      dim: (text) => c.dim(text),
    };
    for (const file of linted) {
      const lines = file.result.findings.filter((f) => shown(f.severity, options)).map((f) => `${formatFinding(file.name, f, { painter })}\n`);
      output.raw(lines.join(''));
      output.info(summaryLine(file));
    }
  }
  if (failed) {
    const summary = `${describeCounts(totals)} in ${linted.length} file${linted.length === 1 ? '' : 's'}${strict && totals.error === 0 ? ' (--strict: warnings fail)' : ''}`;
    if (!options.json) output.error(new UsageError(summary));
    throw new ReportedError(summary, ExitCode.Usage);
  }
}
