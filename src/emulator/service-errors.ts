/**
 * The error codes and messages the emulator sends, worded as the service words them (protocol.md §5). Messages the
 * specification quotes are verbatim; the others are marked as our wording.
 */

/** A task-failed the service would send: `header.error_code` and `header.error_message`. */
export interface TaskFailure {
  errorCode: string;
  errorMessage: string;
}

/** Error code of every parameter and protocol error. */
export const INVALID_PARAMETER = 'InvalidParameter';

/** Builds an InvalidParameter failure. */
export function invalidParameter(errorMessage: string): TaskFailure {
  return { errorCode: INVALID_PARAMETER, errorMessage };
}

/** Quoted service messages (protocol.md §2.3, §5). */
export const MESSAGES = {
  missingModel: "Missing required parameter 'payload.model'! Please follow the protocol!",
  unknownModel: 'Model not exist.',
  invalidVoice: 'Request voice is invalid!',
  engine418: '[tts:]Engine return error code: 418',
  /** UNCONFIRMED in the spec (third-party report alibaba/lumenx#68). */
  engine428: '[tts:]Engine return error code: 428',
  textNull: 'Parameter invalid: text is null',
  noText: 'Please ensure input text is valid.',
  ssmlUnsupported: 'SSML text is not supported at the moment!',
  ssmlSingleRequest: 'Text request limit violated, expected 1.',
  rateLimited: 'Requests rate limit exceeded, please try again later.',
  invalidApiKey: 'Invalid API-key provided.',
  /** Our wording of the usual DashScope internal error text. */
  internal: 'An internal error has occured, please try again later or contact service support.',
} as const;

/** The idle-timeout failure, with the timeout in whole seconds as the service words it. */
export function idleTimeoutFailure(idleTimeoutMs: number): TaskFailure {
  return { errorCode: 'CLIENT_ERROR', errorMessage: `request timeout after ${Math.round(idleTimeoutMs / 1000)} seconds.` };
}

/** The throttling failure (task-failed, or the JSON body of an HTTP 429). */
export const THROTTLED: TaskFailure = { errorCode: 'Throttling.RateQuota', errorMessage: MESSAGES.rateLimited };

/** The server-fault failure of the failAfterFrames fault. */
export const INTERNAL_ERROR: TaskFailure = { errorCode: 'InternalError', errorMessage: MESSAGES.internal };

/** A protocol violation, in the service's "… Please follow the protocol!" style (our wording). */
export function protocolViolation(what: string): TaskFailure {
  return invalidParameter(`${what} Please follow the protocol!`);
}
