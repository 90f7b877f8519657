/**
 * The one error hierarchy of cosy. Subclasses are chosen by what the user can do about the failure; each carries a
 * stable `code`, the process `exitCode` (see docs/cli.md) and an optional `hint` saying what to do next.
 * Only `cli/main.ts` prints errors and exits.
 */

/** Process exit codes. Stable: scripts depend on them. */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /** A bug in cosy (an unexpected exception). */
  Internal: 1,
  /** Usage error or invalid input (text, SSML, options, files). */
  Usage: 2,
  /** Authentication or configuration problem (key, region, workspace). */
  Auth: 3,
  /** The service refused or failed the request. */
  Service: 4,
  /** Network failure or timeout. */
  Network: 5,
  /** Output is incomplete: audio already streamed to stdout when the task failed. */
  Partial: 6,
  /** Interrupted by the user (SIGINT). */
  Interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Options common to every cosy error. */
export interface CosyErrorOptions {
  /** What the user should do next. */
  hint?: string;
  /** The underlying error. */
  cause?: unknown;
  /** The task id the failure belongs to, when there is one. */
  taskId?: string;
  /** Facts a script needs to clean up or go on (e.g. the id of a voice that was created), added to the --json error. */
  details?: Record<string, string | string[]>;
}

/** Root of every error cosy raises on purpose. */
export class CosyError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** Exit code of the process when this error ends it. */
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  taskId: string | undefined;
  /** Set where the error is raised, or added by a caller that knows more (what was done before it failed). */
  details: Record<string, string | string[]> | undefined;

  constructor(message: string, code: string, exitCode: ExitCodeValue, options: CosyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.taskId = options.taskId;
    this.details = options.details;
  }

  /** Whether retrying the same request later may succeed. */
  get retryable(): boolean {
    return false;
  }
}

/** Bad command line, bad input text, unreadable file: fix the invocation. Exit 2. */
export class UsageError extends CosyError {
  constructor(message: string, options: CosyErrorOptions & { code?: string } = {}) {
    super(message, options.code ?? 'USAGE', ExitCode.Usage, options);
  }
}

/** Missing or rejected credentials, bad configuration. Exit 3. */
export class AuthError extends CosyError {
  /** HTTP status of the rejection, when there was one. */
  readonly status: number | undefined;
  constructor(message: string, options: CosyErrorOptions & { code?: string; status?: number } = {}) {
    super(message, options.code ?? 'AUTH', ExitCode.Auth, options);
    this.status = options.status;
  }
}

/** Error codes of the service that are worth retrying (throttling and server faults, protocol.md §5). */
const RETRYABLE_SERVICE_CODES = /^(Throttling|InternalError|SystemError|ModelServiceFailed|RequestTimeOut|ModelServingError|ModelUnavailable)/;

/** The service refused or failed a task (task-failed, or an HTTP error from the API). Exit 4. */
export class ServiceError extends CosyError {
  /** The service's error code, e.g. `InvalidParameter`. */
  readonly serviceCode: string;
  /** The service's message, verbatim. */
  readonly serviceMessage: string;
  /** HTTP status, when the error came over HTTP. */
  readonly status: number | undefined;

  constructor(
    serviceCode: string,
    serviceMessage: string,
    options: CosyErrorOptions & { status?: number; message?: string } = {},
  ) {
    super(
      options.message ?? `the service failed the task: ${serviceCode || 'error'}: ${serviceMessage || '(no message)'}`,
      'SERVICE',
      ExitCode.Service,
      { ...options, hint: options.hint ?? hintForServiceError(serviceCode, serviceMessage) },
    );
    this.serviceCode = serviceCode;
    this.serviceMessage = serviceMessage;
    this.status = options.status;
  }

  override get retryable(): boolean {
    if (this.status !== undefined && (this.status === 429 || this.status >= 500)) return true;
    return RETRYABLE_SERVICE_CODES.test(this.serviceCode) || /rate limit exceeded/i.test(this.serviceMessage);
  }
}

/** A frame from the server that does not follow the protocol. Exit 4. */
export class ProtocolError extends CosyError {
  constructor(message: string, options: CosyErrorOptions = {}) {
    super(message, 'PROTOCOL', ExitCode.Service, {
      hint: options.hint ?? 'the endpoint does not speak the CosyVoice protocol as cosy knows it; check --endpoint',
      ...options,
    });
  }
}

/** Connection failures: DNS, refused, reset, closed mid-task. Exit 5. */
export class NetworkError extends CosyError {
  constructor(message: string, options: CosyErrorOptions & { code?: string } = {}) {
    super(message, options.code ?? 'NETWORK', ExitCode.Network, options);
  }
  override get retryable(): boolean {
    return true;
  }
}

/** A named timeout expired (connect, task-started, first audio, stall). Exit 5. */
export class TimeoutError extends NetworkError {
  constructor(message: string, options: CosyErrorOptions = {}) {
    super(message, { ...options, code: 'TIMEOUT' });
  }
}

/** Audio already went to a stream that cannot be rewound when the task failed. Exit 6. */
export class PartialOutputError extends CosyError {
  /** Bytes that reached the output before the failure. */
  readonly bytesWritten: number;
  constructor(cause: CosyError, bytesWritten: number) {
    super(
      `output is incomplete: ${bytesWritten} bytes of audio were written before the failure: ${cause.message}`,
      'PARTIAL_OUTPUT',
      ExitCode.Partial,
      {
        cause,
        taskId: cause.taskId,
        hint: cause.hint ?? 'the audio on stdout is truncated; write to a file with -o to get all-or-nothing output',
      },
    );
    this.bytesWritten = bytesWritten;
  }
}

/** The user interrupted cosy (Ctrl-C). Exit 130. */
export class InterruptedError extends CosyError {
  constructor(message = 'interrupted') {
    super(message, 'INTERRUPTED', ExitCode.Interrupted);
  }
}

/**
 * The command has already printed everything about this failure (e.g. `cosy lint`'s report); the error only
 * carries the exit code, and run.ts prints nothing more.
 */
export class ReportedError extends CosyError {
  constructor(summary: string, exitCode: ExitCodeValue) {
    super(summary, 'REPORTED', exitCode);
  }
}

/** A hint for a task-failed error, from its code and message (protocol.md §5). */
export function hintForServiceError(code: string, message: string): string | undefined {
  // The engine's code, not any 418 in the text: voice ids and request ids are random hex and may contain it.
  if (/error code: 418\b/.test(message)) {
    return 'the voice does not exist for this model, belongs to another model generation, or (custom voice) is not ready; check --voice and --model (`cosy voices`)';
  }
  if (/error code: 428\b/.test(message)) return 'this voice accepts only certain instruction forms; see `cosy voices --instruct`';
  if (/Request voice is invalid/i.test(message)) return 'pass a voice id with --voice';
  if (/text is null|input text is valid/i.test(message)) return 'the text was empty';
  if (/SSML text is not supported/i.test(message)) {
    return 'the model or voice does not support SSML, or the SSML is invalid; run `cosy lint` or use --no-ssml';
  }
  if (/Text request limit violated/i.test(message)) return 'SSML must be sent as a single message';
  if (/timeout after 23 seconds/i.test(message)) return 'no text reached the service for 23 seconds';
  if (/^Throttling/.test(code) || /rate limit/i.test(message)) {
    return 'the account is over its rate limit (3 tasks per second by default); retry later or lower concurrency';
  }
  if (/^(Arrearage)/.test(code)) return 'the account has an overdue payment; check the Model Studio console';
  if (/AccessDenied|FreeTierOnly/.test(code)) return 'the account cannot use this model; check the Model Studio console';
  if (/DataInspectionFailed/.test(code)) return 'the service rejected the text in content moderation';
  if (RETRYABLE_SERVICE_CODES.test(code)) return 'a server-side fault; retrying later may succeed';
  return undefined;
}

/** Whether a value is an abort caused by an AbortSignal. */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: unknown }).code === 'ABORT_ERR');
}
