/**
 * Named timeouts of the task runner. Each is documented in docs/cli.md; all are in milliseconds.
 */
export interface Timeouts {
  /** TCP + TLS + WebSocket upgrade. The SDKs use 5 s; cosy allows a little more for slow networks. */
  connectMs: number;
  /** From run-task to task-started. PY-SDK waits 10 s. */
  taskStartedMs: number;
  /** From finish-task (all text sent) to the first audio frame of the task. */
  firstAudioMs: number;
  /** Longest silence from the server (no frame at all) while a finished-sending task still owes audio. */
  stallMs: number;
}

/** Defaults, overridable per run (e.g. `--timeout`). */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  connectMs: 10_000,
  taskStartedMs: 10_000,
  firstAudioMs: 30_000,
  stallMs: 30_000,
});

/** A kept-alive connection idle longer than this is replaced before the next task (protocol.md §2.6). */
export const CONNECTION_IDLE_REUSE_MS = 25_000;

/** Received-but-unconsumed bytes above which the socket is paused (memory stays flat with slow consumers). */
export const RECEIVE_HIGH_WATER_BYTES = 1024 * 1024;
