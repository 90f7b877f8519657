/**
 * cosy's configuration files: a user file in the XDG config folder and an optional project file (`.cosy.json` in
 * the working directory or a parent), each with top-level settings and named profiles. Precedence, highest first:
 * command-line flag > environment > project file (active profile, then top level) > user file (active profile, then
 * top level) > built-in default. The API key is never stored here: `cosy config set-key` writes a key file (0600).
 */
import { own } from './own.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { checkEndpoint } from './endpoint.js';
import { UsageError } from './errors.js';
import { AUDIO_FORMATS, SAMPLE_RATES } from './protocol/limits.js';
import { DEFAULT_MODEL } from './protocol/models.js';

/** A setting cosy reads from configuration: its environment variable and how to check a value. */
export interface ConfigKey {
  env: string;
  description: string;
  /** Returns the value to store, or throws UsageError. */
  parse: (value: string) => string | number;
  /** A path: relative in a file, it is relative to that file's folder. */
  path?: true;
}

const oneOf = (name: string, allowed: readonly string[]) => (value: string): string => {
  if (!allowed.includes(value)) throw new UsageError(`${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  return value;
};
/** An endpoint, by the rule it is used with (a plain ws:// or http:// one only to this machine). */
const endpoint = (name: string, kind: 'websocket' | 'http') => (value: string): string => checkEndpoint(value, kind, name);
const text = (name: string) => (value: string): string => {
  if (value.trim() === '' || /[\u0000-\u001f]/.test(value)) throw new UsageError(`${name} must be non-empty text without control characters`);
  return value;
};
/** An identifier that appears in host names and headers (a workspace id): nothing blank in it. */
const identifier = (name: string) => (value: string): string => {
  if (value === '' || /[\s\u0000-\u001f\u007f]/.test(value)) throw new UsageError(`${name} must be non-empty, without spaces (got ${JSON.stringify(value)})`);
  return value;
};
const integer = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive whole number (got ${JSON.stringify(value)})`);
  return n;
};

/** A sample rate the service offers for some format (each format's own list is checked when it is used). */
const sampleRate = (value: string): number => {
  const n = integer('sample-rate')(value);
  if (!(SAMPLE_RATES as readonly number[]).includes(n)) {
    throw new UsageError(`sample-rate must be one of ${SAMPLE_RATES.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return n;
};

/** Every setting the configuration may hold. */
export const CONFIG_KEYS: Readonly<Record<string, ConfigKey>> = {
  region: { env: 'COSY_REGION', description: 'service region: cn (Beijing) or intl (Singapore)', parse: oneOf('region', ['cn', 'intl']) },
  endpoint: { env: 'DASHSCOPE_WEBSOCKET_BASE_URL', description: 'WebSocket endpoint URL', parse: endpoint('endpoint', 'websocket') },
  'http-endpoint': { env: 'DASHSCOPE_HTTP_BASE_URL', description: 'HTTP API base URL', parse: endpoint('http-endpoint', 'http') },
  workspace: { env: 'DASHSCOPE_WORKSPACE_ID', description: 'Model Studio workspace id', parse: identifier('workspace') },
  model: { env: 'COSY_MODEL', description: 'default synthesis model', parse: text('model') },
  voice: { env: 'COSY_VOICE', description: 'default voice', parse: text('voice') },
  format: { env: 'COSY_FORMAT', description: 'default audio format for stdout and players', parse: oneOf('format', AUDIO_FORMATS) },
  'sample-rate': { env: 'COSY_SAMPLE_RATE', description: 'default sample rate in Hz', parse: sampleRate },
  'api-key-file': { env: 'DASHSCOPE_API_KEY_FILE_PATH', description: 'file holding the API key', parse: text('api-key-file'), path: true },
};

/** The keys, for help and errors. */
export const CONFIG_KEY_NAMES: readonly string[] = Object.keys(CONFIG_KEYS);

/**
 * The setting named `key` (own keys only: "constructor" or "__proto__" are not settings).
 * @throws UsageError listing the settings; `where` names the file the name was read from.
 */
export function configKey(key: string, where?: string): ConfigKey {
  const spec = own(CONFIG_KEYS, key);
  if (spec !== undefined) return spec;
  throw new UsageError(`${where === undefined ? '' : `${where}: `}unknown setting "${key}"; known: ${CONFIG_KEY_NAMES.join(', ')}`, {
    hint: key === 'api-key' || key === 'key' ? 'the key is not stored in the configuration: use `cosy config set-key`' : undefined,
  });
}

/** An empty record without a prototype, so that names such as "constructor" are only what the file says. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A document with nothing in it (a file that does not exist). */
function emptyDocument(): ConfigDocument {
  return { settings: emptyRecord(), profiles: emptyRecord() };
}

/** A configuration file's content: settings at the top level, and named profiles of settings. */
export interface ConfigDocument {
  settings: Record<string, string | number>;
  profiles: Record<string, Record<string, string | number>>;
}

/** Where a value came from. */
export type ConfigSource = 'env' | 'project' | 'user' | 'default';

/** A resolved setting. */
export interface ConfigValue {
  value: string | number;
  source: ConfigSource;
  /** The file or variable it came from. */
  origin: string;
}

/** The user configuration file: $XDG_CONFIG_HOME/cosy/config.json, else ~/.config/cosy/config.json. */
export function userConfigPath(env: NodeJS.ProcessEnv): string {
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(base, 'cosy', 'config.json');
}

/** The key file `cosy config set-key` writes, next to the user configuration. */
export function userKeyFilePath(env: NodeJS.ProcessEnv): string {
  return join(dirname(userConfigPath(env)), 'api_key');
}

/** The name of a project configuration file. */
export const PROJECT_CONFIG_NAME = '.cosy.json';

/** The nearest `.cosy.json` in `cwd` or a parent folder, if any. */
export function findProjectConfig(cwd: string): string | undefined {
  let dir = cwd;
  const root = parse(dir).root;
  for (;;) {
    const candidate = join(dir, PROJECT_CONFIG_NAME);
    if (existsSync(candidate)) return candidate;
    if (dir === root) return undefined;
    dir = dirname(dir);
  }
}

/**
 * Reads and checks a configuration file; a missing file is an empty document.
 * @throws UsageError naming the file for invalid JSON, unknown keys or invalid values.
 */
export function readConfigFile(path: string): ConfigDocument {
  if (!existsSync(path)) return emptyDocument();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`, { hint: 'fix or delete the file; `cosy config list` shows what cosy reads' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${path} must hold a JSON object`);
  const doc = emptyDocument();
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (key === 'profiles') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${path}: "profiles" must be an object of profiles`);
      for (const [name, profile] of Object.entries(value as Record<string, unknown>)) {
        if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) throw new UsageError(`${path}: profile "${name}" must be an object`);
        doc.profiles[name] = checkSettings(profile as Record<string, unknown>, `${path}: profile "${name}"`);
      }
      continue;
    }
    Object.assign(doc.settings, checkSettings({ [key]: value }, path));
  }
  return doc;
}

function checkSettings(values: Record<string, unknown>, where: string): Record<string, string | number> {
  const out = emptyRecord<string | number>();
  for (const [key, value] of Object.entries(values)) {
    const spec = configKey(key, where);
    if (typeof value !== 'string' && typeof value !== 'number') throw new UsageError(`${where}: "${key}" must be a string or number`);
    try {
      out[key] = spec.parse(String(value));
    } catch (err) {
      throw new UsageError(`${where}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** The layered configuration of one invocation. */
export class Config {
  readonly userPath: string;
  readonly projectPath: string | undefined;
  readonly profile: string | undefined;
  readonly #env: NodeJS.ProcessEnv;
  readonly #user: ConfigDocument;
  readonly #project: ConfigDocument;

  private constructor(env: NodeJS.ProcessEnv, userPath: string, projectPath: string | undefined, profile: string | undefined) {
    this.#env = env;
    this.userPath = userPath;
    this.projectPath = projectPath;
    this.profile = profile;
    this.#user = readConfigFile(userPath);
    this.#project = projectPath ? readConfigFile(projectPath) : emptyDocument();
    if (profile !== undefined && !(profile in this.#user.profiles) && !(profile in this.#project.profiles)) {
      const known = [...new Set([...Object.keys(this.#user.profiles), ...Object.keys(this.#project.profiles)])];
      throw new UsageError(`no profile named "${profile}"${known.length ? `; known profiles: ${known.join(', ')}` : ''}`, {
        hint: `create it with: cosy config set --profile ${profile} region intl`,
      });
    }
  }

  /**
   * Loads the user and project files for `cwd`; `profile` comes from --profile or COSY_PROFILE.
   * @throws UsageError for an invalid file or an unknown profile.
   */
  static load(cwd: string, env: NodeJS.ProcessEnv, profile?: string): Config {
    return new Config(env, userConfigPath(env), findProjectConfig(cwd), profile ?? (env['COSY_PROFILE'] || undefined));
  }

  /** A setting with its source, or undefined when nothing sets it (flags are applied by the caller, above this). */
  get(key: string): ConfigValue | undefined {
    const spec = configKey(key);
    const fromEnv = this.#env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: spec.parse(fromEnv), source: 'env', origin: spec.env };
    const layers: Array<[ConfigDocument, ConfigSource, string | undefined]> = [
      [this.#project, 'project', this.projectPath],
      [this.#user, 'user', this.userPath],
    ];
    for (const [doc, source, path] of layers) {
      const inFile = (value: string | number): string | number =>
        spec.path && path !== undefined ? resolve(dirname(path), String(value)) : value;
      const profileValue = this.profile !== undefined ? doc.profiles[this.profile]?.[key] : undefined;
      if (profileValue !== undefined) return { value: inFile(profileValue), source, origin: `${path} (profile ${this.profile})` };
      const value = doc.settings[key];
      if (value !== undefined) return { value: inFile(value), source, origin: path ?? '' };
    }
    return undefined;
  }

  /** What the user file alone says of a setting (its profile, then its top level), whatever ranks above it. */
  userValue(key: string): string | number | undefined {
    const fromProfile = this.profile !== undefined ? this.#user.profiles[this.profile]?.[key] : undefined;
    return fromProfile ?? this.#user.settings[key];
  }

  /** A string setting's value, or undefined. */
  string(key: string): string | undefined {
    const v = this.get(key)?.value;
    return v === undefined ? undefined : String(v);
  }
}

/**
 * Model, voice and sample rate for synthesis: the flags first, then the configuration, then the built-in default
 * model. A configured voice applies only with a model that has it — whichever layer (flag, environment, project or
 * user file) chose the model — so `COSY_MODEL=cosyvoice-v2` with a v3 voice in the user file falls back to v2's
 * default voice instead of failing. `modelsOfVoice` tells which models a voice id belongs to (empty: unknown, and
 * then the voice applies only with the configured model, as written).
 */
export function synthesisDefaults(
  config: Config,
  flags: { model?: string | undefined; voice?: string | undefined; sampleRate?: number | undefined },
  modelsOfVoice: (voice: string) => readonly string[],
): { model: string; voice: string | undefined; sampleRate: number | undefined } {
  const configuredModel = config.string('model');
  const model = flags.model ?? configuredModel ?? DEFAULT_MODEL;
  const voice = config.string('voice');
  const models = voice === undefined ? [] : modelsOfVoice(voice);
  const voiceFits = models.length > 0 ? models.includes(model) : model === (configuredModel ?? DEFAULT_MODEL);
  const configuredRate = config.get('sample-rate');
  return {
    model,
    voice: flags.voice ?? (voiceFits ? voice : undefined),
    sampleRate: flags.sampleRate ?? (configuredRate ? Number(configuredRate.value) : undefined),
  };
}

/** Serialises a document with a stable key order. */
export function formatConfigDocument(doc: ConfigDocument): string {
  const out: Record<string, unknown> = { ...doc.settings };
  if (Object.keys(doc.profiles).length > 0) out['profiles'] = doc.profiles;
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Whether a file is readable by group or others (a key file should not be). */
export function isGroupOrWorldReadable(path: string): boolean {
  try {
    return (statSync(path).mode & 0o044) !== 0;
  } catch {
    return false;
  }
}
