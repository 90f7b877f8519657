/**
 * `cosy config` and the configuration reaching the commands: set/get/list/unset, profiles, the project file,
 * set-key (0600, read from stdin), and the warning for a readable key file.
 */
import { chmodSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseEnv, runCli, tempDir } from '../helpers/run-cli.js';
import { TEST_KEY, useEmulator, type TestEmulator } from '../helpers/emulator.js';

let dir: string;
let cleanup: () => void;
let env: Record<string, string>;
let emu: TestEmulator | undefined;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  env = { ...baseEnv(dir), XDG_CONFIG_HOME: join(dir, 'xdg') };
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  cleanup();
});

describe('cosy config', () => {
  it('sets, gets, lists and unsets settings, with profiles and sources', async () => {
    expect((await runCli(['config', 'set', 'region', 'intl'], { env, cwd: dir })).stderr).toBe(`region=intl in ${join(dir, 'xdg', 'cosy', 'config.json')}\n`);
    expect((await runCli(['config', 'set', '--profile', 'bj', 'region', 'cn'], { env, cwd: dir })).code).toBe(0);
    expect((await runCli(['config', 'get', 'region'], { env, cwd: dir })).stdout.toString()).toBe('intl\n');
    expect((await runCli(['config', 'get', 'region', '--profile', 'bj'], { env, cwd: dir })).stdout.toString()).toBe('cn\n');
    const set = await runCli(['config', 'set', 'model', 'cosyvoice-v2', '--json'], { env, cwd: dir });
    expect(JSON.parse(set.stdout.toString())).toEqual({ ok: true, key: 'model', value: 'cosyvoice-v2', profile: null, file: join(dir, 'xdg', 'cosy', 'config.json') });
    const unsetJson = await runCli(['config', 'unset', 'model', '--json'], { env, cwd: dir });
    expect(JSON.parse(unsetJson.stdout.toString())).toMatchObject({ ok: true, key: 'model', removed: true });
    const list = JSON.parse((await runCli(['config', 'list', '--json'], { env, cwd: dir })).stdout.toString());
    expect(list.ok).toBe(true);
    expect(list.settings.region).toEqual({ value: 'intl', source: 'user', origin: join(dir, 'xdg', 'cosy', 'config.json') });
    expect((await runCli(['config', 'get', 'region'], { env: { ...env, COSY_REGION: 'cn' }, cwd: dir })).stdout.toString()).toBe('cn\n');
    expect((await runCli(['config', 'unset', 'region'], { env, cwd: dir })).code).toBe(0);
    const unset = await runCli(['config', 'get', 'region'], { env, cwd: dir });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('region is not set');
  });

  it.each([
    [['config', 'set', 'region', 'mars'], 'region must be one of cn, intl'],
    [['config', 'set', 'api-key', 'sk-x'], 'use `cosy config set-key`'],
    [['config', 'get', 'colour'], 'unknown setting "colour"'],
    [['config', 'set', '__proto__', 'x'], 'unknown setting "__proto__"'],
    [['config', 'set', 'constructor', 'x'], 'unknown setting "constructor"'],
    [['config', 'get', 'toString'], 'unknown setting "toString"'],
    [['config', 'unset', 'constructor'], 'unknown setting "constructor"'],
    [['config', 'set', 'endpoint', 'ws://example.com/x'], 'endpoint: ws:// is allowed only for this machine'],
    [['config', 'set', 'workspace', 'llm abc'], 'workspace must be non-empty, without spaces'],
    [['say', 'Hi.', '-o', 'a.wav', '--profile', 'hasOwnProperty'], 'no profile named "hasOwnProperty"'],
  ])('%j is a usage error', async (args, message) => {
    const r = await runCli(args, { env, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('sk-x');
  });

  it('a profile may be called "constructor"; a symlinked config file stays a link', async () => {
    mkdirSync(join(dir, 'dotfiles'));
    writeFileSync(join(dir, 'dotfiles', 'cosy.json'), '{}\n');
    mkdirSync(join(dir, 'xdg', 'cosy'), { recursive: true });
    symlinkSync(join(dir, 'dotfiles', 'cosy.json'), join(dir, 'xdg', 'cosy', 'config.json'));
    expect((await runCli(['config', 'set', '--profile', 'constructor', 'region', 'intl'], { env, cwd: dir })).code).toBe(0);
    expect((await runCli(['config', 'get', 'region', '--profile', 'constructor'], { env, cwd: dir })).stdout.toString()).toBe('intl\n');
    expect(lstatSync(join(dir, 'xdg', 'cosy', 'config.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'dotfiles', 'cosy.json'), 'utf8'))).toEqual({ profiles: { constructor: { region: 'intl' } } });
  });

  it('list and get show what ./.env sets, as the other commands use it, naming the file', async () => {
    writeFileSync(join(dir, '.env'), 'COSY_MODEL=cosyvoice-v2\n');
    expect((await runCli(['config', 'get', 'model'], { env, cwd: dir })).stdout.toString()).toBe('cosyvoice-v2\n');
    const list = await runCli(['config', 'list'], { env, cwd: dir });
    expect(list.stdout.toString()).toBe(`model=cosyvoice-v2\t# env: ${join(dir, '.env')}: COSY_MODEL\n`);
    const shell = await runCli(['config', 'list'], { env: { ...env, COSY_MODEL: 'cosyvoice-v3-plus' }, cwd: dir });
    expect(shell.stdout.toString()).toBe('model=cosyvoice-v3-plus\t# env: COSY_MODEL\n');
  });

  it('set-key reads the key from stdin and stores it with 0600 permissions', async () => {
    const r = await runCli(['config', 'set-key'], { env, cwd: dir, stdin: `${TEST_KEY}\n` });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain(TEST_KEY);
    const path = join(dir, 'xdg', 'cosy', 'api_key');
    expect(readFileSync(path, 'utf8')).toBe(`${TEST_KEY}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('configuration reaches the commands', () => {
  it('say uses the endpoint and workspace from the files and the key from set-key', async () => {
    emu = await useEmulator(dir);
    await runCli(['config', 'set', 'endpoint', emu.emulator.websocketUrl], { env, cwd: dir });
    mkdirSync(join(dir, 'proj'));
    await runCli(['config', 'set', '--project', 'workspace', 'ws-project'], { env, cwd: join(dir, 'proj') });
    await runCli(['config', 'set-key'], { env, cwd: dir, stdin: TEST_KEY });
    const r = await runCli(['say', 'Configured.', '-o', 'c.mp3'], { env, cwd: join(dir, 'proj') });
    expect(r.stderr).toMatch(/^wrote c\.mp3/);
    expect(r.code).toBe(0);
    expect(emu.emulator.tasks[0]?.headers.workspace).toBe('ws-project');
  });

  it('warns when the key file can be read by others', async () => {
    emu = await useEmulator(dir);
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, TEST_KEY);
    chmodSync(keyFile, 0o644);
    const r = await runCli(['say', 'Hi.', '-o', 'x.mp3'], {
      env: { ...env, DASHSCOPE_WEBSOCKET_BASE_URL: emu.emulator.websocketUrl, DASHSCOPE_API_KEY_FILE_PATH: keyFile },
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: the API key file ${keyFile} can be read by other users; run: chmod 600 ${keyFile}`);
  });
});

describe('configured defaults for synthesis', () => {
  it('model, voice, format and sample rate come from the configuration unless a flag says otherwise', async () => {
    emu = await useEmulator(dir);
    const e = { ...env, DASHSCOPE_API_KEY: TEST_KEY, DASHSCOPE_WEBSOCKET_BASE_URL: emu.emulator.websocketUrl };
    for (const [k, v] of [['model', 'cosyvoice-v3-plus'], ['voice', 'longanhuan'], ['format', 'wav'], ['sample-rate', '16000']]) {
      expect((await runCli(['config', 'set', k as string, v as string], { env: e, cwd: dir })).code).toBe(0);
    }
    const piped = await runCli(['say', 'Defaults.'], { env: e, cwd: dir });
    expect(piped.code).toBe(0);
    expect(piped.stdout.toString('ascii', 0, 4)).toBe('RIFF');
    expect(emu.emulator.tasks[0]).toMatchObject({ model: 'cosyvoice-v3-plus', parameters: { voice: 'longanhuan', format: 'wav', sample_rate: 16000 } });
    // a flag wins; the configured voice goes with every model that has it, and with no other
    const flagged = await runCli(['say', 'Flags.', '--model', 'cosyvoice-v3-flash', '-o', 'f.mp3'], { env: e, cwd: dir });
    expect(flagged.code).toBe(0);
    expect(emu.emulator.tasks[1]).toMatchObject({ model: 'cosyvoice-v3-flash', parameters: { voice: 'longanhuan', format: 'mp3' } });
    const other = await runCli(['say', 'Flags.', '--model', 'cosyvoice-v2', '-o', 'g.mp3'], { env: e, cwd: dir });
    expect(other.code).toBe(0);
    expect(emu.emulator.tasks[2]).toMatchObject({ model: 'cosyvoice-v2', parameters: { voice: 'longxiaochun_v2' } });
    // whichever layer chose the model: the environment, or a project file
    const fromEnv = await runCli(['say', 'Env.', '-o', 'h.mp3'], { env: { ...e, COSY_MODEL: 'cosyvoice-v2' }, cwd: dir });
    expect(fromEnv.code).toBe(0);
    expect(emu.emulator.tasks[3]).toMatchObject({ model: 'cosyvoice-v2', parameters: { voice: 'longxiaochun_v2' } });
    mkdirSync(join(dir, 'p'));
    writeFileSync(join(dir, 'p', '.cosy.json'), '{"model":"cosyvoice-v2"}\n');
    const fromProject = await runCli(['say', 'Project.', '-o', 'i.mp3'], { env: e, cwd: join(dir, 'p') });
    expect(fromProject.code).toBe(0);
    expect(emu.emulator.tasks[4]).toMatchObject({ model: 'cosyvoice-v2', parameters: { voice: 'longxiaochun_v2' } });
  });
});

describe('an endpoint from a project file', () => {
  it('sending the key to another host is warned of, until the user sets the same endpoint', async () => {
    const far = 'wss://cosy-project.invalid/api-ws/v1/inference';
    const proj = join(dir, 'repo');
    mkdirSync(proj);
    writeFileSync(join(proj, '.cosy.json'), JSON.stringify({ endpoint: far }));
    const e = { ...env, DASHSCOPE_API_KEY: TEST_KEY };
    const warned = await runCli(['say', 'Hi.', '-o', 'a.mp3', '--retries', '0'], { env: e, cwd: proj });
    expect(warned.stderr).toContain(`warning: the endpoint ${far} comes from the project file ${join(proj, '.cosy.json')}: your API key is sent to cosy-project.invalid`);
    expect(warned.code).toBe(5);
    expect((await runCli(['config', 'set', 'endpoint', far], { env, cwd: dir })).code).toBe(0);
    const accepted = await runCli(['say', 'Hi.', '-o', 'a.mp3', '--retries', '0'], { env: e, cwd: proj });
    expect(accepted.code).toBe(5);
    expect(accepted.stderr).not.toContain('warning: the endpoint');
    expect(warned.stderr + accepted.stderr).not.toContain(TEST_KEY);
  });
});

describe('a key file named in a project file', () => {
  it('is stored relative to the project and found from its subfolders', async () => {
    emu = await useEmulator(dir);
    const proj = join(dir, 'proj');
    mkdirSync(join(proj, 'keys'), { recursive: true });
    mkdirSync(join(proj, 'sub'));
    writeFileSync(join(proj, 'keys', 'k'), `${TEST_KEY}\n`, { mode: 0o600 });
    writeFileSync(join(proj, '.cosy.json'), '{}\n');
    expect((await runCli(['config', 'set', '--project', 'api-key-file', 'k'], { env, cwd: join(proj, 'keys') })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(proj, '.cosy.json'), 'utf8'))).toEqual({ 'api-key-file': join('keys', 'k') });
    const withoutKey: Record<string, string> = { ...emu.env, XDG_CONFIG_HOME: join(dir, 'xdg') };
    delete withoutKey['DASHSCOPE_API_KEY'];
    const r = await runCli(['say', 'From a subfolder.', '-o', 'k.mp3'], { env: withoutKey, cwd: join(proj, 'sub') });
    expect(r.stderr).toMatch(/^wrote k\.mp3/);
    expect(r.code).toBe(0);
  });
});

describe('set-key with a profile', () => {
  it('stores the key in a file of its own and points the profile at it', async () => {
    const r = await runCli(['config', 'set-key', '--profile', 'sg'], { env, cwd: dir, stdin: TEST_KEY });
    expect(r.code).toBe(0);
    const path = join(dir, 'xdg', 'cosy', 'api_key.sg');
    expect(readFileSync(path, 'utf8')).toBe(`${TEST_KEY}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const get = await runCli(['config', 'get', 'api-key-file', '--profile', 'sg'], { env, cwd: dir });
    expect(get.stdout.toString()).toBe(`${path}\n`);
    const none = await runCli(['config', 'get', 'api-key-file'], { env, cwd: dir });
    expect(none.code).toBe(2);
  });
});
