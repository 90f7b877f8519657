/**
 * The emulator's server: one HTTP server carrying the WebSocket inference endpoint (checked at the handshake like
 * the service: path, API key, optional throttling) and the HTTP API router.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SERVICE_IDLE_TIMEOUT_MS } from '../protocol/limits.js';
import { Accounts } from './accounts.js';
import { handshakeHeaders, HTTP_API_PATH, INFERENCE_PATH, isInferencePath, presentedKey } from './handshake.js';
import { ENROLLMENT_PATH, UPLOADS_PATH } from '../voices/enrollment-rules.js';
import { DEFAULT_REJECT_AUDIO_MARKER } from './clone-audio.js';
import { CustomVoiceStore, DEFAULT_VOICE_READY_MS } from './custom-voices.js';
import { enrollmentHandler } from './enrollment.js';
import type { EnrollmentState } from './enrollment-actions.js';
import { apiError, createHttpRouter, sendJson, type ApiErrorBody, type Route } from './http-router.js';
import { OSS_UPLOAD_PATH, TemporaryStorage } from './temporary-storage.js';
import { MESSAGES, THROTTLED } from './service-errors.js';
import { Session } from './session.js';
import { createRateLimiter, refuseFirst, UNLIMITED } from './throttle.js';
import { TOKENS_PATH, tokensHandler } from './tokens.js';
import type { EmulatorContext, EmulatorOptions, EmulatorTaskRecord, RunningEmulator } from './types.js';
import { createVoiceRegistry } from './voice-registry.js';

export type { AudioFrameInfo, EmulatorOptions, EmulatorTaskRecord, FaultOptions, InstructionInfo, RunningEmulator } from './types.js';

/** Default address the emulator listens on. */
export const DEFAULT_HOST = '127.0.0.1';
/** Audio per counted character at rate 1.0 (≈ 13 Latin letters or 6–7 Han ideographs per second). */
export const DEFAULT_MS_PER_CHARACTER = 75;
/** How long close() lets clients answer the close frame before cutting their connections. */
export const CLOSE_GRACE_MS = 500;
/** Close code sent to clients when the emulator shuts down. */
const GOING_AWAY = 1001;

/** HTTP statuses of rejected upgrades. */
const STATUS = { notFound: 404, unauthorized: 401, tooManyRequests: 429 } as const;

/** The HTTP API routes: voice enrollment, the upload policy of the temporary storage, and temporary tokens. */
function apiRoutes(context: EmulatorContext, options: EmulatorOptions, storage: TemporaryStorage): Route[] {
  const state: EnrollmentState = {
    voices: new CustomVoiceStore(context.voices, options.voiceReadyMs ?? DEFAULT_VOICE_READY_MS),
    storage,
    rejectMarker: options.rejectAudioMarker ?? DEFAULT_REJECT_AUDIO_MARKER,
    msPerCharacter: context.msPerCharacter,
  };
  return [
    { method: 'POST', path: ENROLLMENT_PATH, handle: enrollmentHandler(state, context.accounts, context.log) },
    { method: 'GET', path: UPLOADS_PATH, handle: storage.handlePolicy },
    { method: 'POST', path: TOKENS_PATH, handle: tokensHandler(context.accounts, context.log) },
  ];
}

/** A request listener: the emulated storage bucket's upload path, else the HTTP API. */
function httpListener(api: RequestListener, storage: TemporaryStorage): RequestListener {
  return function onRequest(req, res) {
    const path = new URL(req.url ?? '/', 'http://emulator.invalid').pathname;
    if (path !== OSS_UPLOAD_PATH) {
      api(req, res);
      return;
    }
    storage.handleUpload(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, apiError('InternalError', 'upload failed'));
    });
  };
}

/** Writes an HTTP error response with a JSON body on a socket that asked to upgrade, and closes it. */
function rejectUpgrade(socket: Duplex, status: number, body: ApiErrorBody): void {
  const text = JSON.stringify(body);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      '\r\n' +
      text,
  );
}

/** `host` as it appears in a URL (IPv6 literals in brackets). */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function createContext(options: EmulatorOptions, tasks: EmulatorTaskRecord[]): EmulatorContext {
  const faults = options.faults;
  const limit = faults?.maxTasksPerSecond;
  const rate = limit !== undefined && limit >= 0 ? createRateLimiter(limit) : UNLIMITED;
  const first = faults?.throttleFirst;
  const limiter = first !== undefined && first > 0 ? refuseFirst(first, rate) : rate;
  const atHandshake = faults?.throttleAt === 'handshake';
  let ordinal = 0;
  return {
    accounts: new Accounts(options.keys ?? []),
    idleTimeoutMs: options.idleTimeoutMs ?? SERVICE_IDLE_TIMEOUT_MS,
    msPerCharacter: options.msPerCharacter ?? DEFAULT_MS_PER_CHARACTER,
    faults,
    taskLimiter: atHandshake ? UNLIMITED : limiter,
    handshakeLimiter: atHandshake ? limiter : UNLIMITED,
    tasks,
    voices: createVoiceRegistry(),
    log: options.log ?? (() => undefined),
    onAudioFrame: options.onAudioFrame,
    onInstruction: options.onInstruction,
    nextTaskOrdinal: () => ordinal++,
  };
}

/** Starts an emulator of the CosyVoice service and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const tasks: EmulatorTaskRecord[] = [];
  const context = createContext(options, tasks);
  const storage = new TemporaryStorage(context.accounts);
  const server = createServer(httpListener(createHttpRouter(apiRoutes(context, options, storage)), storage));
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<Socket>();
  let connections = 0;

  server.on('connection', function trackSocket(socket: Socket) {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  server.on('upgrade', function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on('error', () => socket.destroy());
    if (!isInferencePath(req.url)) {
      rejectUpgrade(socket, STATUS.notFound, apiError('NotFound', `No WebSocket endpoint at ${req.url ?? '/'}.`));
      return;
    }
    const presented = presentedKey(req.headers, req.url);
    const account = context.accounts.accountOf(presented.key);
    if (account === undefined) {
      context.log('handshake rejected: invalid API key');
      rejectUpgrade(socket, STATUS.unauthorized, apiError('InvalidApiKey', MESSAGES.invalidApiKey));
      return;
    }
    if (!context.handshakeLimiter.tryAdmit()) {
      context.log('handshake rejected: throttled');
      rejectUpgrade(socket, STATUS.tooManyRequests, apiError(THROTTLED.errorCode, THROTTLED.errorMessage));
      return;
    }
    wss.handleUpgrade(req, socket, head, function onWebSocket(ws: WebSocket) {
      connections += 1;
      new Session(ws, context, { id: connections, account, headers: handshakeHeaders(req.headers, presented) });
    });
  });

  const host = options.host ?? DEFAULT_HOST;
  const port = await listen(server, options.port ?? 0, host);
  const origin = `${urlHost(host)}:${port}`;

  async function close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    const clients = [...wss.clients];
    for (const ws of clients) ws.close(GOING_AWAY, 'emulator shutting down');
    const grace = setTimeout(() => {
      for (const ws of clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
    }, CLOSE_GRACE_MS);
    grace.unref();
    server.closeIdleConnections();
    await stopped;
    clearTimeout(grace);
    wss.close();
  }

  return {
    websocketUrl: `ws://${origin}${INFERENCE_PATH}`,
    httpUrl: `http://${origin}${HTTP_API_PATH}`,
    port,
    tasks,
    voices: context.voices,
    connections: () => connections,
    close,
  };
}
