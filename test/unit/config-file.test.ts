import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Config, findProjectConfig, formatConfigDocument, isGroupOrWorldReadable, readConfigFile, userConfigPath, userKeyFilePath } from '../../src/config-file.js';
import { resolveEndpoints } from '../../src/config.js';

let root: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cosy-config-'));
  env = { XDG_CONFIG_HOME: join(root, 'xdg'), HOME: join(root, 'home') };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function userFile(content: unknown): void {
  mkdirSync(join(root, 'xdg', 'cosy'), { recursive: true });
  writeFileSync(userConfigPath(env), JSON.stringify(content));
}
function projectFile(dir: string, content: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '.cosy.json'), JSON.stringify(content));
}

describe('paths', () => {
  it('uses XDG_CONFIG_HOME, else ~/.config', () => {
    expect(userConfigPath(env)).toBe(join(root, 'xdg', 'cosy', 'config.json'));
    expect(userConfigPath({ HOME: '/h' })).toBe('/h/.config/cosy/config.json');
    expect(userKeyFilePath(env)).toBe(join(root, 'xdg', 'cosy', 'api_key'));
  });

  it('finds the nearest project file in a parent folder', () => {
    projectFile(join(root, 'proj'), { voice: 'longanhuan' });
    mkdirSync(join(root, 'proj', 'a', 'b'), { recursive: true });
    expect(findProjectConfig(join(root, 'proj', 'a', 'b'))).toBe(join(root, 'proj', '.cosy.json'));
  });
});

describe('precedence: env > project > user, profiles before top level', () => {
  it.each<[string, NodeJS.ProcessEnv, string | undefined, string, string]>([
    ['user only', {}, undefined, 'intl', 'user'],
    ['project over user', {}, 'proj', 'cn', 'project'],
    ['env over project', { COSY_REGION: 'intl' }, 'proj', 'intl', 'env'],
  ])('%s', (_name, extraEnv, projectDir, value, source) => {
    userFile({ region: 'intl' });
    if (projectDir) projectFile(join(root, projectDir), { region: 'cn' });
    const config = Config.load(join(root, projectDir ?? '.'), { ...env, ...extraEnv });
    expect(config.get('region')).toMatchObject({ value, source });
  });

  it('a profile in either file overrides the top level of that file', () => {
    userFile({ region: 'cn', workspace: 'ws-user', profiles: { sg: { region: 'intl' } } });
    const config = Config.load(root, env, 'sg');
    expect(config.get('region')).toMatchObject({ value: 'intl', source: 'user' });
    expect(config.get('region')?.origin).toContain('(profile sg)');
    expect(config.string('workspace')).toBe('ws-user');
    expect(Config.load(root, { ...env, COSY_PROFILE: 'sg' }).string('region')).toBe('intl');
  });

  it('rejects an unknown profile, naming the known ones', () => {
    userFile({ profiles: { sg: { region: 'intl' } } });
    expect(() => Config.load(root, env, 'bj')).toThrow('no profile named "bj"; known profiles: sg');
  });

  it('feeds resolveEndpoints, below flags', () => {
    userFile({ region: 'intl', endpoint: 'ws://127.0.0.1:9/api-ws/v1/inference' });
    const config = Config.load(root, env);
    expect(resolveEndpoints({}, env, config)).toMatchObject({ region: 'intl', websocketUrl: 'ws://127.0.0.1:9/api-ws/v1/inference' });
    expect(resolveEndpoints({ region: 'cn', endpoint: 'wss://x.example/api-ws/v1/inference' }, env, config)).toMatchObject({
      region: 'cn',
      websocketUrl: 'wss://x.example/api-ws/v1/inference',
    });
    userFile({ endpoint: 'ws://example.com/api-ws/v1/inference' });
    expect(() => resolveEndpoints({}, env, Config.load(root, env))).toThrow(/config\.json: endpoint: ws:\/\/ is allowed only for this machine/);
  });
});

describe('readConfigFile', () => {
  it.each<[string, string]>([
    ['{', 'is not valid JSON'],
    ['[]', 'must hold a JSON object'],
    ['{"colour":"red"}', 'unknown setting "colour"'],
    ['{"region":"mars"}', 'region must be one of cn, intl'],
    ['{"sample-rate":"fast"}', 'sample-rate must be a positive whole number'],
    ['{"sample-rate":12345}', 'sample-rate must be one of 8000, 16000, 22050, 24000, 44100, 48000 (got "12345")'],
    ['{"format":"flac"}', 'format must be one of pcm, wav, mp3, opus'],
    ['{"profiles":{"x":{"voice":""}}}', 'profile "x": voice must be non-empty'],
    ['{"region":["cn"]}', '"region" must be a string or number'],
    ['{"constructor":"x"}', 'unknown setting "constructor"'],
    ['{"__proto__":{"region":"cn"}}', 'unknown setting "__proto__"'],
    ['{"toString":"x"}', 'unknown setting "toString"'],
    ['{"endpoint":"ws://example.com/x"}', 'endpoint: ws:// is allowed only for this machine (loopback); use wss:// for example.com'],
    ['{"http-endpoint":"ftp://example.com"}', 'http-endpoint: expected a https:// URL'],
    ['{"workspace":"llm abc"}', 'workspace must be non-empty, without spaces (got "llm abc")'],
  ])('rejects %s', (content, message) => {
    mkdirSync(join(root, 'xdg', 'cosy'), { recursive: true });
    writeFileSync(userConfigPath(env), content);
    expect(() => readConfigFile(userConfigPath(env))).toThrow(message);
  });

  it('round-trips through formatConfigDocument', () => {
    const doc = { settings: { region: 'intl', 'sample-rate': 24000 }, profiles: { a: { voice: 'longanhuan' } } };
    mkdirSync(join(root, 'xdg', 'cosy'), { recursive: true });
    writeFileSync(userConfigPath(env), formatConfigDocument(doc));
    expect(readConfigFile(userConfigPath(env))).toEqual(doc);
  });
});

describe('names that objects have anyway', () => {
  it('a profile is only what a file says: "constructor" may be one, "toString" is not one unless defined', () => {
    mkdirSync(join(root, 'xdg', 'cosy'), { recursive: true });
    writeFileSync(userConfigPath(env), '{"profiles":{"constructor":{"region":"intl"},"__proto__":{"region":"cn"}}}');
    expect(Config.load(root, env, 'constructor').get('region')?.value).toBe('intl');
    expect(Config.load(root, env, '__proto__').get('region')?.value).toBe('cn');
    expect(() => Config.load(root, env, 'toString')).toThrow('no profile named "toString"; known profiles: constructor, __proto__');
    expect(() => Config.load(root, env).get('constructor')).toThrow('unknown setting "constructor"');
  });
});

describe('paths in files', () => {
  it('a relative api-key-file is relative to the folder of the file that holds it', () => {
    userFile({ 'api-key-file': 'keys/user' });
    projectFile(join(root, 'proj'), { profiles: { p: { 'api-key-file': '../secret/k' } } });
    expect(Config.load(root, env).get('api-key-file')?.value).toBe(join(root, 'xdg', 'cosy', 'keys', 'user'));
    expect(Config.load(join(root, 'proj', 'sub'), env, 'p').get('api-key-file')?.value).toBe(join(root, 'secret', 'k'));
    expect(Config.load(root, { ...env, DASHSCOPE_API_KEY_FILE_PATH: 'rel/k' }).get('api-key-file')?.value).toBe('rel/k');
  });
});

describe('isGroupOrWorldReadable', () => {
  it('flags 0644 but not 0600', () => {
    const f = join(root, 'k');
    writeFileSync(f, 'sk-x');
    chmodSync(f, 0o644);
    expect(isGroupOrWorldReadable(f)).toBe(true);
    chmodSync(f, 0o600);
    expect(isGroupOrWorldReadable(f)).toBe(false);
  });
});
