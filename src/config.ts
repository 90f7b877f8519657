/**
 * Resolves credentials and endpoints. Precedence: command-line flag > environment > `.env` in the working
 * directory (loaded quietly, never overriding the environment) > key file > built-in default.
 * The environment variables are the ones the official SDKs read, so an existing set-up works unchanged.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { AuthError, UsageError } from './errors.js';
import type { Region } from './protocol/models.js';
import { Config, userKeyFilePath } from './config-file.js';
import { checkEndpoint } from './endpoint.js';

/** Built-in endpoints per region (protocol.md §1). */
export const REGION_ENDPOINTS: Record<Region, { websocket: string; http: string }> = {
  cn: { websocket: 'wss://dashscope.aliyuncs.com/api-ws/v1/inference', http: 'https://dashscope.aliyuncs.com/api/v1' },
  intl: {
    websocket: 'wss://dashscope-intl.aliyuncs.com/api-ws/v1/inference',
    http: 'https://dashscope-intl.aliyuncs.com/api/v1',
  },
};

/** Environment variables cosy reads. */
export const ENV = {
  apiKey: 'DASHSCOPE_API_KEY',
  apiKeyFile: 'DASHSCOPE_API_KEY_FILE_PATH',
  websocketUrl: 'DASHSCOPE_WEBSOCKET_BASE_URL',
  httpUrl: 'DASHSCOPE_HTTP_BASE_URL',
  workspace: 'DASHSCOPE_WORKSPACE_ID',
  region: 'COSY_REGION',
} as const;

/** The key file the Python SDK reads by default. */
export function defaultKeyFile(): string {
  return join(homedir(), '.dashscope', 'api_key');
}

/** Loads `.env` from `cwd` into `env` without overriding what is set and without printing anything. */
export function loadDotEnvFile(cwd: string, env: NodeJS.ProcessEnv): void {
  const path = join(cwd, '.env');
  if (!existsSync(path)) return;
  // debug: false as well, or DOTENV_CONFIG_DEBUG in the environment would make dotenv print to stdout.
  loadDotenv({ path, quiet: true, debug: false, override: false, processEnv: env as Record<string, string> });
}

/**
 * The configuration of one invocation: `./.env` first (its variables join `env`, ranking with the environment and
 * below it), then the user and project files with the profile.
 * @throws UsageError for an invalid file or an unknown profile.
 */
export function loadConfiguration(cwd: string, env: NodeJS.ProcessEnv, profile: string | undefined): Config {
  loadDotEnvFile(cwd, env);
  return Config.load(cwd, env, profile);
}

/** A resolved API key and where it came from (never the key itself in messages). */
export interface ApiKey {
  key: string;
  source: string;
  /** The key file it was read from, when it came from a file. */
  file?: string;
}

/**
 * Finds the API key.
 * @throws AuthError explaining every way to set one when none is found, or when the key is malformed.
 */
export function resolveApiKey(flag: string | undefined, env: NodeJS.ProcessEnv, config?: Config): ApiKey {
  const candidates: Array<[string | undefined, string]> = [
    [flag, '--api-key'],
    [env[ENV.apiKey], ENV.apiKey],
  ];
  for (const [value, source] of candidates) {
    if (value !== undefined && value.trim() !== '') return checkKey(value.trim(), source);
  }
  // An explicitly named key file must exist; the default locations are tried in turn.
  const named = config?.string('api-key-file') ?? (env[ENV.apiKeyFile] || undefined);
  if (named !== undefined && !existsSync(named)) {
    throw new AuthError(`the API key file ${named} does not exist`, {
      code: 'NO_KEY',
      hint: `fix ${ENV.apiKeyFile} or the api-key-file setting (cosy config list), or save a key with: cosy config set-key`,
    });
  }
  const files = named !== undefined ? [named] : [userKeyFilePath(env), defaultKeyFile()];
  for (const file of files) {
    const found = readKeyFile(file);
    if (found) return found;
  }
  throw noKeyError();
}

function readKeyFile(file: string): ApiKey | undefined {
  if (existsSync(file)) {
    let content: string;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      content = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new AuthError(`cannot read the API key file ${file}: ${(err as Error).message}`, { code: 'NO_KEY' });
    }
    if (content !== '') return { ...checkKey(content, file), file };
  }
  return undefined;
}

function noKeyError(): AuthError {
  return new AuthError('no API key: cosy needs a DashScope (Model Studio) API key', {
    code: 'NO_KEY',
    hint:
      `set ${ENV.apiKey}=sk-… in the environment or in a .env file in this folder, or put the key in ${defaultKeyFile()} ` +
      `(or the file named by ${ENV.apiKeyFile}). Keys are per region: Beijing keys for --region cn, Singapore keys for --region intl. ` +
      'You can also save one with `cosy config set-key`. To try cosy without a key, add --emulator',
  });
}

function checkKey(key: string, source: string): ApiKey {
  if (/[\s\u0000-\u001f\u007f]/.test(key)) {
    throw new AuthError(`the API key from ${source} contains whitespace or control characters`, {
      code: 'BAD_KEY',
      hint: 'copy the key again from the Model Studio console; it looks like sk-…',
    });
  }
  return { key, source };
}

/** Resolved endpoints. */
export interface Endpoints {
  region: Region;
  websocketUrl: string;
  httpUrl: string;
}

/** Endpoint choices as given on the command line. */
export interface EndpointFlags {
  region?: string | undefined;
  endpoint?: string | undefined;
  httpEndpoint?: string | undefined;
}

function checkRegion(choice: { value: string; source: string } | undefined): Region {
  const region = choice?.value ?? 'cn';
  if (region !== 'cn' && region !== 'intl') {
    throw new UsageError(`region ${region} (from ${choice?.source ?? '--region'}) is not a region; use cn (Beijing) or intl (Singapore)`);
  }
  return region;
}

/** The region: --region, else the configuration (environment included), else cn. */
export function resolveRegion(flag: string | undefined, config: Config): Region {
  if (flag !== undefined) return checkRegion({ value: flag, source: '--region' });
  const v = config.get('region');
  return checkRegion(v ? { value: String(v.value), source: v.origin } : undefined);
}

/** Resolves the endpoints: flags, then the SDK environment variables (and, with `config`, the project and user
 * configuration files, which rank below the environment), then the region's defaults. */
export function resolveEndpoints(flags: EndpointFlags, env: NodeJS.ProcessEnv, config?: Config): Endpoints {
  const pick = (flag: string | undefined, flagName: string, key: string, envName: string): { value: string; source: string } | undefined => {
    if (flag !== undefined) return { value: flag, source: flagName };
    if (config) {
      const v = config.get(key);
      return v ? { value: String(v.value), source: v.origin } : undefined;
    }
    const e = env[envName];
    return e ? { value: e, source: envName } : undefined;
  };
  const region = checkRegion(pick(flags.region, '--region', 'region', ENV.region));
  const ws = pick(flags.endpoint, '--endpoint', 'endpoint', ENV.websocketUrl);
  const http = pick(flags.httpEndpoint, '--http-endpoint', 'http-endpoint', ENV.httpUrl);
  return {
    region,
    websocketUrl: ws ? checkEndpoint(ws.value, 'websocket', ws.source) : REGION_ENDPOINTS[region].websocket,
    httpUrl: http ? checkEndpoint(http.value, 'http', http.source) : REGION_ENDPOINTS[region].http,
  };
}
