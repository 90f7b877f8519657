/**
 * The emulator's store of custom voices created through the enrollment API: the full record of each voice (owner,
 * kind, timestamps, source URL or design prompt) and its readiness. Each voice also has an entry in the shared
 * VoiceRegistry, whose status is computed from the clock: DEPLOYING until the ready time, then the outcome decided
 * at creation (OK, or UNDEPLOYED for rejected audio). No timers, so nothing to clean up.
 */
import { randomUUID } from 'node:crypto';
import type { CustomVoiceEntry, CustomVoiceStatus, VoiceRegistry } from './voice-registry.js';

/** How long a new or updated voice stays DEPLOYING unless configured. */
export const DEFAULT_VOICE_READY_MS = 500;
/** Offset of Beijing time, in which the emulator writes gmt_create/gmt_modified (our choice). */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** A registry entry whose status follows the clock until something sets it. */
export class ClockedVoiceEntry implements CustomVoiceEntry {
  #forced: CustomVoiceStatus | undefined;

  constructor(
    readonly targetModel: string,
    readonly owner: string,
    public readyAt: number,
    public outcome: 'OK' | 'UNDEPLOYED',
    private readonly now: () => number,
  ) {}

  get status(): CustomVoiceStatus {
    return this.#forced ?? (this.now() >= this.readyAt ? this.outcome : 'DEPLOYING');
  }

  set status(value: CustomVoiceStatus) {
    this.#forced = value;
  }

  /** Starts a new deployment (update_voice): DEPLOYING until `readyAt`, then `outcome`. */
  redeploy(readyAt: number, outcome: 'OK' | 'UNDEPLOYED'): void {
    this.#forced = undefined;
    this.readyAt = readyAt;
    this.outcome = outcome;
  }
}

/** Everything the emulator keeps about one custom voice. */
export interface CustomVoiceRecord {
  voiceId: string;
  kind: 'clone' | 'design';
  targetModel: string;
  prefix: string;
  /** The API key that created it: voices belong to one account. */
  owner: string;
  createdAt: number;
  modifiedAt: number;
  /** Creation order, to keep listings stable within one second. */
  sequence: number;
  resourceLink: string | undefined;
  voicePrompt: string | undefined;
  previewText: string | undefined;
  entry: ClockedVoiceEntry;
}

/** What creating a voice needs. */
export interface NewVoice {
  kind: 'clone' | 'design';
  targetModel: string;
  prefix: string;
  owner: string;
  resourceLink?: string | undefined;
  voicePrompt?: string | undefined;
  previewText?: string | undefined;
  /** The status the voice reaches when deployed. */
  outcome: 'OK' | 'UNDEPLOYED';
  /** Whether it is usable at once (designed voices) rather than after the deployment delay. */
  immediate?: boolean;
}

/** `YYYY-MM-DD HH:mm:ss` in Beijing time, the shape of the service's timestamps. */
export function formatServiceTime(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** A voice id: `{model}-{prefix}-{32 hex}` for a clone, `{model}-vd-{prefix}-{32 hex}` for a design. */
export function newVoiceId(kind: 'clone' | 'design', targetModel: string, prefix: string): string {
  const unique = randomUUID().replace(/-/gu, '');
  return kind === 'design' ? `${targetModel}-vd-${prefix}-${unique}` : `${targetModel}-${prefix}-${unique}`;
}

/** The custom voices of one emulator. */
export class CustomVoiceStore {
  readonly #records = new Map<string, CustomVoiceRecord>();
  #sequence = 0;

  constructor(
    private readonly registry: VoiceRegistry,
    private readonly readyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a voice, DEPLOYING for the configured delay (or ready at once when `immediate`). */
  create(voice: NewVoice): CustomVoiceRecord {
    const time = this.now();
    const voiceId = newVoiceId(voice.kind, voice.targetModel, voice.prefix);
    const entry = new ClockedVoiceEntry(voice.targetModel, voice.owner, voice.immediate === true ? time : time + this.readyMs, voice.outcome, this.now);
    const record: CustomVoiceRecord = {
      voiceId,
      kind: voice.kind,
      targetModel: voice.targetModel,
      prefix: voice.prefix,
      owner: voice.owner,
      createdAt: time,
      modifiedAt: time,
      sequence: this.#sequence++,
      resourceLink: voice.resourceLink,
      voicePrompt: voice.voicePrompt,
      previewText: voice.previewText,
      entry,
    };
    this.#records.set(voiceId, record);
    this.registry.set(voiceId, entry);
    return record;
  }

  /** The voice with this id owned by `owner`, or undefined (another account's voices do not exist for it). */
  get(voiceId: string, owner: string): CustomVoiceRecord | undefined {
    const record = this.#records.get(voiceId);
    return record !== undefined && record.owner === owner ? record : undefined;
  }

  /** The voices of `owner`, newest first, optionally only those created with `prefix`. */
  list(owner: string, prefix: string | undefined): CustomVoiceRecord[] {
    return [...this.#records.values()]
      .filter((r) => r.owner === owner && (prefix === undefined || r.prefix === prefix))
      .sort((a, b) => b.createdAt - a.createdAt || b.sequence - a.sequence);
  }

  /** Re-clones a voice from new audio: DEPLOYING again, then `outcome`. */
  update(record: CustomVoiceRecord, resourceLink: string, outcome: 'OK' | 'UNDEPLOYED'): void {
    const time = this.now();
    record.resourceLink = resourceLink;
    record.modifiedAt = time;
    record.entry.redeploy(time + this.readyMs, outcome);
  }

  /** Deletes a voice; synthesis with it fails from now on. */
  delete(record: CustomVoiceRecord): void {
    this.#records.delete(record.voiceId);
    this.registry.delete(record.voiceId);
  }
}
