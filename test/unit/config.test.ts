import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ENV,
  REGION_ENDPOINTS,
  defaultKeyFile,
  loadDotEnvFile,
  resolveApiKey,
  resolveEndpoints,
  type EndpointFlags,
} from '../../src/config.js';
import { AuthError, CosyError, ExitCode, UsageError } from '../../src/errors.js';
import { isLoopbackHost } from '../../src/endpoint.js';

let dir: string;
let home: string;
const savedHome = process.env['HOME'];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cosy-config-'));
  // os.homedir() reads HOME on Linux: point it at an empty folder so a real ~/.dashscope/api_key never leaks in.
  home = join(dir, 'home');
  mkdirSync(home);
  process.env['HOME'] = home;
});

afterEach(() => {
  if (savedHome === undefined) delete process.env['HOME'];
  else process.env['HOME'] = savedHome;
  rmSync(dir, { recursive: true, force: true });
});

function writeDefaultKey(content: string): string {
  mkdirSync(join(home, '.dashscope'), { recursive: true });
  const path = join(home, '.dashscope', 'api_key');
  writeFileSync(path, content);
  return path;
}

function writeKeyFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('resolveApiKey: precedence', () => {
  it('the default key file lives under HOME', () => {
    expect(defaultKeyFile()).toBe(join(home, '.dashscope', 'api_key'));
  });

  it.each<[string, { flag?: string; env?: boolean; envFile?: boolean; defaultFile?: boolean }, string, string]>([
    ['flag over everything', { flag: 'sk-flag', env: true, envFile: true, defaultFile: true }, 'sk-flag', '--api-key'],
    ['env over the key files', { env: true, envFile: true, defaultFile: true }, 'sk-env', 'DASHSCOPE_API_KEY'],
    ['the file named by DASHSCOPE_API_KEY_FILE_PATH over the default file', { envFile: true, defaultFile: true }, 'sk-envfile', 'ENVFILE'],
    ['the default file last', { defaultFile: true }, 'sk-default', 'DEFAULTFILE'],
  ])('%s', (_name, setup, key, source) => {
    const env: NodeJS.ProcessEnv = {};
    if (setup.env) env[ENV.apiKey] = 'sk-env';
    let envFile = '';
    if (setup.envFile) {
      envFile = writeKeyFile('key.txt', 'sk-envfile\n');
      env[ENV.apiKeyFile] = envFile;
    }
    const defaultFile = setup.defaultFile ? writeDefaultKey('  sk-default \n') : '';
    const resolved = resolveApiKey(setup.flag, env);
    expect(resolved.key).toBe(key);
    expect(resolved.source).toBe(source === 'ENVFILE' ? envFile : source === 'DEFAULTFILE' ? defaultFile : source);
  });

  it('skips an empty or blank flag and env value', () => {
    writeDefaultKey('sk-default');
    expect(resolveApiKey('', { [ENV.apiKey]: '   ' }).key).toBe('sk-default');
    expect(resolveApiKey('   ', { [ENV.apiKey]: 'sk-env' }).key).toBe('sk-env');
  });

  it('trims surrounding whitespace (a trailing newline from echo > file)', () => {
    expect(resolveApiKey(' sk-flag\n', {}).key).toBe('sk-flag');
    expect(resolveApiKey(undefined, { [ENV.apiKey]: 'sk-env\r\n' }).key).toBe('sk-env');
    const file = writeKeyFile('k', '\n\tsk-file\r\n\n');
    expect(resolveApiKey(undefined, { [ENV.apiKeyFile]: file }).key).toBe('sk-file');
  });

  it('does not read process.env: only the env object passed in', () => {
    const saved = process.env[ENV.apiKey];
    process.env[ENV.apiKey] = 'sk-from-process-env';
    try {
      expect(() => resolveApiKey(undefined, {})).toThrow(AuthError);
    } finally {
      if (saved === undefined) delete process.env[ENV.apiKey];
      else process.env[ENV.apiKey] = saved;
    }
  });
});

describe('resolveApiKey: bad keys', () => {
  it.each([
    ['a space inside', 'sk-abc def'],
    ['a tab inside', 'sk-abc\tdef'],
    ['a newline inside', 'sk-abc\ndef'],
    ['a control character', 'sk-abc\u0001def'],
    ['DEL', 'sk-abc\u007fdef'],
  ])('%s → AuthError BAD_KEY that never shows the key', (_name, key) => {
    for (const [flag, env] of [
      [key, {}],
      [undefined, { [ENV.apiKey]: key }],
    ] as const) {
      const err = thrown(() => resolveApiKey(flag, { ...env }));
      expect(err).toBeInstanceOf(AuthError);
      expect(err).toMatchObject({ code: 'BAD_KEY', exitCode: ExitCode.Auth });
      expect((err as AuthError).message).not.toContain('abc');
      expect((err as AuthError).message).toContain(flag === undefined ? ENV.apiKey : '--api-key');
      expect((err as AuthError).hint).toBeTruthy();
    }
  });

  it('a key file with two lines is a bad key, naming the file', () => {
    const file = writeKeyFile('two-lines', 'sk-one\nsk-two\n');
    const err = thrown(() => resolveApiKey(undefined, { [ENV.apiKeyFile]: file }));
    expect(err).toMatchObject({ code: 'BAD_KEY' });
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).not.toContain('sk-one');
  });

  it('a key file path that is a folder is an AuthError naming it', () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const err = thrown(() => resolveApiKey(undefined, { [ENV.apiKeyFile]: folder }));
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain(folder);
  });
});

describe('resolveApiKey: no key', () => {
  it.each([
    ['nothing anywhere', {}, undefined],
    ['an empty default file', {}, ''],
    ['a whitespace-only default file', {}, ' \n\n'],
  ])('%s → AuthError NO_KEY listing every way to set a key', (_name, env, defaultFile) => {
    if (defaultFile !== undefined) writeDefaultKey(defaultFile);
    const err = thrown(() => resolveApiKey(undefined, env as NodeJS.ProcessEnv));
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toBeInstanceOf(CosyError);
    const e = err as AuthError;
    expect(e.code).toBe('NO_KEY');
    expect(e.exitCode).toBe(ExitCode.Auth);
    const text = `${e.message}\n${e.hint ?? ''}`;
    for (const way of ['DASHSCOPE_API_KEY', '.env', join(home, '.dashscope', 'api_key'), 'DASHSCOPE_API_KEY_FILE_PATH', '--emulator']) {
      expect(text).toContain(way);
    }
    // Keys are per region: the message says so.
    expect(text).toMatch(/region/);
  });
});

describe('loadDotEnvFile', () => {
  it('adds missing variables, never overrides existing ones, and prints nothing', () => {
    writeFileSync(
      join(dir, '.env'),
      ['# a comment', 'DASHSCOPE_API_KEY=sk-from-dotenv', 'COSY_TEST_ONLY_IN_DOTENV="quoted value"', 'COSY_REGION=intl', ''].join('\n'),
    );
    const env: NodeJS.ProcessEnv = { DASHSCOPE_API_KEY: 'sk-from-env', COSY_REGION: '' };
    const spies = [
      vi.spyOn(console, 'log'),
      vi.spyOn(console, 'info'),
      vi.spyOn(console, 'warn'),
      vi.spyOn(console, 'error'),
      vi.spyOn(console, 'debug'),
      vi.spyOn(process.stdout, 'write'),
      vi.spyOn(process.stderr, 'write'),
    ];
    try {
      loadDotEnvFile(dir, env);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(env['DASHSCOPE_API_KEY']).toBe('sk-from-env');
    // Set, even to the empty string, counts as set.
    expect(env['COSY_REGION']).toBe('');
    expect(env['COSY_TEST_ONLY_IN_DOTENV']).toBe('quoted value');
    // Only the env object passed in changes.
    expect(process.env['COSY_TEST_ONLY_IN_DOTENV']).toBeUndefined();
  });

  it('prints nothing even when DOTENV_CONFIG_DEBUG is set in the environment (stdout carries audio)', () => {
    writeFileSync(join(dir, '.env'), 'DASHSCOPE_API_KEY=sk-from-dotenv\nCOSY_X=1\n');
    const saved = process.env['DOTENV_CONFIG_DEBUG'];
    process.env['DOTENV_CONFIG_DEBUG'] = 'true';
    const spies = [vi.spyOn(console, 'log'), vi.spyOn(console, 'error'), vi.spyOn(process.stdout, 'write')];
    const env: NodeJS.ProcessEnv = { DASHSCOPE_API_KEY: 'sk-from-env' };
    try {
      loadDotEnvFile(dir, env);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
      if (saved === undefined) delete process.env['DOTENV_CONFIG_DEBUG'];
      else process.env['DOTENV_CONFIG_DEBUG'] = saved;
    }
    expect(env['DASHSCOPE_API_KEY']).toBe('sk-from-env');
  });

  it('does nothing without a .env file', () => {
    const env: NodeJS.ProcessEnv = { A: '1' };
    loadDotEnvFile(dir, env);
    expect(env).toEqual({ A: '1' });
  });

  it('feeds resolveApiKey: a key only in .env is found through the env object', () => {
    writeFileSync(join(dir, '.env'), 'DASHSCOPE_API_KEY=sk-dotenv-only\n');
    const env: NodeJS.ProcessEnv = {};
    loadDotEnvFile(dir, env);
    expect(resolveApiKey(undefined, env)).toEqual({ key: 'sk-dotenv-only', source: 'DASHSCOPE_API_KEY' });
  });
});

describe('resolveEndpoints', () => {
  const defaults = (region: 'cn' | 'intl'): { region: string; websocketUrl: string; httpUrl: string } => ({
    region,
    websocketUrl: REGION_ENDPOINTS[region].websocket,
    httpUrl: REGION_ENDPOINTS[region].http,
  });

  it.each<[string, Parameters<typeof resolveEndpoints>[0], NodeJS.ProcessEnv, { region: string; websocketUrl: string; httpUrl: string }]>([
    ['the Beijing defaults', {}, {}, defaults('cn')],
    ['--region intl', { region: 'intl' }, {}, defaults('intl')],
    ['COSY_REGION=intl', {}, { COSY_REGION: 'intl' }, defaults('intl')],
    ['--region over COSY_REGION', { region: 'cn' }, { COSY_REGION: 'intl' }, defaults('cn')],
    [
      'the SDK environment variables',
      {},
      { DASHSCOPE_WEBSOCKET_BASE_URL: 'wss://ws.example.com/api-ws/v1/inference', DASHSCOPE_HTTP_BASE_URL: 'https://api.example.com/api/v1' },
      { region: 'cn', websocketUrl: 'wss://ws.example.com/api-ws/v1/inference', httpUrl: 'https://api.example.com/api/v1' },
    ],
    [
      'flags over the environment variables',
      { endpoint: 'wss://flag.example.com/ws', httpEndpoint: 'https://flag.example.com/api/v1' },
      { DASHSCOPE_WEBSOCKET_BASE_URL: 'wss://env.example.com/ws', DASHSCOPE_HTTP_BASE_URL: 'https://env.example.com/api/v1' },
      { region: 'cn', websocketUrl: 'wss://flag.example.com/ws', httpUrl: 'https://flag.example.com/api/v1' },
    ],
    [
      'an endpoint with the region default for the other',
      { region: 'intl', endpoint: 'wss://flag.example.com/ws' },
      {},
      { region: 'intl', websocketUrl: 'wss://flag.example.com/ws', httpUrl: REGION_ENDPOINTS.intl.http },
    ],
    ['empty environment variables fall back to the defaults', {}, { DASHSCOPE_WEBSOCKET_BASE_URL: '', DASHSCOPE_HTTP_BASE_URL: '' }, defaults('cn')],
    [
      'trailing slashes of the HTTP base are dropped',
      { httpEndpoint: 'https://api.example.com/api/v1//' },
      {},
      { region: 'cn', websocketUrl: REGION_ENDPOINTS.cn.websocket, httpUrl: 'https://api.example.com/api/v1' },
    ],
  ])('%s', (_name, flags, env, expected) => {
    expect(resolveEndpoints(flags, env)).toEqual(expected);
  });

  it('the built-in endpoints are the documented DashScope ones', () => {
    expect(REGION_ENDPOINTS.cn.websocket).toBe('wss://dashscope.aliyuncs.com/api-ws/v1/inference');
    expect(REGION_ENDPOINTS.intl.websocket).toBe('wss://dashscope-intl.aliyuncs.com/api-ws/v1/inference');
  });

  it.each([
    'ws://localhost:8080/api-ws/v1/inference',
    'ws://LOCALHOST:8080/x',
    'ws://127.0.0.1:8080/api-ws/v1/inference',
    'ws://127.1.2.3:9/x',
    'ws://[::1]:8080/api-ws/v1/inference',
    'ws://emulator.localhost:8080/x',
  ])('allows plain ws:// to the loopback host of %s', (url) => {
    expect(resolveEndpoints({ endpoint: url }, {}).websocketUrl).toBe(url);
    expect(resolveEndpoints({}, { DASHSCOPE_WEBSOCKET_BASE_URL: url }).websocketUrl).toBe(url);
  });

  it.each(['http://localhost:8080/api/v1', 'http://127.0.0.1:1/api/v1', 'http://[::1]:8080/api/v1'])(
    'allows plain http:// to the loopback host of %s',
    (url) => {
      expect(resolveEndpoints({ httpEndpoint: url }, {}).httpUrl).toBe(url);
    },
  );

  it.each<[string, EndpointFlags, RegExp]>([
    ['a remote host over ws://', { endpoint: 'ws://dashscope.aliyuncs.com/api-ws/v1/inference' }, /wss:\/\//],
    ['a private address over ws://', { endpoint: 'ws://10.0.0.5/x' }, /wss:\/\//],
    ['a name that only starts with localhost', { endpoint: 'ws://localhost.example.com/x' }, /wss:\/\//],
    ['a name that only starts with 127.', { endpoint: 'ws://127.0.0.1.example.com/x' }, /wss:\/\//],
    ['a remote host over http://', { httpEndpoint: 'http://api.example.com/api/v1' }, /https:\/\//],
    ['https:// as the WebSocket endpoint', { endpoint: 'https://dashscope.aliyuncs.com/x' }, /wss:\/\//],
    ['wss:// as the HTTP endpoint', { httpEndpoint: 'wss://dashscope.aliyuncs.com/api/v1' }, /https:\/\//],
    ['ftp://', { endpoint: 'ftp://example.com/x' }, /wss:\/\//],
    ['credentials in a wss:// URL', { endpoint: 'wss://user:secret@example.com/x' }, /credentials/],
    ['a user name in a loopback ws:// URL', { endpoint: 'ws://user@localhost:1/x' }, /credentials/],
    ['credentials in an https:// URL', { httpEndpoint: 'https://user:secret@example.com/api/v1' }, /credentials/],
    ['something that is not a URL', { endpoint: 'dashscope.aliyuncs.com' }, /not a URL/],
    ['an unknown region', { region: 'us' }, /region us.*cn.*intl/],
    ['a region in the wrong case', { region: 'CN' }, /region CN/],
  ])('refuses %s with a UsageError', (_name, flags, message) => {
    const err = thrown(() => resolveEndpoints(flags, {}));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(ExitCode.Usage);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('secret');
    // The message names where the value came from.
    if (flags.endpoint !== undefined) expect((err as Error).message).toContain('--endpoint');
    if (flags.httpEndpoint !== undefined) expect((err as Error).message).toContain('--http-endpoint');
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(() => resolveEndpoints({}, { DASHSCOPE_WEBSOCKET_BASE_URL: 'ws://example.com/x' })).toThrow(/DASHSCOPE_WEBSOCKET_BASE_URL/);
    expect(() => resolveEndpoints({}, { DASHSCOPE_HTTP_BASE_URL: 'http://example.com/x' })).toThrow(/DASHSCOPE_HTTP_BASE_URL/);
    expect(() => resolveEndpoints({}, { COSY_REGION: 'eu' })).toThrow(UsageError);
  });

  it('explains why plain connections are refused', () => {
    const err = thrown(() => resolveEndpoints({ endpoint: 'ws://example.com/x' }, {})) as UsageError;
    expect(err.hint).toMatch(/unencrypted/);
  });
});

describe('isLoopbackHost', () => {
  it.each<[string, boolean]>([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['[::1]', true],
    ['::1', true],
    ['a.localhost', true],
    ['localhost.com', false],
    ['128.0.0.1', false],
    ['0.0.0.0', false],
    ['example.com', false],
    ['[::2]', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('resolveApiKey with a named key file that does not exist', () => {
  it('says which file is missing instead of falling back to other places', () => {
    let err: unknown;
    try {
      resolveApiKey(undefined, { [ENV.apiKeyFile]: '/nonexistent/cosy/key' } as NodeJS.ProcessEnv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).message).toBe('the API key file /nonexistent/cosy/key does not exist');
    expect((err as AuthError).hint).toContain('cosy config set-key');
  });
});
