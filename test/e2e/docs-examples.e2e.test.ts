/**
 * Every example in the docs runs. This test extracts the fenced blocks of README.md and docs/*.md, runs their
 * commands through bash against the built binary (and the emulator), and compares what they print with what the
 * docs say they print. docs/recipes.md ("How the examples are tested") describes the same convention for writers.
 *
 * BLOCKS
 * - ```console — a terminal transcript: `$ command` lines, each followed by what it prints (stdout and stderr
 *   together, as a terminal shows them). It is run unless marked `skip`. A command continues on the next line after
 *   a trailing backslash, and a here-document (`<<'EOF'`) takes the lines up to its delimiter.
 * - ```sh, ```bash, ```shell — a script: run when marked `script` (run as it is, must exit 0, output not compared);
 *   mark the others `skip REASON`. An unmarked one is not run, and is reported among the skipped blocks as such.
 * - anything else (json, yaml, ts, an untagged block…) is an illustration and is not run, unless marked `file NAME`.
 *
 * MARKERS — HTML comments (invisible on GitHub) on the lines directly above the opening fence, no blank line between:
 *     <!-- example: DIRECTIVE; DIRECTIVE … -->
 * - skip REASON        not run; counted and reported with its reason (a reason is required; skip and setup take the
 *                      rest of the marker, `;` included, so they come last)
 * - emulator [FLAGS]   starts `cosy emulator --port 0 --json FLAGS` for the example and exports
 *                      DASHSCOPE_WEBSOCKET_BASE_URL, DASHSCOPE_HTTP_BASE_URL and DASHSCOPE_API_KEY=sk-emulator, as a
 *                      user pointing cosy at `cosy emulator --port 8765` would; 127.0.0.1:8765 in the example stands
 *                      for the emulator's real address; a session starts one emulator, at its first block that
 *                      asks for one
 * - session NAME       the examples of one file with the same session share one shell (variables, functions, the
 *                      working folder, the emulator) and run in document order
 * - file NAME          (on a block that is not run) its text becomes the file NAME in the folder of the next example
 * - wav NAME SECONDS [RATE [CHANNELS]]  writes a 16-bit test-tone WAV file (samples for `cosy clone`)
 * - setup COMMAND      a bash command run first, unseen (state that the prose around the example describes)
 * - needs PROGRAM…     skip (and report) the example when one of these programs is not installed
 * - without PROGRAM…   skip (and report) the example when one of these programs is installed (the output shows a
 *                      machine without them, e.g. without audio players)
 * - unordered          the output lines of each command may come in any order (parallel workers)
 * - tty                every command runs in a pseudo-terminal (script(1)), as typed in an interactive terminal
 *
 * ENVIRONMENT — each example (or session) runs in a fresh folder $HOME/work, with HOME a fresh empty folder (printed
 * as /home/ana, the home of the docs), `cosy` on PATH (a wrapper around bin/cosy.js), LANG=C.UTF-8, NO_COLOR=1,
 * nothing from DASHSCOPE_*, COSY_*, XDG_* or CI, no key file, no configuration, stdin from /dev/null. A command whose
 * line ends in `# Ctrl-C after N s` is sent SIGINT after N seconds (it must be a simple command, not a pipeline).
 *
 * COMPARISON — line by line; trailing spaces and trailing blank lines are ignored.
 * - `…` matches any text within a line; a line holding only `…` matches any number of lines (also none).
 * - Values that change from run to run are compared by their shape: 32-hex ids (task and voice ids), UUIDs (request
 *   ids), loopback ports, upload folders (oss://dashscope-instant/<16 hex>), dates and times, `"wall_ms"` and
 *   `"first_audio_ms"` values, "in N ms", the elapsed "N.N s" that ends a batch summary, the Node.js version. An id
 *   or port is bound when it first appears: where the example (or a later one of its session) repeats it, in
 *   commands or in output, this run's value is used.
 *
 * The examples run concurrently (CONCURRENCY sessions at a time); each test awaits its own block. The skipped blocks
 * are listed with their reasons at the end. COSY_DOCS_ONLY=docs/x.md[,README.md] runs some pages only.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COSY_BIN } from '../helpers/run-cli.js';
import { wavBytes } from '../helpers/audio-files.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** How the docs show the home folder. */
const DOC_HOME = '/home/ana';
/** The port the docs show for a running emulator. */
const DOC_PORT = '8765';
/** Examples (sessions) run at once. */
const CONCURRENCY = 6;
/** Longest a single command may take. */
const COMMAND_TIMEOUT_MS = 40_000;

// ---------------------------------------------------------------------------------------------------------------
// Parsing

interface Command {
  /** The command as written (continuations and here-documents included). */
  text: string;
  /** Line of the `$` in the markdown file (1-based). */
  line: number;
  /** SIGINT after this many seconds (`# Ctrl-C after N s`). */
  interruptAfterS: number | null;
  expected: string[];
}

interface Directives {
  skip: string | null;
  emulator: string[] | null;
  session: string | null;
  file: string | null;
  wavs: Array<{ name: string; seconds: number; rate: number; channels: number }>;
  setup: string[];
  needs: string[];
  without: string[];
  unordered: boolean;
  tty: boolean;
  script: boolean;
}

interface Block {
  doc: string;
  /** Line of the opening fence (1-based). */
  line: number;
  lang: string;
  body: string[];
  directives: Directives;
  commands: Command[];
}

/** Problems in the docs' use of the convention itself (reported by a test). */
const conventionErrors: string[] = [];

function emptyDirectives(): Directives {
  return { skip: null, emulator: null, session: null, file: null, wavs: [], setup: [], needs: [], without: [], unordered: false, tty: false, script: false };
}

function parseDirectives(text: string, where: string, into: Directives): void {
  const parts = text.split(';');
  for (let p = 0; p < parts.length; p++) {
    let d = (parts[p] ?? '').trim();
    // skip and setup take the rest of the marker, `;` included (a reason, a shell command).
    if (/^(skip|setup)\b/.test(d)) {
      d = parts.slice(p).join(';').trim();
      p = parts.length;
    }
    if (d === '') continue;
    const [name = '', ...rest] = d.split(/\s+/);
    const arg = d.slice(name.length).trim();
    switch (name) {
      case 'skip':
        if (arg === '') conventionErrors.push(`${where}: "skip" needs a reason`);
        into.skip = arg.replace(/^\((.*)\)$/, '$1');
        break;
      case 'emulator':
        into.emulator = rest;
        break;
      case 'session':
        if (arg === '') conventionErrors.push(`${where}: "session" needs a name`);
        into.session = arg;
        break;
      case 'file':
        if (arg === '') conventionErrors.push(`${where}: "file" needs a name`);
        into.file = arg;
        break;
      case 'wav': {
        const [file, seconds, rate, channels] = rest;
        if (file === undefined || seconds === undefined || !Number.isFinite(Number(seconds))) {
          conventionErrors.push(`${where}: "wav NAME SECONDS [RATE [CHANNELS]]" expected, got "${d}"`);
          break;
        }
        into.wavs.push({ name: file, seconds: Number(seconds), rate: Number(rate ?? 16000), channels: Number(channels ?? 1) });
        break;
      }
      case 'setup':
        into.setup.push(arg);
        break;
      case 'needs':
        into.needs.push(...rest);
        break;
      case 'without':
        into.without.push(...rest);
        break;
      case 'unordered':
        into.unordered = true;
        break;
      case 'tty':
        into.tty = true;
        break;
      case 'script':
        into.script = true;
        break;
      default:
        conventionErrors.push(`${where}: unknown directive "${name}" in <!-- example: ${text} -->`);
    }
  }
}

const CTRL_C = /\s+#\s*Ctrl-C after (\d+(?:\.\d+)?)\s*(?:s|sec|seconds?)\b.*$/;

/** Splits a console block into commands and their expected output. */
function parseConsole(body: string[], firstLine: number, where: string): Command[] {
  const commands: Command[] = [];
  let i = 0;
  while (i < body.length && !/^\$( |$)/.test(body[i] ?? '')) {
    if ((body[i] ?? '').trim() !== '') conventionErrors.push(`${where}: output before the first $ command: "${body[i]}"`);
    i++;
  }
  while (i < body.length) {
    const line = firstLine + i;
    const first = (body[i] ?? '').replace(/^\$ ?/, '');
    const lines = [first];
    i++;
    // Continuations: a trailing backslash, then here-documents.
    while (/\\$/.test(lines[lines.length - 1] ?? '') && i < body.length) lines.push(body[i++] ?? '');
    const heredocs = [...lines.join('\n').matchAll(/<<-?\s*(['"]?)([A-Za-z_][\w]*)\1/g)];
    for (const h of heredocs) {
      const delim = h[2] ?? '';
      while (i < body.length) {
        const l = body[i++] ?? '';
        lines.push(l);
        if (l.trim() === delim) break;
      }
    }
    const expected: string[] = [];
    while (i < body.length && !/^\$( |$)/.test(body[i] ?? '')) expected.push(body[i++] ?? '');
    let text = lines.join('\n');
    let interruptAfterS: number | null = null;
    const m = CTRL_C.exec(lines[0] ?? '');
    if (m) {
      interruptAfterS = Number(m[1]);
      text = text.replace(CTRL_C, '');
    }
    commands.push({ text, line, interruptAfterS, expected });
  }
  return commands;
}

/** The fenced blocks of one markdown file, with their markers. */
function parseDoc(doc: string): Block[] {
  const lines = readFileSync(join(ROOT, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i] ?? '');
    if (!open) {
      if (/^\s*<!--\s*example:/.test(lines[i] ?? '')) {
        let j = i + 1;
        while (j < lines.length && /^\s*<!--\s*example:/.test(lines[j] ?? '')) j++;
        if (!/^\s*(`{3,}|~{3,})/.test(lines[j] ?? '')) conventionErrors.push(`${doc}:${i + 1}: an example marker must be directly above a fenced block`);
      }
      continue;
    }
    const indent = open[1] ?? '';
    const fence = open[2] ?? '```';
    const lang = (open[3] ?? '').toLowerCase();
    const directives = emptyDirectives();
    const markerLines: string[] = [];
    for (let j = i - 1; j >= 0 && /^\s*<!--\s*example:.*-->\s*$/.test(lines[j] ?? ''); j--) markerLines.unshift(lines[j] ?? '');
    for (const [k, m] of markerLines.entries()) {
      const text = /<!--\s*example:(.*)-->/.exec(m)?.[1] ?? '';
      parseDirectives(text.trim(), `${doc}:${i + 1 - markerLines.length + k}`, directives);
    }
    const body: string[] = [];
    let j = i + 1;
    const closing = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (j < lines.length && !closing.test(lines[j] ?? '')) {
      const l = lines[j] ?? '';
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
      j++;
    }
    const where = `${doc}:${i + 1}`;
    const commands = lang === 'console' ? parseConsole(body, i + 2, where) : [];
    blocks.push({ doc, line: i + 1, lang, body, directives, commands });
    i = j;
  }
  return blocks;
}

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'zsh']);

function isRunnable(b: Block): boolean {
  return b.lang === 'console' || (SHELL_LANGS.has(b.lang) && b.directives.script);
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

/** A value that changes from run to run, compared by shape. Bindable values keep one value per example/session. */
interface Shape {
  find: RegExp;
  pattern: string;
  bind: boolean;
}

const SHAPES: Shape[] = [
  { find: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, pattern: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', bind: true },
  { find: /(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])/g, pattern: '[0-9a-f]{32}', bind: true },
  { find: /(?<=(?:127\.0\.0\.1|localhost):)\d{2,5}\b/g, pattern: '\\d{2,5}', bind: true },
  { find: /(?<=oss:\/\/dashscope-instant\/)[0-9a-f]{16}\b/g, pattern: '[0-9a-f]{16}', bind: true },
  { find: /\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b/g, pattern: '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d', bind: false },
  { find: /\b20\d\d-\d\d-\d\d\b/g, pattern: '\\d{4}-\\d\\d-\\d\\d', bind: false },
  { find: /(?<="(?:wall_ms|first_audio_ms)":)\d+/g, pattern: '\\d+', bind: false },
  { find: /(?<=\bin )\d+(?= ms\b)/g, pattern: '\\d+', bind: false },
  { find: /(?<=; )\d+\.\d(?= s$)/g, pattern: '\\d+\\.\\d', bind: false },
  { find: /(?<=Node\.js )\d+\.\d+\.\d+/g, pattern: '\\d+\\.\\d+\\.\\d+', bind: false },
];

const ELLIPSIS = '…';

type Bindings = Map<string, string>;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles one expected line: literal text, `…` wildcards, and shaped values (bound ones as this run's value). */
function compileLine(expected: string, bindings: Bindings): { re: RegExp; captures: string[] } {
  interface Hit {
    start: number;
    end: number;
    text: string;
    shape: Shape;
  }
  const hits: Hit[] = [];
  for (const shape of SHAPES) {
    for (const m of expected.matchAll(shape.find)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (hits.some((h) => start < h.end && end > h.start)) continue;
      hits.push({ start, end, text: m[0], shape });
    }
  }
  hits.sort((a, b) => a.start - b.start);
  const captures: string[] = [];
  let source = '';
  let pos = 0;
  const literal = (s: string): string => s.split(ELLIPSIS).map(escapeRe).join('.*?');
  for (const h of hits) {
    source += literal(expected.slice(pos, h.start));
    const bound = h.shape.bind ? bindings.get(h.text) : undefined;
    if (bound !== undefined) source += escapeRe(bound);
    else if (h.shape.bind) {
      source += `(${h.shape.pattern})`;
      captures.push(h.text);
    } else source += `(?:${h.shape.pattern})`;
    pos = h.end;
  }
  source += literal(expected.slice(pos));
  return { re: new RegExp(`^${source}$`, 'u'), captures };
}

function matchLine(expected: string, actual: string, bindings: Bindings): Bindings | null {
  const { re, captures } = compileLine(expected, bindings);
  const m = re.exec(actual);
  if (!m) return null;
  if (captures.length === 0) return bindings;
  const next = new Map(bindings);
  for (const [k, token] of captures.entries()) {
    const value = m[k + 1] ?? '';
    const seen = next.get(token);
    if (seen !== undefined && seen !== value) return null;
    next.set(token, value);
  }
  return next;
}

/** Matches expected lines against actual lines, `…` lines matching any run of lines; returns the new bindings. */
function matchLines(expected: string[], actual: string[], bindings: Bindings): Bindings | null {
  const go = (e: number, a: number, b: Bindings): Bindings | null => {
    if (e === expected.length) return a === actual.length ? b : null;
    const line = expected[e] ?? '';
    if (line.trim() === ELLIPSIS) {
      for (let k = a; k <= actual.length; k++) {
        const r = go(e + 1, k, b);
        if (r) return r;
      }
      return null;
    }
    if (a >= actual.length) return null;
    const nb = matchLine(line, actual[a] ?? '', b);
    return nb ? go(e + 1, a + 1, nb) : null;
  };
  return go(0, 0, bindings);
}

/** Any-order matching (a bipartite matching of expected lines to actual lines); bindings are not extended. */
function matchUnordered(expected: string[], actual: string[], bindings: Bindings): Bindings | null {
  if (expected.length !== actual.length) return null;
  const ok = expected.map((e) => actual.map((a) => matchLine(e, a, bindings) !== null));
  const owner: number[] = actual.map(() => -1);
  const augment = (e: number, seen: boolean[]): boolean => {
    for (let a = 0; a < actual.length; a++) {
      if (!ok[e]?.[a] || seen[a]) continue;
      seen[a] = true;
      if (owner[a] === -1 || augment(owner[a] ?? -1, seen)) {
        owner[a] = e;
        return true;
      }
    }
    return false;
  };
  for (let e = 0; e < expected.length; e++) if (!augment(e, actual.map(() => false))) return null;
  return bindings;
}

function trimLines(lines: string[]): string[] {
  const out = lines.map((l) => l.trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** Applies the bindings of earlier outputs to a command or an expected line. */
function rebind(text: string, bindings: Bindings): string {
  let out = text;
  for (const [from, to] of bindings) {
    if (from === to) continue;
    if (/^\d+$/.test(from)) out = out.replace(new RegExp(`(127\\.0\\.0\\.1|localhost):${from}\\b`, 'g'), `$1:${to}`);
    else out = out.split(from).join(to);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Running

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const SENTINEL = /\x1eDOCEX (\d+)\x1e\n/;

/**
 * A bash that reads NUL-terminated commands from fd 3 and evals them one by one (so variables, functions and `$?`
 * carry over like in a terminal), with stderr merged into stdout and a sentinel with the status after each command.
 */
const LOOP = [
  'exec 2>&1',
  '__docex_status=0',
  '__docex_set() { return "$1"; }',
  "while IFS= read -r -d '' __docex_cmd <&3; do",
  '  __docex_set "$__docex_status"',
  '  eval "$__docex_cmd" 3<&-',
  '  __docex_status=$?',
  "  printf '\\036DOCEX %d\\036\\n' \"$__docex_status\"",
  'done',
].join('\n');

class Shell {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly commands: Writable;
  private buffer = '';
  private waiter: (() => void) | null = null;
  private exited = false;

  constructor(cwd: string, env: Record<string, string>) {
    const child = spawn('bash', ['--noprofile', '--norc', '-c', LOOP], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child as unknown as ChildProcessWithoutNullStreams;
    this.commands = child.stdio[3] as Writable;
    this.commands.on('error', () => undefined);
    (child.stdout as Readable).setEncoding('utf8');
    (child.stdout as Readable).on('data', (chunk: string) => {
      this.buffer += chunk;
      this.waiter?.();
    });
    (child.stderr as Readable).setEncoding('utf8');
    (child.stderr as Readable).on('data', (chunk: string) => {
      this.buffer += chunk;
      this.waiter?.();
    });
    child.on('exit', () => {
      this.exited = true;
      this.waiter?.();
    });
  }

  /** Runs one command; resolves with what it printed and its exit status. */
  async run(command: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<{ output: string; status: number }> {
    this.commands.write(`${command}\0`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = SENTINEL.exec(this.buffer);
      if (m) {
        const output = this.buffer.slice(0, m.index);
        this.buffer = this.buffer.slice(m.index + m[0].length);
        return { output, status: Number(m[1]) };
      }
      if (this.exited) throw new Error(`the shell exited while running: ${command}\n${this.buffer}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        this.kill();
        throw new Error(`timed out after ${timeoutMs / 1000} s: ${command}\noutput so far:\n${this.buffer}`);
      }
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiter = () => {
          clearTimeout(t);
          this.waiter = null;
          res();
        };
      });
    }
  }

  kill(): void {
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  async close(): Promise<void> {
    this.commands.end();
    await new Promise<void>((res) => {
      if (this.exited) return res();
      const t = setTimeout(() => {
        this.kill();
        res();
      }, 5000);
      this.child.on('exit', () => {
        clearTimeout(t);
        res();
      });
    });
    this.kill(); // background jobs an example left behind
  }
}

/** Starts `cosy emulator --port 0 --json FLAGS`; resolves with its URLs and a stop function. */
function startEmulator(flags: string[], env: Record<string, string>): Promise<{ websocket: string; http: string; stop: () => void }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [COSY_BIN, 'emulator', '--port', '0', '--json', ...flags], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      try {
        const urls = JSON.parse(out.slice(0, nl)) as { websocket: string; http: string };
        res({ ...urls, stop: () => child.kill('SIGKILL') });
      } catch (e) {
        rej(e instanceof Error ? e : new Error(String(e)));
      }
    });
    child.on('exit', (code) => rej(new Error(`cosy emulator ${flags.join(' ')} exited (${code}): ${err}`)));
  });
}

interface CommandResult {
  command: Command;
  ran: string;
  actual: string[];
  expected: string[];
  ok: boolean;
}

interface BlockResult {
  commands: CommandResult[];
  error: string | null;
}

interface Session {
  key: string;
  blocks: Block[];
  /** Non-run blocks marked `file NAME` that precede each block. */
  files: Map<Block, Array<{ name: string; text: string }>>;
}

function which(program: string, path: string): boolean {
  return path.split(delimiter).some((d) => d !== '' && existsSync(join(d, program)));
}

let workRoot = '';
let binDir = '';

function baseEnv(home: string): Record<string, string> {
  const path = [binDir, dirname(process.execPath), process.env['PATH'] ?? '/usr/bin:/bin'].join(delimiter);
  return { PATH: path, HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1', SHELL: '/bin/bash', TERM: 'dumb', TZ: 'UTC' };
}

async function runSession(session: Session, settle: Map<Block, (r: BlockResult) => void>): Promise<void> {
  const dir = mkdtempSync(join(workRoot, 'ex-'));
  const home = join(dir, 'home');
  const cwd = join(home, 'work');
  mkdirSync(cwd, { recursive: true });
  const env = baseEnv(home);
  const stops: Array<() => void> = [];
  const bindings: Bindings = new Map();
  let shell: Shell | null = null;
  const normalise = (s: string): string => s.replace(/\r/g, '').split(home).join(DOC_HOME);
  try {
    for (const block of session.blocks) {
      const result: BlockResult = { commands: [], error: null };
      try {
        const d = block.directives;
        for (const f of session.files.get(block) ?? []) writeFileSync(join(cwd, f.name), f.text);
        for (const w of d.wavs) writeFileSync(join(cwd, w.name), wavBytes({ seconds: w.seconds, sampleRate: w.rate, channels: w.channels }));
        if (d.emulator && stops.length === 0) {
          const emu = await startEmulator(d.emulator, baseEnv(home));
          stops.push(emu.stop);
          const port = /:(\d+)\//.exec(emu.websocket)?.[1] ?? '';
          bindings.set(DOC_PORT, port);
          if (!shell) shell = new Shell(cwd, env);
          await shell.run(
            `export DASHSCOPE_WEBSOCKET_BASE_URL=${shellQuote(emu.websocket)} DASHSCOPE_HTTP_BASE_URL=${shellQuote(emu.http)} DASHSCOPE_API_KEY=sk-emulator`,
          );
        }
        if (!shell) shell = new Shell(cwd, env);
        for (const s of d.setup) {
          const r = await shell.run(s);
          if (r.status !== 0) throw new Error(`setup "${s}" exited ${r.status}:\n${r.output}`);
        }
        if (block.lang !== 'console') {
          const r = await shell.run(block.body.join('\n'));
          const actual = trimLines(normalise(r.output).split('\n'));
          result.commands.push({
            command: { text: block.body.join('\n'), line: block.line + 1, interruptAfterS: null, expected: [] },
            ran: block.body.join('\n'),
            actual,
            expected: [`(exit status 0)`],
            ok: r.status === 0,
          });
          if (r.status !== 0) result.error = `the script exited ${r.status}`;
        } else {
          for (const c of block.commands) {
            let ran = rebind(c.text, bindings);
            if (c.interruptAfterS !== null) ran = `timeout --preserve-status -k 10 -s INT ${c.interruptAfterS} ${ran}`;
            if (d.tty) ran = `script -qefc ${shellQuote(ran)} /dev/null`;
            const r = await shell.run(ran);
            const actual = trimLines(normalise(r.output).split('\n'));
            const expected = trimLines(c.expected);
            const matched = d.unordered ? matchUnordered(expected, actual, bindings) : matchLines(expected, actual, bindings);
            const shownExpected = expected.map((l) => rebind(l, matched ?? bindings));
            result.commands.push({ command: c, ran, actual, expected: shownExpected, ok: matched !== null });
            if (matched) for (const [k, v] of matched) bindings.set(k, v);
          }
        }
      } catch (e) {
        result.error = e instanceof Error ? e.message : String(e);
      }
      settle.get(block)?.(result);
    }
  } finally {
    await shell?.close();
    for (const stop of stops) stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The examples

/** COSY_DOCS_ONLY=docs/batch.md (comma-separated) runs the examples of some files only, while writing them. */
const ONLY = (process.env['COSY_DOCS_ONLY'] ?? '').split(',').filter((s) => s !== '');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)].filter(
  (d) => ONLY.length === 0 || ONLY.includes(d),
);
const allBlocks = DOCS.flatMap(parseDoc);
const sysPath = [dirname(process.execPath), process.env['PATH'] ?? '/usr/bin:/bin'].join(delimiter);

/** Why a block is not run, or null when it is. */
function skipReason(b: Block): string | null {
  if (b.directives.skip !== null) return b.directives.skip;
  if (SHELL_LANGS.has(b.lang) && !b.directives.script) return `UNMARKED: a \`\`\`${b.lang} block without <!-- example: script --> or <!-- example: skip REASON -->`;
  const missing = b.directives.needs.filter((p) => !which(p, sysPath));
  if (missing.length > 0) return `needs ${missing.join(', ')} (not installed here)`;
  const present = b.directives.without.filter((p) => which(p, sysPath));
  if (present.length > 0) return `shows a machine without ${present.join(', ')} (installed here)`;
  return null;
}

const runBlocks = allBlocks.filter((b) => isRunnable(b) && skipReason(b) === null);
const skipped = allBlocks.filter((b) => (b.lang === 'console' || SHELL_LANGS.has(b.lang)) && skipReason(b) !== null);

for (const b of allBlocks) {
  const where = `${b.doc}:${b.line}`;
  if (b.lang === 'console' && b.commands.length === 0) conventionErrors.push(`${where}: a console block without a $ command`);
  if (b.directives.file !== null && isRunnable(b)) conventionErrors.push(`${where}: "file" is for blocks that are not run`);
}

/** Groups the runnable blocks into sessions and attaches `file` blocks to the next runnable block. */
function buildSessions(): Session[] {
  const sessions = new Map<string, Session>();
  const files = new Map<Block, Array<{ name: string; text: string }>>();
  for (const doc of DOCS) {
    let pending: Array<{ name: string; text: string }> = [];
    for (const b of allBlocks.filter((x) => x.doc === doc)) {
      if (b.directives.file !== null && !isRunnable(b)) {
        pending.push({ name: b.directives.file, text: `${b.body.join('\n')}\n` });
        continue;
      }
      if (!runBlocks.includes(b)) continue;
      const key = b.directives.session !== null ? `${doc}#${b.directives.session}` : `${doc}:${b.line}`;
      let s = sessions.get(key);
      if (!s) {
        s = { key, blocks: [], files };
        sessions.set(key, s);
      }
      s.blocks.push(b);
      files.set(b, pending);
      pending = [];
    }
  }
  return [...sessions.values()];
}

const results = new Map<Block, Promise<BlockResult>>();
const settle = new Map<Block, (r: BlockResult) => void>();
for (const b of runBlocks) results.set(b, new Promise<BlockResult>((res) => settle.set(b, res)));

function title(b: Block): string {
  const first = b.commands[0]?.text.split('\n')[0] ?? b.body[0] ?? '';
  return `${b.doc}:${b.line} ${first.length > 70 ? `${first.slice(0, 69)}…` : first}`;
}

function report(b: Block, r: BlockResult): string {
  const parts: string[] = [];
  for (const c of r.commands) {
    if (c.ok) continue;
    parts.push(
      `${b.doc}:${c.command.line}: $ ${c.ran}\n--- expected (the doc)\n${c.expected.join('\n')}\n+++ actual\n${c.actual.join('\n')}`,
    );
  }
  if (r.error) parts.push(`${b.doc}:${b.line}: ${r.error}`);
  return parts.join('\n\n');
}

beforeAll(() => {
  workRoot = realpathSync(mkdtempSync(join(tmpdir(), 'cosy-docs-')));
  binDir = join(workRoot, 'bin');
  mkdirSync(binDir);
  writeFileSync(join(binDir, 'cosy'), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(COSY_BIN)} "$@"\n`);
  chmodSync(join(binDir, 'cosy'), 0o755);
  // Sessions run CONCURRENCY at a time, longest documents first; each test below awaits its own block.
  const queue = buildSessions().sort((a, b) => b.blocks.length - a.blocks.length);
  const worker = async (): Promise<void> => {
    for (let s = queue.shift(); s; s = queue.shift()) await runSession(s, settle);
  };
  for (let i = 0; i < CONCURRENCY; i++) void worker();
});

afterAll(() => {
  const commands = runBlocks.reduce((n, b) => n + (b.lang === 'console' ? b.commands.length : 1), 0);
  const lines = [`docs examples: ${runBlocks.length} blocks run (${commands} commands), ${skipped.length} skipped`];
  for (const b of skipped) lines.push(`  skipped ${b.doc}:${b.line}: ${skipReason(b)}`);
  console.log(lines.join('\n'));
  if (workRoot) rmSync(workRoot, { recursive: true, force: true });
});

describe('docs examples', () => {
  it('follow the convention (markers, shell blocks marked, reasons given)', () => {
    expect(conventionErrors).toEqual([]);
  });

  for (const b of runBlocks) {
    it(title(b), { timeout: 240_000 }, async () => {
      const r = await (results.get(b) as Promise<BlockResult>);
      const failures = report(b, r);
      if (failures !== '') expect.fail(failures);
    });
  }

  for (const b of skipped) it.skip(`${b.doc}:${b.line} — ${skipReason(b)}`, () => undefined);
});
