/**
 * The sending side of one connection: event frames, audio frames glued to their sentence-synthesis event, and flow
 * control so that audio is never rendered faster than the client reads it.
 */
import { WebSocket } from 'ws';

/** Above this many unsent bytes, audio waits for the socket to drain. */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** Polling interval of the (unexpected) case where unsent bytes remain after the last write completed. */
const DRAIN_POLL_MS = 10;

/** Frames going out on one WebSocket. */
export class Outbox {
  /** Settles once everything sent so far has been handed to the operating system. */
  private lastWrite: Promise<void> = Promise.resolve();
  private readonly closed: Promise<void>;

  constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /** Whether frames can still be sent. */
  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one text frame (an encoded event, or the malformed-frame fault). */
  text(frame: string): void {
    this.send(frame);
  }

  /** Sends a sentence-synthesis event and its audio frame back to back, so nothing can come between them. */
  audio(event: string, data: Buffer): void {
    this.send(event);
    this.send(data);
  }

  /** Resolves when the unsent bytes are below HIGH_WATER_BYTES, or the socket closed. */
  async drained(): Promise<void> {
    while (this.open && this.ws.bufferedAmount > HIGH_WATER_BYTES) {
      const pending = this.lastWrite;
      await Promise.race([pending, this.closed]);
      // Everything sent before `pending` is written; if bytes remain without a newer write to wait for, poll.
      if (this.lastWrite === pending && this.open && this.ws.bufferedAmount > HIGH_WATER_BYTES) {
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS).unref());
      }
    }
  }

  private send(data: string | Buffer): void {
    if (!this.open) return;
    this.lastWrite = new Promise((resolve) => this.ws.send(data, () => resolve()));
  }
}
