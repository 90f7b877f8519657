/**
 * The rules of the voice enrollment API (protocol.md §3) as pure data and checks, shared by the client (which checks
 * before sending) and the emulator (which enforces them like the service).
 */
import { findModel, type ModelCapabilities } from '../protocol/models.js';

/** The `model` every enrollment request carries. */
export const ENROLLMENT_MODEL = 'voice-enrollment';
/** Path of the enrollment endpoint below the HTTP API base. */
export const ENROLLMENT_PATH = '/services/audio/tts/customization';
/** Path of the upload-policy endpoint below the HTTP API base. */
export const UPLOADS_PATH = '/uploads';
/** Header a request needs when it references `oss://` URLs of uploaded files (protocol.md §3.5). */
export const OSS_RESOLVE_HEADER = 'X-DashScope-OssResourceResolve';
/** The value of OSS_RESOLVE_HEADER that turns resolution on. */
export const OSS_RESOLVE_ENABLE = 'enable';
/** Scheme of URLs of files in the service's temporary storage. */
export const OSS_SCHEME = 'oss://';

/**
 * A voice prefix: digits and lowercase letters, 1–9 characters. The sources say "fewer than 10" (PY-SDK) and
 * "max 10" (QwenCloud); 9 satisfies both (protocol.md §3.4 safe choice).
 */
export const PREFIX_PATTERN = /^[0-9a-z]{1,9}$/u;
/** Longest prefix, in characters. */
export const MAX_PREFIX_CHARS = 9;

/** Longest design description (`voice_prompt`), in characters. */
export const MAX_VOICE_PROMPT_CHARS = 500;
/** Longest design preview text, in characters. */
export const MAX_PREVIEW_TEXT_CHARS = 200;
/** Languages a designed voice's preview text and hints may use. */
export const DESIGN_LANGUAGES = ['zh', 'en'] as const;

/** Default list_voice page size of the SDKs. */
export const DEFAULT_PAGE_SIZE = 10;

/** Cloning audio limits (protocol.md §3.4). */
export const CLONE_AUDIO = {
  /** Largest file, in bytes (10 MB read as MiB). */
  maxBytes: 10 * 1024 * 1024,
  /** Lowest sample rate, Hz. */
  minSampleRate: 16_000,
  /** Longest audio, seconds. */
  maxSeconds: 60,
  /** Shortest audio that can hold the required 5 s of continuous speech, seconds. */
  minSeconds: 5,
  /** The recommended duration range, seconds. */
  recommendedSeconds: [10, 20] as const,
  /** Bits per sample a WAV file must have. */
  wavBitsPerSample: 16,
} as const;

/** Why a prefix is not valid, or undefined when it is. */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix === '') return 'the prefix is empty';
  if (/[A-Z]/u.test(prefix)) return 'the prefix has uppercase letters; use lowercase letters and digits only';
  if (!/^[0-9a-z]*$/u.test(prefix)) return 'the prefix may contain only lowercase letters a-z and digits 0-9';
  if (prefix.length > MAX_PREFIX_CHARS) return `the prefix is ${prefix.length} characters long; at most ${MAX_PREFIX_CHARS} are allowed`;
  return undefined;
}

/** Number of characters (code points) of a text, the way length limits count. */
export function charCount(text: string): number {
  return [...text].length;
}

/**
 * Whether every letter of `text` is Chinese (Han) or Latin, i.e. the text is Chinese and/or English. Digits,
 * punctuation, symbols and spaces of any script are allowed.
 */
export function isChineseOrEnglish(text: string): boolean {
  for (const ch of text) {
    if (/\p{L}/u.test(ch) && !/\p{Script=Han}|\p{Script=Latin}/u.test(ch)) return false;
  }
  return true;
}

/** The language of a Chinese-or-English text: zh when it has any Han character, else en. */
export function designLanguageOf(text: string): 'zh' | 'en' {
  return /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
}

/** The capabilities of a model that can be the target of cloning (`clone`) or design (`design`), or undefined. */
export function enrollmentTarget(modelId: string, kind: 'clone' | 'design'): ModelCapabilities | undefined {
  const model = findModel(modelId);
  return model !== undefined && model[kind] !== 'no' ? model : undefined;
}
