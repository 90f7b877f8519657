/**
 * The service's temporary file storage, emulated (protocol.md §3.5): `GET /api/v1/uploads?action=getPolicy` hands
 * out a signed POST policy, and a form-upload endpoint standing in for the OSS bucket (`POST /oss`) stores files
 * in memory under keys below the policy's folder, answering errors in OSS's XML shape. Enrollment requests then
 * resolve `oss://<key>` URLs of the same account here.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Accounts } from './accounts.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OSS_SCHEME } from '../voices/enrollment-rules.js';
import { apiError, sendJson, type RouteContext } from './http-router.js';
import { authorize, BodyTooLargeError, header, readBody } from './http-request.js';

/** Path of the emulated bucket's upload endpoint (outside `/api/v1`: it stands for another host). */
export const OSS_UPLOAD_PATH = '/oss';
/** How long a policy may be used, seconds (the documented sample's value). */
export const POLICY_EXPIRE_SECONDS = 300;
/** Largest file a policy allows, MB (the documented sample's value). */
export const POLICY_MAX_FILE_MB = 100;
/** How long an uploaded file lives (protocol.md §3.5: 48 h). */
export const FILE_LIFETIME_MS = 48 * 3600 * 1000;
/** Access key id the emulated bucket accepts. */
export const EMULATOR_ACCESS_KEY_ID = 'LTAI5tCosyEmulatorOssKey';

/** One stored file. */
export interface StoredFile {
  bytes: Buffer;
  contentType: string;
  /** The API key whose policy uploaded it. */
  owner: string;
  /** The model named when the policy was requested. */
  model: string;
  storedAt: number;
}

/** A policy handed out: who asked and for which model. */
interface IssuedPolicy {
  owner: string;
  model: string;
  expiresAt: number;
}

/** An OSS error answer. */
interface OssError {
  status: number;
  code: string;
  message: string;
}

/** Sends an error in OSS's XML shape. */
function sendOssError(res: ServerResponse, error: OssError): void {
  const requestId = randomBytes(12).toString('hex').toUpperCase();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
    `  <Code>${error.code}</Code>\n  <Message>${error.message.replace(/&/gu, '&amp;').replace(/</gu, '&lt;')}</Message>\n` +
    `  <RequestId>${requestId}</RequestId>\n  <HostId>cosy-emulator-oss</HostId>\n</Error>\n`;
  res.writeHead(error.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-oss-request-id': requestId,
  });
  res.end(body);
}

/** `[field, value]` pairs of a form up to and including the file (OSS ignores what follows the file). */
function formFields(form: FormData): { fields: Map<string, string>; file: File | undefined } {
  const fields = new Map<string, string>();
  for (const [name, value] of form.entries()) {
    if (name === 'file') return { fields, file: typeof value === 'string' ? new File([value], 'file') : value };
    if (typeof value === 'string') fields.set(name.toLowerCase(), value);
  }
  return { fields, file: undefined };
}

/** The emulated temporary storage of one emulator. */
export class TemporaryStorage {
  readonly #secret = randomBytes(32);
  readonly #files = new Map<string, StoredFile>();
  readonly #policies = new Map<string, IssuedPolicy>();

  constructor(
    private readonly accounts: Accounts,
    private readonly now: () => number = Date.now,
  ) {}

  #sign(policy: string): string {
    return createHmac('sha1', this.#secret).update(policy).digest('base64');
  }

  /** Handles `GET /api/v1/uploads?action=getPolicy&model=…`. */
  readonly handlePolicy = (req: IncomingMessage, res: ServerResponse, context: RouteContext): void => {
    const owner = authorize(req, res, this.accounts, context.requestId);
    if (owner === undefined) return;
    req.resume();
    const bad = (message: string): void => sendJson(res, 400, apiError('InvalidParameter', message, context.requestId));
    const action = context.query.get('action');
    if (action === null || action === '') return bad("Missing required parameter 'action'.");
    if (action !== 'getPolicy') return bad(`Unsupported action: ${action}.`);
    const model = context.query.get('model');
    if (model === null || model === '') return bad("Missing required parameter 'model'.");
    const time = this.now();
    const day = new Date(time).toISOString().slice(0, 10);
    const account = createHmac('sha1', this.#secret).update(owner).digest('hex').slice(0, 16);
    const uploadDir = `dashscope-instant/${account}/${day}/${randomUUID()}`;
    const expiresAt = time + POLICY_EXPIRE_SECONDS * 1000;
    const maxBytes = POLICY_MAX_FILE_MB * 1024 * 1024;
    const policy = Buffer.from(
      JSON.stringify({
        expiration: new Date(expiresAt).toISOString(),
        conditions: [['content-length-range', 0, maxBytes], ['starts-with', '$key', uploadDir]],
      }),
    ).toString('base64');
    this.#policies.set(uploadDir, { owner, model, expiresAt });
    const grant = {
      policy,
      signature: this.#sign(policy),
      upload_dir: uploadDir,
      upload_host: `http://${header(req, 'host') ?? '127.0.0.1'}${OSS_UPLOAD_PATH}`,
      expire_in_seconds: POLICY_EXPIRE_SECONDS,
      max_file_size_mb: POLICY_MAX_FILE_MB,
      capacity_limit_mb: 999999999,
      oss_access_key_id: EMULATOR_ACCESS_KEY_ID,
      x_oss_object_acl: 'private',
      x_oss_forbid_overwrite: 'true',
    };
    // protocol.md §3.5 names `output`; the D-UPLOAD page and the PY-SDK read `data` (the SDK maps it to output and
    // prefers `output` when both are present). Sent under both names, a client reading either works.
    sendJson(res, 200, { request_id: context.requestId, output: grant, data: grant });
  };

  /** Handles a form upload to the emulated bucket (`POST /oss`). */
  async handleUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      req.resume();
      sendOssError(res, { status: 405, code: 'MethodNotAllowed', message: 'The specified method is not allowed against this resource.' });
      return;
    }
    const result = await this.#store(req);
    if ('code' in result) {
      sendOssError(res, result);
      return;
    }
    res.writeHead(result.status, { 'content-length': 0, 'x-oss-request-id': randomBytes(12).toString('hex').toUpperCase() });
    res.end();
  }

  async #store(req: IncomingMessage): Promise<OssError | { status: number }> {
    const malformed: OssError = { status: 400, code: 'MalformedPOSTRequest', message: 'The body of your POST request is not well-formed multipart/form-data.' };
    const contentType = header(req, 'content-type') ?? '';
    if (!/^multipart\/form-data/iu.test(contentType)) {
      req.resume();
      return malformed;
    }
    let body: Buffer;
    try {
      body = await readBody(req, POLICY_MAX_FILE_MB * 1024 * 1024 + 64 * 1024);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size.' };
      throw err;
    }
    let form: FormData;
    try {
      form = await new Request('http://oss.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
    } catch {
      return malformed;
    }
    const { fields, file } = formFields(form);
    for (const name of ['key', 'ossaccesskeyid', 'policy', 'signature']) {
      if (!fields.get(name)) return { status: 400, code: 'InvalidArgument', message: `Bucket POST must contain a field named '${name}'.` };
    }
    if (file === undefined) return { status: 400, code: 'InvalidArgument', message: "Bucket POST must contain a field named 'file'." };
    return this.#accept(fields, Buffer.from(await file.arrayBuffer()), file.type);
  }

  #accept(fields: Map<string, string>, bytes: Buffer, fileType: string): OssError | { status: number } {
    const key = fields.get('key') ?? '';
    const policy = fields.get('policy') ?? '';
    if (fields.get('ossaccesskeyid') !== EMULATOR_ACCESS_KEY_ID) {
      return { status: 403, code: 'InvalidAccessKeyId', message: 'The OSS Access Key Id you provided does not exist in our records.' };
    }
    const expected = Buffer.from(this.#sign(policy));
    const given = Buffer.from(fields.get('signature') ?? '');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' };
    }
    const dir = this.#policyDir(policy);
    const issued = dir === undefined ? undefined : this.#policies.get(dir);
    if (dir === undefined || issued === undefined || issued.expiresAt < this.now()) {
      return { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' };
    }
    if (!key.startsWith(`${dir}/`) || key.length === dir.length + 1) {
      return { status: 403, code: 'AccessDenied', message: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "${dir}"]` };
    }
    if (bytes.length > POLICY_MAX_FILE_MB * 1024 * 1024) {
      return { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size.' };
    }
    if (this.#files.has(key) && fields.get('x-oss-forbid-overwrite') === 'true') {
      return { status: 409, code: 'FileAlreadyExists', message: 'The object you specified already exists and can not be overwritten.' };
    }
    const contentType = fields.get('x-oss-content-type') || fileType || 'application/octet-stream';
    this.#files.set(key, { bytes, contentType, owner: issued.owner, model: issued.model, storedAt: this.now() });
    const status = Number(fields.get('success_action_status'));
    return { status: status === 200 || status === 201 ? status : 204 };
  }

  /** The folder a (signature-checked) policy allows, or undefined when it is not one the emulator issued. */
  #policyDir(policy: string): string | undefined {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
      const conditions = (parsed as { conditions?: unknown }).conditions;
      if (!Array.isArray(conditions)) return undefined;
      for (const c of conditions) {
        if (Array.isArray(c) && c[0] === 'starts-with' && c[1] === '$key' && typeof c[2] === 'string') return c[2];
      }
    } catch {
      // not a policy of ours
    }
    return undefined;
  }

  /** The file behind an `oss://` URL for `owner`, or undefined when it does not exist, expired or is another account's. */
  resolve(url: string, owner: string): StoredFile | undefined {
    if (!url.startsWith(OSS_SCHEME)) return undefined;
    const file = this.#files.get(url.slice(OSS_SCHEME.length));
    if (file === undefined || file.owner !== owner || this.now() - file.storedAt > FILE_LIFETIME_MS) return undefined;
    return file;
  }
}
