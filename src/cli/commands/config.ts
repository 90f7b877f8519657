/**
 * `cosy config`: read and change the user or project configuration, and store the API key in a private key file.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Config, CONFIG_KEY_NAMES, type ConfigValue, PROJECT_CONFIG_NAME, configKey, emptyRecord, formatConfigDocument, readConfigFile, userConfigPath, userKeyFilePath } from '../../config-file.js';
import { loadConfiguration } from '../../config.js';
import { UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../temp-files.js';
import type { CommandContext } from '../context.js';
import { Output } from '../output.js';
import { registerSecret } from '../../secrets.js';
import { readStream } from '../read-input.js';

/** Options shared by the config subcommands. */
export interface ConfigOptions {
  project?: boolean;
  profile?: string;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
}

function outputFor(o: ConfigOptions, context: CommandContext): Output {
  return Output.from(o, context);
}

/** The file a change goes to: the project file (`--project`, created in the working directory if absent) or the user file. */
function targetFile(o: ConfigOptions, context: CommandContext): string {
  if (!o.project) return userConfigPath(context.env);
  return Config.load(context.cwd, context.env).projectPath ?? join(context.cwd, PROJECT_CONFIG_NAME);
}

/**
 * The configuration in effect here, as the other commands see it: ./.env's variables rank with the environment
 * (without overriding it).
 */
function effectiveConfig(o: ConfigOptions, context: CommandContext): { config: Config; get: (key: string) => ConfigValue | undefined } {
  const config = loadConfiguration(context.cwd, { ...context.env }, o.profile);
  const get = (key: string): ConfigValue | undefined => {
    const v = config.get(key);
    // A variable that only ./.env sets is named with its file.
    if (v?.source === 'env' && context.env[v.origin] === undefined) return { ...v, origin: `${join(context.cwd, '.env')}: ${v.origin}` };
    return v;
  };
  return { config, get };
}

/** `cosy config list`: every setting that is set, with where it comes from. */
export async function runConfigList(o: ConfigOptions, context: CommandContext): Promise<void> {
  const output = outputFor(o, context);
  const { config, get } = effectiveConfig(o, context);
  const rows = CONFIG_KEY_NAMES.flatMap((key): Array<[string, ConfigValue]> => {
    const v = get(key);
    return v ? [[key, v]] : [];
  });
  if (o.json) {
    output.result({
      ok: true,
      user_file: config.userPath,
      project_file: config.projectPath ?? null,
      profile: config.profile ?? null,
      settings: Object.fromEntries(rows.map(([k, v]) => [k, { value: v.value, source: v.source, origin: v.origin }])),
    });
    return;
  }
  for (const [key, v] of rows) output.resultLine(`${key}=${v.value}\t# ${v.source}: ${v.origin}`);
  if (rows.length === 0) output.info(`nothing set (user file: ${config.userPath}; project file: ${config.projectPath ?? `none (${PROJECT_CONFIG_NAME})`})`);
}

/** `cosy config get KEY`: the value alone on stdout. */
export async function runConfigGet(key: string, o: ConfigOptions, context: CommandContext): Promise<void> {
  const output = outputFor(o, context);
  const v = effectiveConfig(o, context).get(key);
  if (!v) throw new UsageError(`${key} is not set`, { code: 'NOT_SET', hint: `set it with: cosy config set ${key} VALUE` });
  if (o.json) output.result({ ok: true, key, value: v.value, source: v.source, origin: v.origin });
  else output.resultLine(String(v.value));
}

/** `cosy config set KEY VALUE`. */
export async function runConfigSet(key: string, value: string, o: ConfigOptions, context: CommandContext): Promise<void> {
  const spec = configKey(key);
  const path = targetFile(o, context);
  const doc = readConfigFile(path);
  let parsed = spec.parse(value);
  // A path is typed relative to where the user is; in a file it is read relative to the file's folder. A project
  // file keeps it relative (the project may move), the user file gets it absolute.
  if (spec.path) {
    const absolute = resolve(context.cwd, String(parsed));
    parsed = o.project ? relative(dirname(path), absolute) || '.' : absolute;
  }
  if (o.profile !== undefined) (doc.profiles[o.profile] ??= emptyRecord())[key] = parsed;
  else doc.settings[key] = parsed;
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, formatConfigDocument(doc));
  const output = outputFor(o, context);
  output.info(`${key}=${parsed}${o.profile ? ` (profile ${o.profile})` : ''} in ${path}`);
  if (o.json) output.result({ ok: true, key, value: parsed, profile: o.profile ?? null, file: path });
}

/** `cosy config unset KEY`. */
export async function runConfigUnset(key: string, o: ConfigOptions, context: CommandContext): Promise<void> {
  configKey(key); // refuses a name that is not a setting
  const path = targetFile(o, context);
  const doc = readConfigFile(path);
  const holder = o.profile !== undefined ? doc.profiles[o.profile] : doc.settings;
  const output = outputFor(o, context);
  if (!holder || !(key in holder)) {
    output.info(`${key} was not set in ${path}${o.profile ? ` (profile ${o.profile})` : ''}`);
    if (o.json) output.result({ ok: true, key, removed: false, profile: o.profile ?? null, file: path });
    return;
  }
  delete holder[key];
  if (o.profile !== undefined && Object.keys(holder).length === 0) delete doc.profiles[o.profile];
  await writeFileAtomic(path, formatConfigDocument(doc));
  output.info(`removed ${key} from ${path}`);
  if (o.json) output.result({ ok: true, key, removed: true, profile: o.profile ?? null, file: path });
}

/** `cosy config path`: the files cosy reads. */
export async function runConfigPath(o: ConfigOptions, context: CommandContext): Promise<void> {
  const config = Config.load(context.cwd, context.env);
  const output = outputFor(o, context);
  if (o.json) output.result({ ok: true, user_file: config.userPath, project_file: config.projectPath ?? null, key_file: userKeyFilePath(context.env) });
  else {
    output.resultLine(`user: ${config.userPath}`);
    output.resultLine(`project: ${config.projectPath ?? `(none; ${PROJECT_CONFIG_NAME} in this folder or a parent)`}`);
    output.resultLine(`key: ${userKeyFilePath(context.env)}`);
  }
}

/**
 * `cosy config set-key`: reads the key from stdin (never from the command line), checks its shape and writes it to
 * the user key file with 0600 permissions. On a terminal the key is read without echo.
 */
export async function runConfigSetKey(o: ConfigOptions, context: CommandContext): Promise<void> {
  const output = outputFor(o, context);
  const key = (context.stdin.isTTY ? await readHidden('API key: ', context) : (await readStream(context.stdin)).toString('utf8')).trim();
  if (key === '') throw new UsageError('no key given on stdin', { hint: 'paste the key at the prompt, or: printf %s "$KEY" | cosy config set-key' });
  if (/\s/.test(key)) throw new UsageError('the key contains whitespace; give exactly one key');
  registerSecret(key);
  if (!/^(sk|st)-/.test(key)) output.warn('the key does not start with sk-; DashScope keys usually do');
  // With --profile the key gets a file of its own, named by the profile's api-key-file setting.
  const path = o.profile !== undefined ? `${userKeyFilePath(context.env)}.${profileFileSuffix(o.profile)}` : userKeyFilePath(context.env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${key}\n`);
  await chmod(path, 0o600);
  if (o.profile !== undefined) {
    const configPath = userConfigPath(context.env);
    const doc = readConfigFile(configPath);
    (doc.profiles[o.profile] ??= emptyRecord())['api-key-file'] = path;
    await writeFileAtomic(configPath, formatConfigDocument(doc));
    output.info(`saved the API key of profile ${o.profile} to ${path} (permissions 0600) and set its api-key-file in ${configPath}`);
    if (o.json) output.result({ ok: true, key_file: path, profile: o.profile, config_file: configPath });
    return;
  }
  output.info(`saved the API key to ${path} (permissions 0600); cosy uses it when DASHSCOPE_API_KEY is not set`);
  if (o.json) output.result({ ok: true, key_file: path, profile: null });
}

/** A profile name made safe for a file name. */
function profileFileSuffix(profile: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(profile)) throw new UsageError(`profile name ${JSON.stringify(profile)} may use only letters, digits, _ . -`);
  return profile;
}


function readHidden(prompt: string, context: CommandContext): Promise<string> {
  return new Promise((resolve) => {
    context.stderr.write(prompt);
    const rl = createInterface({ input: context.stdin, terminal: true });
    // No output stream is given to readline, so nothing typed is echoed.
    rl.question('', (answer) => {
      rl.close();
      context.stderr.write('\n');
      resolve(answer);
    });
  });
}
