/**
 * Groups streaming text fragments into tasks: a task begins with the first fragment after the previous task was
 * ended (input went idle, or the per-task limit was reached) and ends when `endTask` or `end` is called. Consumers
 * iterate tasks, and each task's fragments, as they arrive.
 */
import { countCharacters } from '../protocol/counting.js';
import { MAX_TASK_CHARS } from '../protocol/limits.js';
import { AsyncQueue } from './async-queue.js';

/** Streaming text → a sequence of tasks, each a sequence of fragments. */
export class TaskFeeder implements AsyncIterable<AsyncIterable<string>> {
  readonly #tasks = new AsyncQueue<AsyncQueue<string>>();
  readonly #maxTaskChars: number;
  #current: AsyncQueue<string> | undefined;
  #currentChars = 0;

  /** @param maxTaskChars counted characters after which a new task begins. @default MAX_TASK_CHARS */
  constructor(maxTaskChars: number = MAX_TASK_CHARS) {
    this.#maxTaskChars = maxTaskChars;
  }

  /** Whether the current task has received text (and so would be ended by `endTask`). */
  get taskOpen(): boolean {
    return this.#current !== undefined;
  }

  /**
   * Begins a task now, before its first fragment, so its run-task and task-started round trip overlap with the rest
   * of the first sentence arriving. Only call when text is certain to follow (the caller holds pending text).
   */
  prime(): void {
    if (this.#current || this.#tasks.closed) return;
    this.#current = new AsyncQueue<string>();
    this.#currentChars = 0;
    this.#tasks.push(this.#current);
  }

  /** Adds a fragment to the current task, beginning a task if none is open or the current one is full. */
  push(fragment: string): void {
    if (fragment === '' || this.#tasks.closed) return;
    const count = countCharacters(fragment);
    if (this.#current && this.#currentChars + count > this.#maxTaskChars) this.endTask();
    this.prime();
    this.#current?.push(fragment);
    this.#currentChars += count;
  }

  /** Ends the current task (its finish-task goes out once its fragments are sent). */
  endTask(): void {
    this.#current?.close();
    this.#current = undefined;
  }

  /** Ends the input: the current task ends and no task follows. */
  end(): void {
    this.endTask();
    this.#tasks.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<AsyncIterable<string>> {
    return this.#tasks[Symbol.asyncIterator]();
  }
}
