/**
 * Per-model capability table (protocol.md §2.11, D-OVERVIEW 2026-03-31). `unconfirmed` marks cells the sources
 * leave open: cosy sends such parameters with a warning instead of refusing them, and the emulator accepts them.
 */

/** A capability cell: supported, not supported, or not established by any source. */
export type Support = 'yes' | 'no' | 'unconfirmed';

/** Region of the service: Beijing (`cn`) or Singapore (`intl`). */
export type Region = 'cn' | 'intl';

/** What one model supports. */
export interface ModelCapabilities {
  /** Model id as sent in run-task. */
  id: string;
  regions: readonly Region[];
  /** Whether the model has system voices (v3.5 has none: only cloned/designed voices). */
  systemVoices: boolean;
  opus: Support;
  ssml: Support;
  timestamps: Support;
  seed: Support;
  languageHints: Support;
  instruction: Support;
  aigcTag: Support;
  hotFix: Support;
  markdownFilter: Support;
  clone: Support;
  design: Support;
  /** Price per 10,000 counted characters, by region, in the region's listed currency; null when unknown. */
  price: { cn: { usd: number | null; cny: number | null }; intl: { usd: number | null } };
}

/** The default model of cosy. */
export const DEFAULT_MODEL = 'cosyvoice-v3-flash';
/** The default voice of cosy (a v3-flash system voice). */
export const DEFAULT_VOICE = 'longanyang';

/** Every CosyVoice model cosy knows, newest first. */
export const MODELS: readonly ModelCapabilities[] = [
  {
    id: 'cosyvoice-v3.5-plus',
    regions: ['cn'],
    systemVoices: false,
    opus: 'yes',
    ssml: 'unconfirmed',
    timestamps: 'yes',
    seed: 'unconfirmed',
    languageHints: 'unconfirmed',
    instruction: 'unconfirmed',
    aigcTag: 'unconfirmed',
    hotFix: 'unconfirmed',
    markdownFilter: 'unconfirmed',
    clone: 'yes',
    design: 'yes',
    price: { cn: { usd: 0.22, cny: null }, intl: { usd: null } },
  },
  {
    id: 'cosyvoice-v3.5-flash',
    regions: ['cn'],
    systemVoices: false,
    opus: 'yes',
    ssml: 'unconfirmed',
    timestamps: 'yes',
    seed: 'unconfirmed',
    languageHints: 'unconfirmed',
    instruction: 'unconfirmed',
    aigcTag: 'unconfirmed',
    hotFix: 'unconfirmed',
    markdownFilter: 'unconfirmed',
    clone: 'yes',
    design: 'yes',
    price: { cn: { usd: 0.116, cny: null }, intl: { usd: null } },
  },
  {
    id: 'cosyvoice-v3-plus',
    regions: ['cn', 'intl'],
    systemVoices: true,
    opus: 'yes',
    ssml: 'yes',
    timestamps: 'yes',
    seed: 'yes',
    languageHints: 'yes',
    // D-PYSDK-ZH says yes, D-OVERVIEW says no; the voice list marks both v3-plus voices Instruct-capable.
    instruction: 'unconfirmed',
    aigcTag: 'yes',
    hotFix: 'no',
    markdownFilter: 'no',
    clone: 'yes',
    design: 'yes',
    price: { cn: { usd: 0.286706, cny: 2 }, intl: { usd: 0.26 } },
  },
  {
    id: 'cosyvoice-v3-flash',
    regions: ['cn', 'intl'],
    systemVoices: true,
    opus: 'yes',
    ssml: 'yes',
    timestamps: 'yes',
    seed: 'yes',
    languageHints: 'yes',
    instruction: 'yes',
    aigcTag: 'yes',
    hotFix: 'yes',
    markdownFilter: 'yes',
    clone: 'yes',
    design: 'yes',
    price: { cn: { usd: 0.14335, cny: 1 }, intl: { usd: 0.13 } },
  },
  {
    id: 'cosyvoice-v2',
    regions: ['cn'],
    systemVoices: true,
    opus: 'yes',
    ssml: 'yes',
    timestamps: 'yes',
    seed: 'yes',
    languageHints: 'no',
    instruction: 'no',
    aigcTag: 'no',
    hotFix: 'no',
    markdownFilter: 'no',
    clone: 'yes',
    design: 'no',
    price: { cn: { usd: 0.286706, cny: 2 }, intl: { usd: null } },
  },
  {
    id: 'cosyvoice-v1',
    regions: ['cn'],
    systemVoices: true,
    opus: 'no',
    ssml: 'no',
    timestamps: 'no',
    seed: 'no',
    languageHints: 'no',
    instruction: 'no',
    aigcTag: 'no',
    hotFix: 'no',
    markdownFilter: 'no',
    clone: 'yes',
    design: 'no',
    price: { cn: { usd: null, cny: null }, intl: { usd: null } },
  },
];

/** Capabilities of a model id, or undefined when cosy does not know it. */
export function findModel(id: string): ModelCapabilities | undefined {
  return MODELS.find((m) => m.id === id);
}

/** Model ids, for help text and errors. */
export const MODEL_IDS: readonly string[] = MODELS.map((m) => m.id);
