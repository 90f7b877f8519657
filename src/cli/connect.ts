/**
 * Resolves how a command reaches the service: credentials and endpoints from flags, environment and `.env`, or an
 * in-process emulator when `--emulator` is given (never as a silent fallback for a missing key).
 */
import { Config, isGroupOrWorldReadable } from '../config-file.js';
import { loadConfiguration, REGION_ENDPOINTS, resolveApiKey, resolveEndpoints } from '../config.js';
import { isLoopbackHost } from '../endpoint.js';
import { UsageError } from '../errors.js';
import { describeProxy, proxyFetch, resolveProxies, webSocketProxy, type ProxyRoutes, type WebSocketProxy } from '../proxy.js';
import { userAgent } from '../version.js';
import type { CommandContext } from './context.js';
import type { Output } from './output.js';
import { registerSecret } from '../secrets.js';

/** Connection flags shared by the commands that talk to the service. */
export interface ConnectionFlags {
  region?: string;
  endpoint?: string;
  httpEndpoint?: string;
  workspace?: string;
  apiKey?: string;
  emulator?: boolean;
  profile?: string;
  /** --proxy: one proxy for every connection (else the proxy environment variables decide). */
  proxy?: string;
}

/** Everything needed to reach the service (through its proxies, if any); `close` stops an in-process emulator. */
export interface ServiceConnection extends ProxyTransports {
  websocketUrl: string;
  httpUrl: string;
  apiKey: string;
  region: string;
  workspace: string | undefined;
  userAgent: string;
  /** Whether this is the built-in emulator. */
  emulated: boolean;
  close(): Promise<void>;
}

/** How connections reach the service through the proxies in `routes`: the WebSocket's tunnel and the HTTP fetch. */
export interface ProxyTransports {
  webSocketProxy: WebSocketProxy | undefined;
  /** undefined: the global fetch. */
  fetch: typeof fetch | undefined;
}

/** The transports for `routes` (the proxy libraries load only when a proxy is used); proxy passwords become secrets. */
export async function proxyTransports(routes: ProxyRoutes): Promise<ProxyTransports> {
  for (const proxy of [routes.webSocket, routes.http]) if (proxy?.password) registerSecret(decodeURIComponent(proxy.password));
  return {
    webSocketProxy: routes.webSocket !== undefined ? await webSocketProxy(routes.webSocket) : undefined,
    fetch: routes.http !== undefined ? await proxyFetch(routes.http) : undefined,
  };
}

/** The key the in-process emulator accepts. */
export const EMULATOR_KEY = 'sk-cosy-emulator';

/** Resolves the connection for a command (`loaded`: the configuration, when the command has read it already). */
export async function connectionFor(flags: ConnectionFlags, context: CommandContext, output: Output, loaded?: Config): Promise<ServiceConnection> {
  const env = context.env;
  const config = loaded ?? loadConfiguration(context.cwd, env, flags.profile);
  if (flags.emulator) {
    if (flags.endpoint || flags.httpEndpoint) throw new UsageError('--emulator cannot be combined with --endpoint/--http-endpoint');
    const { startEmulator } = await import('../emulator/server.js');
    const emulator = await startEmulator({ keys: [EMULATOR_KEY] });
    output.debug(`emulator listening at ${emulator.websocketUrl}`);
    return {
      websocketUrl: emulator.websocketUrl,
      httpUrl: emulator.httpUrl,
      apiKey: EMULATOR_KEY,
      region: flags.region ?? config.string('region') ?? 'cn',
      workspace: flags.workspace ?? config.string('workspace'),
      userAgent: userAgent(),
      emulated: true,
      webSocketProxy: undefined,
      fetch: undefined,
      close: () => emulator.close(),
    };
  }
  if (flags.apiKey !== undefined) {
    registerSecret(flags.apiKey);
    output.warn('--api-key is visible to other users of this machine (process list, shell history); prefer DASHSCOPE_API_KEY or a .env file');
  }
  const endpoints = resolveEndpoints(flags, env, config);
  warnOfProjectEndpoints(flags, config, output);
  const key = resolveApiKey(flags.apiKey, env, config);
  registerSecret(key.key);
  if (key.file !== undefined && isGroupOrWorldReadable(key.file)) {
    output.warn(`the API key file ${key.file} can be read by other users; run: chmod 600 ${key.file}`);
  }
  output.debug(`API key from ${key.source}; endpoint ${endpoints.websocketUrl}`);
  const proxies = resolveProxies(endpoints, flags.proxy, env);
  if (proxies.webSocket !== undefined) output.debug(`WebSocket through the proxy ${describeProxy(proxies.webSocket)}`);
  if (proxies.http !== undefined) output.debug(`HTTP API through the proxy ${describeProxy(proxies.http)}`);
  return {
    websocketUrl: endpoints.websocketUrl,
    httpUrl: endpoints.httpUrl,
    apiKey: key.key,
    region: endpoints.region,
    workspace: flags.workspace ?? config.string('workspace'),
    userAgent: userAgent(),
    emulated: false,
    ...(await proxyTransports(proxies)),
    close: () => Promise.resolve(),
  };
}

/** The hosts of the service's own endpoints. */
const SERVICE_HOSTS: ReadonlySet<string> = new Set(
  Object.values(REGION_ENDPOINTS).flatMap((e) => [new URL(e.websocket).hostname, new URL(e.http).hostname]),
);

/**
 * A project file (found in the working directory or above it, e.g. in a cloned repository) that sends the API key
 * to a host other than the service's own gets a warning each time: the key goes wherever the endpoint says. The same
 * endpoint in the user file, the environment or a flag is the user's own choice and passes quietly.
 */
function warnOfProjectEndpoints(flags: ConnectionFlags, config: Config, output: Output): void {
  const given: Array<[string, string | undefined]> = [
    ['endpoint', flags.endpoint],
    ['http-endpoint', flags.httpEndpoint],
  ];
  for (const [key, flag] of given) {
    const setting = flag === undefined ? config.get(key) : undefined;
    if (setting?.source !== 'project') continue;
    const host = new URL(String(setting.value)).hostname;
    if (SERVICE_HOSTS.has(host) || isLoopbackHost(host) || config.userValue(key) === setting.value) continue;
    output.warn(
      `the ${key} ${String(setting.value)} comes from the project file ${setting.origin}: your API key is sent to ${host}; ` +
        `to accept it, set the same ${key} in your own file (cosy config set ${key} …)`,
    );
  }
}
