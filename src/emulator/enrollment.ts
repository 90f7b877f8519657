/**
 * The voice enrollment endpoint of the emulator, `POST /api/v1/services/audio/tts/customization` (protocol.md
 * §3.1): checks the key like the WebSocket handshake, reads the JSON body `{model, input, parameters}`, insists on
 * `model: voice-enrollment`, and dispatches on `input.action`. Every answer carries a `request_id`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Accounts } from './accounts.js';
import { ENROLLMENT_MODEL, OSS_RESOLVE_ENABLE, OSS_RESOLVE_HEADER } from '../voices/enrollment-rules.js';
import {
  createVoice,
  deleteVoice,
  listVoice,
  queryVoice,
  updateVoice,
  type ActionResult,
  type EnrollmentCall,
  type EnrollmentState,
} from './enrollment-actions.js';
import { authorize, BodyTooLargeError, header, readBody } from './http-request.js';
import { sendJson, type RouteContext, type RouteHandler } from './http-router.js';

/** Largest enrollment request body the emulator reads. */
export const MAX_ENROLLMENT_BODY_BYTES = 1024 * 1024;
/** The service's answer to a request with another `model` (protocol.md §5). */
export const WRONG_MODEL_MESSAGE = 'url error, please check url!';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): ActionResult {
  return { status: 400, body: { code: 'InvalidParameter', message } };
}

/** Parses the body and runs the action it names. */
async function dispatch(text: string, owner: string, ossResolve: boolean, state: EnrollmentState): Promise<ActionResult> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return invalid('Request body is not valid JSON.');
  }
  if (!isObject(body)) return invalid('Request body is not valid JSON.');
  if (body['model'] !== ENROLLMENT_MODEL) return invalid(WRONG_MODEL_MESSAGE);
  const input = body['input'];
  if (!isObject(input)) return invalid("Missing required parameter 'input'.");
  const parameters = isObject(body['parameters']) ? body['parameters'] : {};
  const call: EnrollmentCall = { owner, input, parameters, ossResolve };
  const action = input['action'];
  switch (action) {
    case 'create_voice':
      return createVoice(call, state);
    case 'list_voice':
      return listVoice(call, state);
    case 'query_voice':
      return queryVoice(call, state);
    case 'update_voice':
      return updateVoice(call, state);
    case 'delete_voice':
      return deleteVoice(call, state);
    case undefined:
    case null:
    case '':
      return invalid("Missing required parameter 'input.action'.");
    default:
      return invalid(`Unsupported action: ${String(action)}.`);
  }
}

/** The route handler of the enrollment endpoint over `state`, for the keys and tokens `accounts` accepts. */
export function enrollmentHandler(state: EnrollmentState, accounts: Accounts, log: (line: string) => void): RouteHandler {
  return async function handleEnrollment(req: IncomingMessage, res: ServerResponse, context: RouteContext): Promise<void> {
    const owner = authorize(req, res, accounts, context.requestId);
    if (owner === undefined) {
      log('enrollment rejected: invalid API key');
      return;
    }
    let text: string;
    try {
      text = (await readBody(req, MAX_ENROLLMENT_BODY_BYTES)).toString('utf8');
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      sendJson(res, 413, { code: 'InvalidParameter', message: 'Request body is too large.', request_id: context.requestId });
      return;
    }
    const ossResolve = header(req, OSS_RESOLVE_HEADER)?.toLowerCase() === OSS_RESOLVE_ENABLE;
    const result = await dispatch(text, owner, ossResolve, state);
    log(`enrollment ${result.status}${typeof result.body['code'] === 'string' ? ` ${result.body['code']}` : ''}`);
    sendJson(res, result.status, { ...result.body, request_id: context.requestId });
  };
}
