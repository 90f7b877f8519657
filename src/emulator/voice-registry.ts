/**
 * The emulator's in-memory custom voice registry: cloned and designed voices by id, with the model they were
 * created for and their enrollment status. Synthesis accepts a custom voice only when it is here, `OK`, and its
 * target model is the task's model. Empty at start; the enrollment HTTP API fills it.
 */

/** Enrollment status of a custom voice (protocol.md §3.3). */
export type CustomVoiceStatus = 'DEPLOYING' | 'OK' | 'UNDEPLOYED';

/** What the emulator knows of one custom voice. */
export interface CustomVoiceEntry {
  /** The only model the voice works with. */
  targetModel: string;
  /** The account that created it: only that account's tasks can use it (protocol.md §3.4). */
  owner: string;
  status: CustomVoiceStatus;
}

/** Custom voices by voice id. */
export type VoiceRegistry = Map<string, CustomVoiceEntry>;

/** A read-only view of the registry, which is all synthesis needs. */
export type VoiceRegistryView = ReadonlyMap<string, CustomVoiceEntry>;

/** A new, empty registry. */
export function createVoiceRegistry(): VoiceRegistry {
  return new Map<string, CustomVoiceEntry>();
}

/** Whether `voiceId` is a custom voice of `account` that can synthesise with `model` right now. */
export function isUsableCustomVoice(registry: VoiceRegistryView, voiceId: string, model: string, account: string): boolean {
  const entry = registry.get(voiceId);
  return entry !== undefined && entry.owner === account && entry.status === 'OK' && entry.targetModel === model;
}
