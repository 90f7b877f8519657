/**
 * The security sweep (issue 8): every command, with a recognisable API key given each way a user can give it (the
 * environment, a `.env` file, a key file, `--api-key`, the file `cosy config set-key` writes), with faults and with
 * `--verbose`/`--json`. All captured stdout and stderr, and every file written in the test's folder (except the
 * files that hold the key on purpose), are searched for the key, for the wrong key of the 401 cases, and for any
 * 8 characters of their distinctive middle parts. Any hit is a leak and fails the test, naming the command, the
 * stream or file, and the context.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { writeWav } from '../helpers/audio-files.js';
import { baseEnv, COSY_BIN, runCli, tempDir } from '../helpers/run-cli.js';

/** The key under test: `sk-SWEEP` + a distinctive middle + `SECRET`. */
const KEY_MIDDLE = '7c1e9a24d8b36f05';
const KEY = `sk-SWEEP${KEY_MIDDLE}SECRET`;
/** A well-formed key the emulator rejects (the 401 cases give this one instead). */
const WRONG_MIDDLE = 'WRONG3b8d0e6a1f2c';
const WRONG_KEY = `sk-SWEEP${WRONG_MIDDLE}SECRET`;

/** What must never appear: both keys, and every 8-character window of their middles (a partial leak). */
const NEEDLES: string[] = [
  KEY,
  WRONG_KEY,
  ...[KEY_MIDDLE, WRONG_MIDDLE].flatMap((m) => Array.from({ length: m.length - 7 }, (_, i) => m.slice(i, i + 8))),
];

/** Ways to give the key. `stored` is where `cosy config set-key` writes it. */
const SOURCES = ['env', 'dotenv', 'keyfile', 'flag', 'stored'] as const;
type Source = (typeof SOURCES)[number];

/** Files that hold the key on purpose (relative to the test folder): not searched. */
const KEY_FILES = new Set(['.env', 'keys/api_key', '.config/cosy/api_key']);

const TEXT = 'A sentence for the sweep. And a second one to make it longer.';

interface Ctx {
  dir: string;
  emu: RunningEmulator;
  /** A custom voice created for the case (voices show/rm/update). */
  voiceId: string;
}

interface Step {
  args: (ctx: Ctx) => string[];
  /** The command takes --api-key (it talks to the service). Without, the flag source still passes it: exit 2. */
  keyFlag: boolean;
  stdin?: string;
  code: number;
}

interface SweepCase {
  name: string;
  steps: Step[];
  emulator?: EmulatorOptions;
  /** The key the source gives (default KEY; WRONG_KEY for a 401, a malformed key). */
  key?: string;
  setup?: (ctx: Ctx) => Promise<void> | void;
  /** Runs the case itself (the emulator command); returns the captured output. */
  custom?: (ctx: Ctx, source: Source, env: Record<string, string>, keyArgs: string[]) => Promise<Capture[]>;
}

interface Capture {
  where: string;
  data: string | Buffer;
}

const step = (args: string[] | ((ctx: Ctx) => string[]), code = 0, more: Partial<Step> = {}): Step => ({
  args: typeof args === 'function' ? args : () => args,
  keyFlag: true,
  code,
  ...more,
});
const offline = (args: string[], code = 0, more: Partial<Step> = {}): Step => step(args, code, { keyFlag: false, ...more });

/** Creates a cloned voice through the emulator's HTTP API (fast set-up). */
async function createVoice(emu: RunningEmulator): Promise<string> {
  const res = await fetch(`${emu.httpUrl}/services/audio/tts/customization`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: 'voice-enrollment',
      input: { action: 'create_voice', target_model: 'cosyvoice-v3.5-plus', prefix: 'sweep', url: 'https://example.com/a.wav' },
    }),
  });
  const body = (await res.json()) as { output: { voice_id: string } };
  return body.output.voice_id;
}

const withVoice = async (ctx: Ctx): Promise<void> => {
  ctx.voiceId = await createVoice(ctx.emu);
  await new Promise((r) => setTimeout(r, 80)); // past voiceReadyMs: the voice is OK
};
const sample = (ctx: Ctx): void => void writeWav(ctx.dir, 'sample.wav', { seconds: 11 });
const manifest = (ctx: Ctx): void => {
  writeFileSync(
    join(ctx.dir, 'm.jsonl'),
    [
      JSON.stringify({ id: 'one', text: 'The first item of the sweep.' }),
      JSON.stringify({ id: 'two', text: 'The second item of the sweep.', format: 'wav' }),
      JSON.stringify({ id: 'bad', text: 'This voice does not exist.', voice: 'nobody' }),
      JSON.stringify({ id: 'copy', text: 'The first item of the sweep.' }),
    ].join('\n'),
  );
};

/** Starts `cosy emulator --key KEY …` as a user would, uses it from cosy say (right and wrong key), stops it. */
function emulatorProcess(json: boolean) {
  return async (ctx: Ctx, _source: Source, env: Record<string, string>, keyArgs: string[]): Promise<Capture[]> => {
    const args = [COSY_BIN, 'emulator', '--port', '0', '--key', KEY, '--verbose', ...(json ? ['--json'] : [])];
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, { env: baseEnv(ctx.dir), cwd: ctx.dir });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const ws = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /ws:\/\/127\.0\.0\.1:\d+\/api-ws\/v1\/inference/.exec(stdout);
        if (m && stdout.includes('\n')) resolve(m[0]);
      });
      child.once('exit', () => reject(new Error(`the emulator exited: ${stderr}`)));
    });
    const clientEnv = { ...env, DASHSCOPE_WEBSOCKET_BASE_URL: ws };
    const ok = await runCli(['say', TEXT, '-o', 'e.mp3', '--verbose', '--json', ...keyArgs], { env: clientEnv, cwd: ctx.dir });
    expect(ok.code, ok.stderr).toBe(0);
    const wrongEnv = { ...baseEnv(ctx.dir), DASHSCOPE_WEBSOCKET_BASE_URL: ws, DASHSCOPE_API_KEY: WRONG_KEY };
    const rejected = await runCli(['say', TEXT, '-o', 'f.mp3', '--verbose', '--json'], { env: wrongEnv, cwd: ctx.dir });
    expect(rejected.code).toBe(3);
    child.kill('SIGINT');
    await once(child, 'exit');
    return [
      { where: 'cosy emulator: stdout', data: stdout },
      { where: 'cosy emulator: stderr', data: stderr },
      { where: 'cosy say (the emulator\'s key): stdout', data: ok.stdout },
      { where: 'cosy say (the emulator\'s key): stderr', data: ok.stderr },
      { where: 'cosy say (a wrong key): stdout', data: rejected.stdout },
      { where: 'cosy say (a wrong key): stderr', data: rejected.stderr },
    ];
  };
}

const CASES: SweepCase[] = [
  // say
  { name: 'say --verbose --json --subtitles, a task failed then retried', emulator: { faults: { failAfterFrames: 1, times: 1 } }, steps: [step(['say', TEXT, '-o', 'a.wav', '--subtitles', 'a.vtt', '--verbose', '--json'])] },
  { name: 'say, audio on stdout, --verbose', steps: [step(['say', TEXT, '-o', '-', '--format', 'mp3', '--verbose'])] },
  { name: 'say, task-failed (--retries 0) --verbose --json', emulator: { faults: { failAfterFrames: 1 } }, steps: [step(['say', TEXT, '-o', 'b.mp3', '--retries', '0', '--verbose', '--json'], 4)] },
  { name: 'say, connection dropped --verbose --json', emulator: { faults: { dropAfterFrames: 1 } }, steps: [step(['say', TEXT, '-o', 'c.opus', '--retries', '0', '--verbose', '--json'], 5)] },
  { name: 'say, 401 --verbose --json', key: WRONG_KEY, steps: [step(['say', TEXT, '-o', 'd.mp3', '--verbose', '--json'], 3)] },
  // stream
  { name: 'stream --verbose --json --echo, a task failed then retried', emulator: { faults: { failAfterFrames: 1, times: 1 } }, steps: [step(['stream', '-o', 's.wav', '--echo', '--verbose', '--json'], 0, { stdin: TEXT })] },
  { name: 'stream, connection dropped --verbose --json', emulator: { faults: { dropAfterFrames: 1 } }, steps: [step(['stream', '-o', 's.mp3', '--retries', '0', '--verbose', '--json'], 5, { stdin: TEXT })] },
  { name: 'stream, 401 --verbose --json', key: WRONG_KEY, steps: [step(['stream', '-o', 's.mp3', '--verbose', '--json'], 3, { stdin: TEXT })] },
  // batch
  { name: 'batch --verbose --json with a failing item', setup: manifest, steps: [step(['batch', 'm.jsonl', '-d', 'out', '--rps', '50', '--verbose', '--json'], 6)] },
  { name: 'batch --progress json --verbose, task-failed (--retries 0)', setup: manifest, emulator: { faults: { failAfterFrames: 1 } }, steps: [step(['batch', 'm.jsonl', '-d', 'out', '--rps', '50', '--retries', '0', '--progress', 'json', '--verbose'], 6)] },
  { name: 'batch, connection dropped, then a rerun', setup: manifest, emulator: { faults: { dropAfterFrames: 1, times: 1 } }, steps: [step(['batch', 'm.jsonl', '-d', 'out', '-j', '1', '--rps', '50', '--retries', '0', '--json'], 6), step(['batch', 'm.jsonl', '-d', 'out', '--rps', '50', '--verbose', '--json'], 6)] },
  { name: 'batch --estimate (and --json)', setup: manifest, steps: [step(['batch', 'm.jsonl', '-d', 'out', '--estimate']), step(['batch', 'm.jsonl', '--estimate', '--json', '--verbose'])] },
  { name: 'batch, 401 --verbose --json', setup: manifest, key: WRONG_KEY, steps: [step(['batch', 'm.jsonl', '-d', 'out', '--verbose', '--json'], 3)] },
  // lint (offline)
  {
    name: 'lint --verbose, and --json',
    setup: (ctx) => {
      writeFileSync(join(ctx.dir, 'a.ssml'), '<speak>Hello <break time="200ms"/> there.</speak>\n');
      writeFileSync(join(ctx.dir, 'b.txt'), 'Plain text.\n');
    },
    steps: [offline(['lint', 'a.ssml', 'b.txt', '--verbose']), offline(['lint', 'a.ssml', 'b.txt', '--json', '--verbose'])],
  },
  // voices
  { name: 'voices (the catalogue), --json', steps: [step(['voices', '--model', 'cosyvoice-v3-flash', '--language', 'en']), step(['voices', '--json', '--verbose'])] },
  { name: 'voices --custom --json --verbose', setup: withVoice, steps: [step(['voices', '--custom', '--verbose']), step(['voices', '--custom', '--json', '--verbose'])] },
  { name: 'voices show --json --verbose', setup: withVoice, steps: [step((c) => ['voices', 'show', c.voiceId, '--verbose']), step((c) => ['voices', 'show', c.voiceId, '--json', '--verbose'])] },
  { name: 'voices update --json --verbose', setup: async (c) => { await withVoice(c); sample(c); }, steps: [step((c) => ['voices', 'update', c.voiceId, 'sample.wav', '--json', '--verbose'])] },
  { name: 'voices rm --yes --json --verbose', setup: withVoice, steps: [step((c) => ['voices', 'rm', c.voiceId, '--yes', '--json', '--verbose'])] },
  { name: 'voices --custom, 401 --json --verbose', key: WRONG_KEY, steps: [step(['voices', '--custom', '--json', '--verbose'], 3)] },
  // clone, design
  { name: 'clone --json --verbose', setup: sample, steps: [step(['clone', 'sample.wav', '--prefix', 'sweep', '--verbose']), step(['clone', 'sample.wav', '--json', '--verbose'])] },
  { name: 'clone, the voice ends UNDEPLOYED --verbose --json', setup: (c) => void writeWav(c.dir, 'bad.wav', { seconds: 11, trailer: 'cosy-reject-audio' }), steps: [step(['clone', 'bad.wav', '--verbose', '--json'], 4)] },
  { name: 'design -o --json --verbose', steps: [step(['design', 'A calm narrator with a warm voice.', '-o', 'p.wav', '--verbose']), step(['design', 'A calm narrator with a warm voice.', '-o', 'q.mp3', '--json', '--verbose'])] },
  // config (offline)
  {
    name: 'config list/get/set/unset/path/set-key',
    steps: [
      offline(['config', 'set', 'region', 'cn']),
      offline(['config', 'set', '--project', 'model', 'cosyvoice-v3-flash']),
      offline(['config', 'get', 'region']),
      offline(['config', 'list']),
      offline(['config', 'list', '--json']),
      offline(['config', 'path']),
      offline(['config', 'set-key'], 0, { stdin: `${KEY}\n` }),
      offline(['config', 'list', '--json']),
      offline(['config', 'unset', 'region']),
      // A key where it does not belong: refused without echoing it.
      offline(['config', 'set', 'api-key', KEY], 2),
    ],
  },
  // doctor
  { name: 'doctor, and --json --verbose', steps: [step(['doctor', '--verbose']), step(['doctor', '--json', '--verbose'])] },
  { name: 'doctor, 401 --json --verbose', key: WRONG_KEY, steps: [step(['doctor', '--verbose'], 3), step(['doctor', '--json', '--verbose'], 3)] },
  // malformed keys: refused (or rejected) without being echoed, even in part
  { name: 'say and doctor, a key with a space inside', key: `sk-SWEEP${KEY_MIDDLE.slice(0, 8)} ${KEY_MIDDLE.slice(8)}SECRET`, steps: [step(['say', TEXT, '-o', 'm.mp3', '--verbose', '--json'], 3), step(['doctor', '--json', '--verbose'], 3)] },
  { name: 'say and doctor, a key without sk-', key: `SWEEP${KEY_MIDDLE}SECRET`, steps: [step(['say', TEXT, '-o', 'n.mp3', '--verbose', '--json'], 3), step(['doctor', '--verbose'], 3)] },
  // completion (offline)
  { name: 'completion bash/zsh/fish', steps: [offline(['completion', 'bash']), offline(['completion', 'zsh']), offline(['completion', 'fish'])] },
  // emulator: --key with the secret; cosy say against it with the source's key
  { name: 'emulator --key KEY --json --verbose', steps: [], custom: emulatorProcess(true) },
  { name: 'emulator --key KEY --verbose', steps: [], custom: emulatorProcess(false) },
];

/** Every file under `root`, relative, with its bytes. */
function filesUnder(root: string, base = root): Array<{ path: string; data: Buffer }> {
  return readdirSync(root, { withFileTypes: true }).flatMap((e) => {
    const path = join(root, e.name);
    if (e.isDirectory()) return filesUnder(path, base);
    return e.isFile() ? [{ path: relative(base, path), data: readFileSync(path) }] : [];
  });
}

/** The needles found in `data`, each with its context. */
function leaksIn(where: string, data: string | Buffer): string[] {
  const text = Buffer.isBuffer(data) ? data.toString('latin1') : data;
  const found: string[] = [];
  for (const needle of NEEDLES) {
    const at = text.indexOf(needle);
    if (at < 0) continue;
    // Report the longest needle per place only once.
    if (found.some((f) => f.includes(JSON.stringify(text.slice(Math.max(0, at - 60), at + needle.length + 60))))) continue;
    found.push(`${where}: ${JSON.stringify(needle)} in …${JSON.stringify(text.slice(Math.max(0, at - 60), at + needle.length + 60))}…`);
  }
  return found;
}

/** Gives the key the `source` way: returns the env and the arguments to add to commands that take --api-key. */
function giveKey(source: Source, key: string, dir: string, env: Record<string, string>): { env: Record<string, string>; keyArgs: string[] } {
  switch (source) {
    case 'env':
      return { env: { ...env, DASHSCOPE_API_KEY: key }, keyArgs: [] };
    case 'dotenv':
      writeFileSync(join(dir, '.env'), `# cosy sweep\nDASHSCOPE_API_KEY=${key}\n`);
      return { env, keyArgs: [] };
    case 'keyfile':
      mkdirSync(join(dir, 'keys'), { recursive: true });
      writeFileSync(join(dir, 'keys/api_key'), `${key}\n`, { mode: 0o600 });
      return { env: { ...env, DASHSCOPE_API_KEY_FILE_PATH: join(dir, 'keys/api_key') }, keyArgs: [] };
    case 'flag':
      return { env, keyArgs: ['--api-key', key] };
    case 'stored':
      mkdirSync(join(dir, '.config/cosy'), { recursive: true });
      writeFileSync(join(dir, '.config/cosy/api_key'), `${key}\n`, { mode: 0o600 });
      return { env, keyArgs: [] };
  }
}

async function sweep(c: SweepCase, source: Source): Promise<string[]> {
  const { dir, cleanup } = tempDir('cosy-sweep-');
  const emu = await startEmulator({ keys: [KEY], voiceReadyMs: 50, ...c.emulator });
  try {
    const ctx: Ctx = { dir, emu, voiceId: '' };
    await c.setup?.(ctx);
    const base = { ...baseEnv(dir), DASHSCOPE_WEBSOCKET_BASE_URL: emu.websocketUrl, DASHSCOPE_HTTP_BASE_URL: emu.httpUrl };
    mkdirSync(join(dir, 'tmp'));
    const { env, keyArgs } = giveKey(source, c.key ?? KEY, dir, { ...base, TMPDIR: join(dir, 'tmp') });
    const captured: Capture[] = [];
    if (c.custom) captured.push(...(await c.custom(ctx, source, env, keyArgs)));
    let refused = false;
    for (const s of c.steps) {
      // A command that does not take --api-key refuses it before doing anything: once per case is enough.
      const refusal = keyArgs.length > 0 && !s.keyFlag;
      if (refusal && refused) continue;
      refused ||= refusal;
      const args = [...s.args(ctx), ...keyArgs];
      const label = `cosy ${s.args(ctx).join(' ')}${keyArgs.length > 0 ? ' --api-key …' : ''}`;
      const r = await runCli(args, { env, cwd: dir, ...(s.stdin !== undefined ? { stdin: s.stdin } : {}) });
      // The command really ran (a usage error would make the sweep vacuous); a flag it does not take is refused.
      expect(r.code, `${label}\n${r.stderr}`).toBe(refusal ? 2 : s.code);
      captured.push({ where: `${label}: stdout`, data: r.stdout }, { where: `${label}: stderr`, data: r.stderr });
    }
    const leaks = captured.flatMap((x) => leaksIn(x.where, x.data));
    for (const f of filesUnder(dir)) if (!KEY_FILES.has(f.path)) leaks.push(...leaksIn(`file ${f.path}`, f.data));
    return leaks;
  } finally {
    await emu.close();
    cleanup();
  }
}

describe('the API key never appears in any output or file', () => {
  for (const c of CASES) {
    for (const source of SOURCES) {
      it.concurrent(`${c.name} [key by ${source}]`, async () => {
        expect(await sweep(c, source)).toEqual([]);
      }, 30_000);
    }
  }

  it.concurrent('the sweep itself finds a leak (the key stored as a plain setting, then printed)', async () => {
    const planted: SweepCase = { name: 'planted', steps: [offline(['config', 'set', 'workspace', KEY]), offline(['config', 'get', 'workspace'])] };
    const leaks = await sweep(planted, 'env');
    expect(leaks.some((l) => l.startsWith(`cosy config get workspace: stdout: "${KEY}"`))).toBe(true);
    expect(leaks.some((l) => l.startsWith(`file .config/cosy/config.json: "${KEY}"`))).toBe(true);
    expect(leaks.some((l) => l.startsWith(`cosy config set workspace ${KEY}: stderr`))).toBe(true);
  });
});
