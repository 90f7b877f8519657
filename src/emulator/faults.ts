/**
 * Fault injection: the options, and the faults that apply to one task. Frame faults count the audio frames of the
 * task; `times` limits every task fault to the first N run-tasks the emulator sees. Throttling is a rate, not a
 * task fault, and is not limited by `times` (see throttle.ts).
 */

/** Faults the emulator can inject, for testing clients. */
export interface FaultOptions {
  /** Delay before each task's first audio frame (and its sentence-synthesis event), in ms. */
  slowFirstPacketMs?: number;
  /** Delay before every audio frame, in ms. */
  frameDelayMs?: number;
  /** After N audio frames of a task: task-failed InternalError (a retryable server fault). */
  failAfterFrames?: number;
  /** After N audio frames: destroy the TCP socket without a close frame. */
  dropAfterFrames?: number;
  /** After N audio frames: send one text frame that is not valid JSON, then continue normally. */
  malformedFrameAfter?: number;
  /** On run-task: close the socket (close code 1011) instead of sending task-started. */
  closeBeforeTaskStarted?: boolean;
  /** Throttle: run-tasks beyond N in any rolling 1 s window (emulator-wide, i.e. account-wide) fail. */
  maxTasksPerSecond?: number;
  /** Throttle the first N run-tasks (or upgrades, with throttleAt 'handshake') whatever the rate. */
  throttleFirst?: number;
  /** Where throttling shows: task-failed on run-task (default) or HTTP 429 on the upgrade. */
  throttleAt?: 'task' | 'handshake';
  /** Task faults apply to the first N run-tasks only; default: every task. */
  times?: number;
}

/** The faults in force for one task (all zero/undefined when none apply). */
export interface TaskFaults {
  slowFirstPacketMs: number;
  frameDelayMs: number;
  failAfterFrames: number | undefined;
  dropAfterFrames: number | undefined;
  malformedFrameAfter: number | undefined;
  closeBeforeTaskStarted: boolean;
}

/** What to do right after an audio frame went out. */
export type FrameFault = 'fail' | 'drop' | 'malformed';

/** The text frame the malformed-frame fault sends: the cut-off start of an event, which no JSON parser accepts. */
export const MALFORMED_FRAME = '{"header":{"task_id":"';

/** Close code of the closeBeforeTaskStarted fault (internal error). */
export const FAULT_CLOSE_CODE = 1011;
/** Close reason of the closeBeforeTaskStarted fault. */
export const FAULT_CLOSE_REASON = 'Internal server error';

const NO_FAULTS: TaskFaults = {
  slowFirstPacketMs: 0,
  frameDelayMs: 0,
  failAfterFrames: undefined,
  dropAfterFrames: undefined,
  malformedFrameAfter: undefined,
  closeBeforeTaskStarted: false,
};

function count(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
}

/** The faults of the task that is the `ordinal`-th run-task (0-based) the emulator has seen. */
export function taskFaults(options: FaultOptions | undefined, ordinal: number): TaskFaults {
  if (options === undefined) return NO_FAULTS;
  const times = count(options.times);
  if (times !== undefined && ordinal >= times) return NO_FAULTS;
  return {
    slowFirstPacketMs: count(options.slowFirstPacketMs) ?? 0,
    frameDelayMs: count(options.frameDelayMs) ?? 0,
    failAfterFrames: count(options.failAfterFrames),
    dropAfterFrames: count(options.dropAfterFrames),
    malformedFrameAfter: count(options.malformedFrameAfter),
    closeBeforeTaskStarted: options.closeBeforeTaskStarted === true,
  };
}

/** Milliseconds to wait before sending the task's audio frame number `frameIndex` (0-based). */
export function delayBeforeFrame(faults: TaskFaults, frameIndex: number): number {
  return faults.frameDelayMs + (frameIndex === 0 ? faults.slowFirstPacketMs : 0);
}

/**
 * The fault due once `framesSent` audio frames of the task went out, if any. Checked after every frame, and once
 * before the first (so a count of 0 fires before any audio). A drop wins over a failure, which wins over a
 * malformed frame.
 */
export function faultAfterFrames(faults: TaskFaults, framesSent: number): FrameFault | undefined {
  if (faults.dropAfterFrames === framesSent) return 'drop';
  if (faults.failAfterFrames === framesSent) return 'fail';
  if (faults.malformedFrameAfter === framesSent) return 'malformed';
  return undefined;
}
