/**
 * `cosy doctor`: checks what cosy needs and prints what to fix — Node.js, the configuration files, the API key
 * (where it comes from, its shape, the key file's permissions), the endpoints in effect, a WebSocket handshake
 * (opened and closed at once: no task, nothing billed), one free HTTP API request, the workspace id, the clock and
 * the audio players. The decisions are in ../doctor-checks.ts; this file gathers the facts.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { Config, findProjectConfig, readConfigFile, userConfigPath, userKeyFilePath } from '../../config-file.js';
import { ENV, defaultKeyFile, loadDotEnvFile, resolveApiKey, resolveEndpoints, type Endpoints } from '../../config.js';
import { AuthError, CosyError, ProtocolError, ReportedError, ServiceError, UsageError } from '../../errors.js';
import { AUDIO_FORMATS } from '../../protocol/limits.js';
import { describeProxy, resolveProxies, type ProxyRoutes } from '../../proxy.js';
import { Connection, safeHost } from '../../tts/connection.js';
import { listVoicePage } from '../../voices/enrollment-api.js';
import { HttpClient } from '../../voices/http-client.js';
import { userAgent } from '../../version.js';
import { EMULATOR_KEY, proxyTransports, type ConnectionFlags, type ProxyTransports } from '../connect.js';
import type { CommandContext } from '../context.js';
import {
  checkClockSkew,
  checkKeyFormat,
  checkNodeVersion,
  checkWorkspaceFormat,
  clockSkewMs,
  exitCodeFor,
  formatReport,
  keyRejectedAdvice,
  REGION_NAMES,
  maskKey,
  reportJson,
  summaryLine,
  type CheckCategory,
  type CheckResult,
} from '../doctor-checks.js';
import { connectionFlags, optionValues } from '../option-values.js';
import { Output, shouldColor } from '../output.js';
import { registerSecret } from '../../secrets.js';
import { resolvePlayer } from '../player.js';

/** Time each network check may take. */
export const DOCTOR_TIMEOUT_MS = 5_000;

/** What the network checks need: a key and endpoints, when the earlier checks found them. */
interface Target extends ProxyTransports {
  key: string;
  endpoints: Endpoints;
  /** Whether the endpoints come from the region (not from --endpoint, the environment or a file). */
  regionDefaults: boolean;
  workspace: string | undefined;
}

/** Runs `cosy doctor`. */
export async function runDoctor(raw: Record<string, unknown>, context: CommandContext): Promise<void> {
  const o = optionValues(raw);
  const flags = connectionFlags(raw);
  const profile = o.string('profile');
  const output = Output.from({ quiet: o.flag('quiet'), verbose: o.flag('verbose'), json: o.flag('json'), color: !o.negated('color') }, context);
  if (flags.emulator && (flags.endpoint !== undefined || flags.httpEndpoint !== undefined)) {
    throw new UsageError('--emulator cannot be combined with --endpoint/--http-endpoint');
  }
  const timeoutMs = o.number('timeout') ?? DOCTOR_TIMEOUT_MS;
  const results: CheckResult[] = [];
  const add: Add = (name, category, verdict) => {
    const result: CheckResult = { name, category, ...verdict };
    results.push(result);
    return result;
  };

  add('node', 'setup', checkNodeVersion(process.versions.node));
  // Noted before .env is loaded, to tell the two apart in the report.
  const keyInEnvironment = (context.env[ENV.apiKey] ?? '').trim() !== '';
  loadDotEnvFile(context.cwd, context.env);
  const config = inspectConfig(context, profile, add);

  let emulator: { websocketUrl: string; httpUrl: string; close(): Promise<void> } | undefined;
  try {
    if (flags.emulator) {
      const { startEmulator } = await import('../../emulator/server.js');
      emulator = await startEmulator({ keys: [EMULATOR_KEY] });
      output.debug(`emulator listening at ${emulator.websocketUrl}`);
    }
    const key = emulator ? emulatorKey(add) : inspectKey(flags, context, keyInEnvironment, config, add);
    inspectKeyFiles(context.env, config, add);
    const endpoints = inspectEndpoints(flags, context.env, config, emulator, add);
    const workspace = flags.workspace ?? workspaceSetting(config, context.env);
    const proxies = endpoints === undefined ? undefined : inspectProxies(endpoints.endpoints, flags.proxy, context.env, add);
    const target: Target | undefined =
      key !== undefined && endpoints !== undefined && proxies !== undefined
        ? {
            key,
            endpoints: endpoints.endpoints,
            regionDefaults: endpoints.regionDefaults,
            workspace,
            ...(await proxyTransports(proxies)),
          }
        : undefined;
    const missing = key === undefined ? 'an API key' : 'valid endpoints';
    const handshakeCheck = target
      ? await checkHandshake(target, timeoutMs, context)
      : { category: 'network' as const, verdict: { status: 'skip' as const, detail: `not checked: needs ${missing}` } };
    const handshake = add('websocket', handshakeCheck.category, handshakeCheck.verdict);
    inspectWorkspace(workspace, handshake, add);
    if (target) {
      const http = await checkHttpApi(target, timeoutMs, context, handshake.status === 'ok');
      add('http-api', http.category, http.verdict);
      add(
        'clock',
        'advice',
        http.answered ? checkClockSkew(http.skewMs, "the service's HTTP Date header") : { status: 'skip', detail: 'not checked: no answer from the HTTP API' },
      );
    } else {
      add('http-api', 'network', { status: 'skip', detail: `not checked: needs ${missing}` });
      add('clock', 'advice', { status: 'skip', detail: 'not checked: needs an answer from the HTTP API' });
    }
    add('players', 'advice', checkPlayers(context.env));
  } finally {
    await emulator?.close();
  }

  const exitCode = exitCodeFor(results);
  if (o.flag('json')) {
    output.result(reportJson(results));
  } else {
    const chalk = new Chalk({ level: shouldColor(context.stdout, context.env, o.negated('color') ? false : undefined) ? 1 : 0 });
    const style = { symbols: context.stdout.isTTY === true, green: chalk.green, yellow: chalk.yellow, red: chalk.red, dim: chalk.dim };
    for (const line of formatReport(results, style, { problemsOnly: o.flag('quiet') })) output.resultLine(line);
  }
  // The report says everything; run.ts only sets the exit code.
  if (exitCode !== 0) throw new ReportedError(summaryLine(results), exitCode);
}

/** A check's outcome before it is named. */
type Verdict = Omit<CheckResult, 'name' | 'category'>;

/** A verdict with the category its failure falls in (which can depend on how the check failed). */
interface CategorisedVerdict {
  category: CheckCategory;
  verdict: Verdict;
}

type Add = (name: string, category: CheckCategory, verdict: Verdict) => CheckResult;

/**
 * Runs a step that reads the set-up. A UsageError (a bad setting, file or flag) becomes the failed check `name`, with
 * the error's hint or else `fix`, and the step's result is undefined; anything else is a bug and is thrown.
 */
function failedCheckOf<T>(add: Add, name: string, fix: string, step: () => T): T | undefined {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    add(name, 'setup', { status: 'fail', detail: err.message, fix: err.hint ?? fix });
    return undefined;
  }
}

/** The configuration files: found, parsed, and the profile known. Returns the loaded configuration when it loads. */
function inspectConfig(context: CommandContext, profile: string | undefined, add: Add): Config | undefined {
  const userPath = userConfigPath(context.env);
  const projectPath = findProjectConfig(context.cwd);
  const found: string[] = [];
  return failedCheckOf(add, 'config', 'fix or delete the file; `cosy config path` lists the files cosy reads', () => {
    for (const [label, path] of [['user', userPath], ['project', projectPath]] as const) {
      if (path === undefined || !existsSync(path)) continue;
      const doc = readConfigFile(path);
      const count = Object.keys(doc.settings).length;
      const profiles = Object.keys(doc.profiles).length;
      found.push(`${label} ${path} (${count} setting${count === 1 ? '' : 's'}${profiles ? `, ${profiles} profile${profiles === 1 ? '' : 's'}` : ''})`);
    }
    const config = Config.load(context.cwd, context.env, profile);
    const active = config.profile !== undefined ? `; profile ${config.profile}` : '';
    add('config', 'setup', {
      status: 'ok',
      detail: found.length > 0 ? `${found.join('; ')}${active}` : `no configuration files (user file would be ${userPath})${active}`,
    });
    return config;
  });
}

/** With --emulator: the emulator's own key, as connectionFor uses it. */
function emulatorKey(add: Add): string {
  add('api-key', 'auth', { status: 'ok', detail: `the built-in emulator's key ${maskKey(EMULATOR_KEY)} (--emulator; your own key is not used)` });
  add('key-format', 'auth', { status: 'skip', detail: "not checked: the emulator's key" });
  return EMULATOR_KEY;
}

/** The API key: present, where from (never the key itself: a masked form), and its shape. */
function inspectKey(flags: ConnectionFlags, context: CommandContext, keyInEnvironment: boolean, config: Config | undefined, add: Add): string | undefined {
  if (flags.apiKey !== undefined) registerSecret(flags.apiKey);
  let found: { key: string; source: string; file?: string };
  try {
    found = resolveApiKey(flags.apiKey, context.env, config);
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    add('api-key', 'auth', { status: 'fail', detail: err.message, fix: err.hint });
    add('key-format', 'auth', { status: 'skip', detail: 'not checked: no usable key' });
    return undefined;
  }
  registerSecret(found.key);
  const masked = maskKey(found.key);
  if (found.source === '--api-key') {
    add('api-key', 'auth', {
      status: 'warn',
      detail: `${masked} from --api-key`,
      fix: 'a key on the command line is visible to other users (process list, shell history); prefer DASHSCOPE_API_KEY, a .env file or `cosy config set-key`',
    });
  } else {
    const where =
      found.file !== undefined
        ? `the key file ${found.file}`
        : keyInEnvironment
          ? `${ENV.apiKey} in the environment`
          : `${ENV.apiKey} in ${join(context.cwd, '.env')}`;
    add('api-key', 'auth', { status: 'ok', detail: `${masked} from ${where}` });
  }
  add('key-format', 'auth', checkKeyFormat(found.key));
  return found.key;
}

/** Key files that exist (the named one, cosy's, the SDKs'), and whether other users can read them. */
function inspectKeyFiles(env: NodeJS.ProcessEnv, config: Config | undefined, add: Add): void {
  const named = config?.string('api-key-file') ?? (env[ENV.apiKeyFile] || undefined);
  const candidates = [...new Set([named, userKeyFilePath(env), defaultKeyFile()].filter((f): f is string => f !== undefined))];
  const existing = candidates.filter((f) => existsSync(f));
  if (existing.length === 0) {
    add('key-file', 'advice', { status: 'skip', detail: `no key file (looked for ${candidates.join(', ')})` });
    return;
  }
  const modes = existing.map((file) => ({ file, mode: statSync(file).mode & 0o777 }));
  const open = modes.filter((m) => (m.mode & 0o044) !== 0);
  const describe = (m: { file: string; mode: number }): string => `${m.file} (${m.mode.toString(8).padStart(4, '0')})`;
  if (open.length === 0) {
    add('key-file', 'advice', { status: 'ok', detail: modes.map(describe).join(', ') });
    return;
  }
  add('key-file', 'advice', {
    status: 'warn',
    detail: `readable by other users: ${open.map(describe).join(', ')}`,
    fix: `chmod 600 ${open.map((m) => m.file).join(' ')}`,
  });
}

/** Where a setting comes from: its flag, the configuration layer or variable, or nowhere (undefined). */
function sourceOf(flag: string | undefined, flagName: string, config: Config | undefined, key: string, envName: string, env: NodeJS.ProcessEnv): string | undefined {
  if (flag !== undefined) return flagName;
  if (config) return config.get(key)?.origin;
  return env[envName] ? envName : undefined;
}

/** The region and endpoints in effect, and where they come from. */
function inspectEndpoints(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  config: Config | undefined,
  emulator: { websocketUrl: string; httpUrl: string } | undefined,
  add: Add,
): { endpoints: Endpoints; regionDefaults: boolean } | undefined {
  if (emulator) {
    const region = flags.region === 'intl' ? 'intl' : 'cn';
    add('endpoint', 'setup', { status: 'ok', detail: `the in-process emulator: ${emulator.websocketUrl}, ${emulator.httpUrl}` });
    return { endpoints: { region, websocketUrl: emulator.websocketUrl, httpUrl: emulator.httpUrl }, regionDefaults: false };
  }
  const endpoints = failedCheckOf(add, 'endpoint', 'fix --endpoint/--http-endpoint, the environment or the endpoint settings (cosy config list)', () =>
    resolveEndpoints(flags, env, config),
  );
  if (endpoints === undefined) return undefined;
  const regionSource = sourceOf(flags.region, '--region', config, 'region', ENV.region, env) ?? 'default';
  const wsSource = sourceOf(flags.endpoint, '--endpoint', config, 'endpoint', ENV.websocketUrl, env);
  const httpSource = sourceOf(flags.httpEndpoint, '--http-endpoint', config, 'http-endpoint', ENV.httpUrl, env);
  const from = (source: string | undefined): string => (source === undefined ? '' : ` (from ${source})`);
  add('endpoint', 'setup', {
    status: 'ok',
    detail:
      `region ${endpoints.region} (${REGION_NAMES[endpoints.region] ?? endpoints.region}; ${regionSource}): ` +
      `${safeHost(endpoints.websocketUrl)}${from(wsSource)}, ${safeHost(endpoints.httpUrl)}${from(httpSource)}`,
  });
  return { endpoints, regionDefaults: wsSource === undefined && httpSource === undefined };
}

/** The proxies the checks below go through: from --proxy or the environment, never for this machine. */
function inspectProxies(endpoints: Endpoints, flag: string | undefined, env: NodeJS.ProcessEnv, add: Add): ProxyRoutes | undefined {
  const proxies = failedCheckOf(add, 'proxy', 'fix --proxy or HTTPS_PROXY/HTTP_PROXY', () => resolveProxies(endpoints, flag, env));
  if (proxies === undefined) return undefined;
  const source = flag !== undefined && flag !== '' ? '--proxy' : 'the environment';
  const via = (proxy: URL | undefined): string => (proxy === undefined ? 'direct' : `via ${describeProxy(proxy)} (from ${source})`);
  if (proxies.webSocket === undefined && proxies.http === undefined) {
    add('proxy', 'setup', { status: 'skip', detail: 'none: direct connections' });
  } else {
    add('proxy', 'setup', { status: 'ok', detail: `WebSocket ${via(proxies.webSocket)}; HTTP API ${via(proxies.http)}` });
  }
  return proxies;
}

/** A WebSocket handshake with the key (and workspace), closed at once: no run-task is sent, so nothing is billed. */
async function checkHandshake(target: Target, timeoutMs: number, context: CommandContext): Promise<CategorisedVerdict> {
  const url = safeHost(target.endpoints.websocketUrl);
  const started = performance.now();
  try {
    const connection = await Connection.open({
      url: target.endpoints.websocketUrl,
      apiKey: target.key,
      userAgent: userAgent(),
      workspace: target.workspace,
      connectTimeoutMs: timeoutMs,
      signal: context.signal,
      proxy: target.webSocketProxy,
    });
    const ms = Math.round(performance.now() - started);
    connection.close();
    return { category: 'network', verdict: { status: 'ok', detail: `handshake with ${url} in ${ms} ms (closed at once: no task, nothing billed)` } };
  } catch (err) {
    if (context.signal.aborted) throw err;
    if (err instanceof AuthError) {
      return { category: 'auth', verdict: { status: 'fail', detail: err.message, fix: keyRejectedAdvice({ ...target.endpoints, regionDefaults: target.regionDefaults, workspace: target.workspace }, url) } };
    }
    if (err instanceof ServiceError && err.status === 429) {
      return {
        category: 'network',
        verdict: { status: 'warn', detail: `${url} is reachable but throttled the handshake (429)`, fix: 'too many connections at once; try again in a moment' },
      };
    }
    if (err instanceof CosyError) return { category: 'network', verdict: { status: 'fail', detail: err.message, fix: err.hint ?? 'check the network and --endpoint' } };
    throw err;
  }
}

/**
 * One HTTP API request that costs nothing and changes nothing: list_voice with page_size 1, a read of the
 * account's custom voices. (The other cheap candidate, GET /uploads?action=getPolicy, mints a signed upload
 * credential, which is a side effect.) Its `Date` header gives the server's clock.
 */
async function checkHttpApi(
  target: Target,
  timeoutMs: number,
  context: CommandContext,
  handshakeOk: boolean,
): Promise<CategorisedVerdict & { skewMs: number | undefined; answered: boolean }> {
  let skewMs: number | undefined;
  let answered = false;
  const timedFetch: typeof fetch = async (input, init) => {
    const sentAt = Date.now();
    const response = await (target.fetch ?? fetch)(input, init);
    answered = true;
    skewMs = clockSkewMs(response.headers.get('date'), sentAt, Date.now());
    return response;
  };
  const client = new HttpClient({
    baseUrl: target.endpoints.httpUrl,
    apiKey: target.key,
    userAgent: userAgent(),
    workspace: target.workspace,
    timeoutMs,
    retries: 0,
    signal: context.signal,
    fetch: timedFetch,
  });
  const base = safeHost(target.endpoints.httpUrl);
  const started = performance.now();
  try {
    await listVoicePage(client, { pageIndex: 0, pageSize: 1 });
    const ms = Math.round(performance.now() - started);
    return { category: 'network', verdict: { status: 'ok', detail: `${base} answered list_voice (a free read) in ${ms} ms` }, skewMs, answered };
  } catch (err) {
    if (context.signal.aborted) throw err;
    return { ...httpFailure(err, target, base, handshakeOk), skewMs, answered };
  }
}

/** The verdict on a failed HTTP API request. */
function httpFailure(err: unknown, target: Target, base: string, handshakeOk: boolean): CategorisedVerdict {
  if (err instanceof AuthError && err.status === 403) {
    return {
      category: 'auth',
      verdict: {
        status: 'warn',
        detail: `${base} accepted the key but refused the voice API (403)`,
        fix: 'the account or workspace has no access to voice customisation: clone, design and voices --custom will fail; synthesis is not affected',
      },
    };
  }
  if (err instanceof AuthError) {
    const fix = handshakeOk
      ? `the WebSocket endpoint accepted the key but ${base} did not: --http-endpoint (or ${ENV.httpUrl}) probably points to another region than --endpoint`
      : keyRejectedAdvice({ ...target.endpoints, regionDefaults: target.regionDefaults, workspace: target.workspace }, base);
    return { category: 'auth', verdict: { status: 'fail', detail: err.message, fix } };
  }
  if (err instanceof ServiceError && err.status !== undefined && err.status < 500 && err.status !== 404) {
    const verdict = { status: 'warn' as const, detail: `${base} is reachable; it answered: ${err.message}` };
    return { category: 'network', verdict: err.status === 429 ? { ...verdict, fix: 'throttled; try again in a moment' } : verdict };
  }
  if (err instanceof ServiceError || err instanceof ProtocolError) {
    return {
      category: 'network',
      verdict: { status: 'fail', detail: err.message, fix: `check --http-endpoint (or ${ENV.httpUrl}): it should be the API base, e.g. https://dashscope.aliyuncs.com/api/v1` },
    };
  }
  if (err instanceof CosyError) return { category: 'network', verdict: { status: 'fail', detail: err.message, fix: err.hint ?? 'check the network' } };
  throw err;
}

/** The workspace setting (configuration or environment), read as given even when the configuration rejects it. */
function workspaceSetting(config: Config | undefined, env: NodeJS.ProcessEnv): string | undefined {
  try {
    if (config) return config.string('workspace');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
  }
  return env[ENV.workspace] || undefined;
}

/** The workspace id: its shape, and whether the handshake that carried it succeeded. */
function inspectWorkspace(workspace: string | undefined, handshake: CheckResult, add: Add): void {
  if (workspace === undefined) {
    add('workspace', 'setup', { status: 'skip', detail: "not set (requests use the key's default workspace)" });
    return;
  }
  const format = checkWorkspaceFormat(workspace);
  if (format.status === 'fail') {
    add('workspace', 'setup', format);
    return;
  }
  if (handshake.status === 'ok') {
    const detail = `${workspace}: the handshake with X-DashScope-WorkSpace succeeded`;
    add('workspace', 'setup', format.status === 'ok' ? { status: 'ok', detail } : { ...format, detail: `${format.detail}; ${detail}` });
    return;
  }
  if (handshake.status === 'fail' && handshake.category === 'auth') {
    add('workspace', 'auth', { status: 'fail', detail: `${workspace}: the handshake with this workspace was rejected (see websocket)`, fix: handshake.fix });
    return;
  }
  add('workspace', 'setup', { ...format, status: format.status === 'ok' ? 'skip' : format.status, detail: `${format.detail}; not verified: no handshake` });
}

/** A player for each audio format (only --play needs one). */
function checkPlayers(env: NodeJS.ProcessEnv): Verdict {
  const found = AUDIO_FORMATS.map((format) => {
    try {
      return { format, player: resolvePlayer(format, 22_050, undefined, env).name };
    } catch {
      return { format, player: undefined };
    }
  });
  const missing = found.filter((f) => f.player === undefined).map((f) => f.format);
  const detail = found.map((f) => `${f.format}: ${f.player ?? 'none'}`).join(', ');
  if (missing.length === 0) return { status: 'ok', detail };
  return {
    status: 'warn',
    detail: `${detail} (only --play needs one)`,
    fix: `install ffmpeg (ffplay) or mpv to play ${missing.join(', ')}, or pass --player "CMD" (a program that reads audio on stdin)`,
  };
}
