/**
 * Public types of the emulator (options, the running handle, task records) and the context its parts share.
 */
import type { FaultOptions } from './faults.js';
import type { Accounts } from './accounts.js';
import type { HandshakeHeaders } from './handshake.js';
import type { RateLimiter } from './throttle.js';
import type { VoiceRegistry } from './voice-registry.js';

export type { FaultOptions } from './faults.js';
export type { HandshakeHeaders } from './handshake.js';

/** How to start the emulator. */
export interface EmulatorOptions {
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (ephemeral). */
  port?: number;
  /** Accepted API keys; when empty, any `sk-…` key or `st-…` temporary token is accepted. */
  keys?: string[];
  /** Idle timeout of a task, in ms; default SERVICE_IDLE_TIMEOUT_MS (23 s). */
  idleTimeoutMs?: number;
  /** Audio per counted character at rate 1.0, in ms; default DEFAULT_MS_PER_CHARACTER. */
  msPerCharacter?: number;
  /** Faults to inject. */
  faults?: FaultOptions;
  /** How long a cloned or updated custom voice stays DEPLOYING before it is OK, in ms; default DEFAULT_VOICE_READY_MS. */
  voiceReadyMs?: number;
  /**
   * Cloning audio whose URL or uploaded bytes contain this text ends UNDEPLOYED; default DEFAULT_REJECT_AUDIO_MARKER,
   * empty to turn it off.
   */
  rejectAudioMarker?: string;
  /** Receives one line per connection or task event (never the API key). */
  log?: (line: string) => void;
  /**
   * Called synchronously right after each binary audio frame of a task was handed to the socket (for latency
   * measurements such as `npm run bench`); never called when unset.
   */
  onAudioFrame?: (info: AudioFrameInfo) => void;
  /**
   * Called synchronously for every instruction the emulator decodes (run-task, continue-task, finish-task), as soon
   * as its frame arrives: before it waits its turn behind the audio of earlier instructions, and whether or not it
   * names a known task (for latency measurements such as `npm run bench`); never called when unset. Frames that are
   * not valid instructions are not reported.
   */
  onInstruction?: (info: InstructionInfo) => void;
}

/** One instruction the emulator just received. */
export interface InstructionInfo {
  /** `header.task_id` of the instruction. */
  taskId: string;
  action: 'run-task' | 'continue-task' | 'finish-task';
  /** `payload.input.text` of a continue-task (undefined for the other actions and for a flush without text). */
  text?: string;
  /** `performance.now()` when the WebSocket message event fired, before the frame was decoded. */
  receivedAt: number;
}

/** One binary audio frame the emulator just handed to a socket. */
export interface AudioFrameInfo {
  taskId: string;
  /** 0-based number of the frame within its task. */
  index: number;
  /** Length of the frame in bytes. */
  bytes: number;
  /** `performance.now()` right after the frame was handed to the socket (after its sentence-synthesis event). */
  sentAt: number;
}

/** Final state of a task, or `running` while it runs. */
export type EmulatorTaskStatus = 'running' | 'finished' | 'failed';

/** What the emulator saw and did for one run-task, for tests. */
export interface EmulatorTaskRecord {
  taskId: string;
  /** Number of the connection (1-based, in upgrade order). */
  connectionId: number;
  /** `payload.model` as received (undefined when missing). */
  model: string | undefined;
  /** `payload.parameters` as received. */
  parameters: Record<string, unknown>;
  /** The text of every continue-task of the task, in order. */
  texts: string[];
  /** How many flush continue-tasks the task received. */
  flushes: number;
  /** Handshake headers of the connection. */
  headers: HandshakeHeaders;
  status: EmulatorTaskStatus;
  errorCode?: string;
  errorMessage?: string;
  /** Billed characters of the text accepted so far (the final usage when finished). */
  billedCharacters: number;
  audioBytes: number;
  audioFrames: number;
}

/** A started emulator. */
export interface RunningEmulator {
  /** `ws://host:port/api-ws/v1/inference`. */
  websocketUrl: string;
  /** `http://host:port/api/v1`. */
  httpUrl: string;
  port: number;
  /** Every task in arrival order. */
  tasks: EmulatorTaskRecord[];
  /** The custom voice registry (filled by the enrollment API; tests may add voices directly). */
  voices: VoiceRegistry;
  /** Upgrades accepted so far. */
  connections(): number;
  /** Stops listening and closes every socket. */
  close(): Promise<void>;
}

/** What every session of one emulator shares. */
export interface EmulatorContext {
  /** The keys and tokens accepted, and the account each acts for. */
  accounts: Accounts;
  idleTimeoutMs: number;
  msPerCharacter: number;
  faults: FaultOptions | undefined;
  /** Throttles run-tasks (throttleAt 'task'). */
  taskLimiter: RateLimiter;
  /** Throttles upgrades (throttleAt 'handshake'). */
  handshakeLimiter: RateLimiter;
  tasks: EmulatorTaskRecord[];
  voices: VoiceRegistry;
  log: (line: string) => void;
  /** EmulatorOptions.onAudioFrame, if set. */
  onAudioFrame: ((info: AudioFrameInfo) => void) | undefined;
  /** EmulatorOptions.onInstruction, if set. */
  onInstruction: ((info: InstructionInfo) => void) | undefined;
  /** The 0-based ordinal of the next run-task the emulator sees (counts every run-task). */
  nextTaskOrdinal: () => number;
}
