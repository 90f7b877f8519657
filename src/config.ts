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

/** A resolved API key and where it came from (never the key itself in messages). */
export interface ApiKey {
  key: string;
  source: string;
}

/**
 * Finds the API key.
 * @throws AuthError explaining every way to set one when none is found, or when the key is malformed.
 */
export function resolveApiKey(flag: string | undefined, env: NodeJS.ProcessEnv): ApiKey {
  const candidates: Array<[string | undefined, string]> = [
    [flag, '--api-key'],
    [env[ENV.apiKey], ENV.apiKey],
  ];
  for (const [value, source] of candidates) {
    if (value !== undefined && value.trim() !== '') return checkKey(value.trim(), source);
  }
  const file = env[ENV.apiKeyFile] || defaultKeyFile();
  if (existsSync(file)) {
    let content: string;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      content = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new AuthError(`cannot read the API key file ${file}: ${(err as Error).message}`, { code: 'NO_KEY' });
    }
    if (content !== '') return checkKey(content, file);
  }
  throw new AuthError('no API key: cosy needs a DashScope (Model Studio) API key', {
    code: 'NO_KEY',
    hint:
      `set ${ENV.apiKey}=sk-… in the environment or in a .env file in this folder, or put the key in ${defaultKeyFile()} ` +
      `(or the file named by ${ENV.apiKeyFile}). Keys are per region: Beijing keys for --region cn, Singapore keys for --region intl. ` +
      'To try cosy without a key, add --emulator',
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

/** Whether a hostname is the local machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h.endsWith('.localhost');
}

/**
 * Checks an endpoint URL: the secure scheme anywhere, the plain one only for loopback hosts.
 * @throws UsageError naming the option and the rule.
 */
export function checkEndpoint(url: string, kind: 'websocket' | 'http', source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${source}: ${JSON.stringify(url)} is not a URL`);
  }
  const [secure, plain] = kind === 'websocket' ? ['wss:', 'ws:'] : ['https:', 'http:'];
  if (parsed.protocol === plain) {
    if (!isLoopbackHost(parsed.hostname)) {
      throw new UsageError(`${source}: ${plain}// is allowed only for this machine (loopback); use ${secure}// for ${parsed.hostname}`, {
        hint: 'plain connections would send the API key unencrypted',
      });
    }
  } else if (parsed.protocol !== secure) {
    throw new UsageError(`${source}: expected a ${secure}// URL, got ${parsed.protocol}//`);
  }
  if (parsed.username || parsed.password) throw new UsageError(`${source}: credentials in the URL are not allowed`);
  return kind === 'http' ? url.replace(/\/+$/, '') : url;
}

/** Endpoint choices as given on the command line. */
export interface EndpointFlags {
  region?: string | undefined;
  endpoint?: string | undefined;
  httpEndpoint?: string | undefined;
}

/** Resolves the endpoints: flags, then the SDK environment variables, then the region's defaults. */
export function resolveEndpoints(flags: EndpointFlags, env: NodeJS.ProcessEnv): Endpoints {
  const regionRaw = flags.region ?? env[ENV.region] ?? 'cn';
  if (regionRaw !== 'cn' && regionRaw !== 'intl') {
    throw new UsageError(`--region ${regionRaw} is not a region; use cn (Beijing) or intl (Singapore)`);
  }
  const region: Region = regionRaw;
  const ws = flags.endpoint
    ? checkEndpoint(flags.endpoint, 'websocket', '--endpoint')
    : env[ENV.websocketUrl]
      ? checkEndpoint(env[ENV.websocketUrl] ?? '', 'websocket', ENV.websocketUrl)
      : REGION_ENDPOINTS[region].websocket;
  const http = flags.httpEndpoint
    ? checkEndpoint(flags.httpEndpoint, 'http', '--http-endpoint')
    : env[ENV.httpUrl]
      ? checkEndpoint(env[ENV.httpUrl] ?? '', 'http', ENV.httpUrl)
      : REGION_ENDPOINTS[region].http;
  return { region, websocketUrl: ws, httpUrl: http };
}
