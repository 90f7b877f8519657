/**
 * What the voice commands (`voices`, `clone`, `design`) share: their Output, the HTTP client on the resolved
 * connection, turning a `<url|file>` argument into a URL the service can fetch (checking and uploading local files),
 * and waiting for a voice with a spinner on a terminal or plain progress lines elsewhere.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { checkCloneAudio } from '../voices/audio-check.js';
import { queryVoice, type CustomVoiceDetails } from '../voices/enrollment-api.js';
import { ENROLLMENT_MODEL, OSS_SCHEME, prefixProblem } from '../voices/enrollment-rules.js';
import { HttpClient } from '../voices/http-client.js';
import { waitForVoice } from '../voices/poll.js';
import { uploadToTemporaryStorage } from '../voices/upload.js';
import { connectionFor, type ServiceConnection } from './connect.js';
import type { CommandContext } from './context.js';
import { connectionFlags, optionValues } from './option-values.js';
import { Output } from './output.js';

/** The Output of a voice command from its options. */
export function outputFor(raw: Record<string, unknown>, context: CommandContext): Output {
  const o = optionValues(raw);
  return Output.from({ quiet: o.flag('quiet'), verbose: o.flag('verbose'), json: o.flag('json'), color: !o.negated('color') }, context);
}

/** An open connection to the enrollment API. */
export interface EnrollmentSession {
  client: HttpClient;
  connection: ServiceConnection;
  /** Stops an in-process emulator; safe to call twice. */
  close(): Promise<void>;
}

/** Resolves the connection from the options and builds the HTTP client on it. */
export async function openEnrollment(raw: Record<string, unknown>, context: CommandContext, output: Output): Promise<EnrollmentSession> {
  const connection = await connectionFor(connectionFlags(raw), context, output);
  const client = new HttpClient({
    baseUrl: connection.httpUrl,
    apiKey: connection.apiKey,
    userAgent: connection.userAgent,
    workspace: connection.workspace,
    fetch: connection.fetch,
    signal: context.signal,
    log: (line) => output.debug(line),
  });
  let closed = false;
  return {
    client,
    connection,
    close: async () => {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}

/** Runs `work` with an open session and always closes it. */
export async function withEnrollment<T>(
  raw: Record<string, unknown>,
  context: CommandContext,
  output: Output,
  work: (session: EnrollmentSession) => Promise<T>,
): Promise<T> {
  const session = await openEnrollment(raw, context, output);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

/**
 * The prefix option, checked (lowercase letters and digits, 1–9 characters).
 * @throws UsageError explaining the rule.
 */
export function checkedPrefix(prefix: string): string {
  const problem = prefixProblem(prefix);
  if (problem !== undefined) {
    throw new UsageError(`--prefix ${JSON.stringify(prefix)}: ${problem}`, { hint: 'for example --prefix narrator1' });
  }
  return prefix;
}

/** Whether an audio argument is a URL (http, https, or an already uploaded oss:// file) rather than a local file. */
export function isAudioUrl(argument: string): boolean {
  return /^https?:\/\//iu.test(argument) || argument.startsWith(OSS_SCHEME);
}

/**
 * The URL the service should fetch the sample from: a URL as given (checked), or a local file checked (format,
 * size, rate, duration; warnings shown) and uploaded to the temporary storage.
 * @throws UsageError for a bad URL or a file the service would refuse.
 */
export async function audioUrlFor(argument: string, client: HttpClient, output: Output): Promise<string> {
  if (isAudioUrl(argument)) {
    if (argument.startsWith(OSS_SCHEME)) return argument;
    try {
      new URL(argument);
    } catch {
      throw new UsageError(`${argument} is not a valid URL`);
    }
    output.debug(`the service will fetch the sample from ${argument}`);
    return argument;
  }
  const verdict = await checkCloneAudio(argument);
  for (const warning of verdict.warnings) output.warn(`${basename(argument)}: ${warning}`);
  const { facts } = verdict;
  output.debug(
    `${basename(argument)}: ${verdict.container ?? '?'}, ${facts.sampleRate ?? '?'} Hz, ${facts.channels ?? '?'} channel(s), ` +
      `${facts.duration?.toFixed(1) ?? '?'} s, ${facts.bytes} bytes`,
  );
  const bytes = await readFile(argument);
  output.info(`uploading ${basename(argument)} (${(bytes.length / 1024).toFixed(1)} KB) to the service's temporary storage…`);
  const url = await uploadToTemporaryStorage(
    client,
    { name: basename(argument), bytes, contentType: verdict.contentType },
    { model: ENROLLMENT_MODEL, log: (line) => output.debug(line) },
  );
  output.debug(`uploaded as ${url}`);
  return url;
}

/** Whether progress may animate (a spinner): the rules of Output's spinner. */
function animates(output: Output, context: CommandContext): boolean {
  const ci = context.env['CI'];
  return context.stderr.isTTY === true && !output.quiet && !output.json && (ci === undefined || ci === '' || ci === 'false');
}

/**
 * Waits until the voice is OK, showing progress: a spinner on an interactive terminal, otherwise one line per status
 * change. Returns the final record.
 * @throws ServiceError when it ends UNDEPLOYED, TimeoutError after `timeoutMs`.
 */
export async function waitWithProgress(
  session: EnrollmentSession,
  voiceId: string,
  timeoutMs: number,
  output: Output,
  context: CommandContext,
): Promise<CustomVoiceDetails> {
  const spinner = animates(output, context) ? await output.spinner(`waiting for ${voiceId}…`) : undefined;
  if (spinner === undefined) output.info(`waiting for ${voiceId} to be ready (up to ${Math.round(timeoutMs / 1000)} s)…`);
  let last: string | undefined;
  try {
    const voice = await waitForVoice(voiceId, () => queryVoice(session.client, voiceId), {
      timeoutMs,
      signal: context.signal,
      onStatus: (v, elapsed) => {
        spinner?.update(`waiting for ${voiceId}: ${v.status} (${Math.round(elapsed / 1000)} s)`);
        if (spinner === undefined && v.status !== last) output.info(`${voiceId}: ${v.status}`);
        last = v.status;
      },
    });
    spinner?.stop();
    return voice;
  } catch (err) {
    spinner?.stop();
    throw err;
  }
}
