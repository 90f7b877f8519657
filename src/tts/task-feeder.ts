/**
 * Groups streaming text fragments into tasks: a task begins with the first fragment after the previous task was
 * ended (input went idle, or the per-task limit was reached) and ends when `endTask` or `end` is called. Consumers
 * iterate tasks, and each task's fragments, as they arrive. It also counts the text pushed but not yet taken by the
 * consumer (`pendingChars`), so a fast producer can wait (`whenBelow`) instead of piling text up in memory while an
 * earlier task is still being spoken.
 */
import { countCharacters } from '../protocol/counting.js';
import { MAX_TASK_CHARS } from '../protocol/limits.js';
import { AsyncQueue } from './async-queue.js';

/** A fragment and its counted characters. */
interface Fragment {
  text: string;
  count: number;
}

/** Streaming text → a sequence of tasks, each a sequence of fragments. */
export class TaskFeeder implements AsyncIterable<AsyncIterable<string>> {
  readonly #tasks = new AsyncQueue<AsyncIterable<string>>();
  readonly #maxTaskChars: number;
  #current: AsyncQueue<Fragment> | undefined;
  #currentChars = 0;
  #pending = 0;
  #waiters: Array<{ below: number; resolve: () => void }> = [];

  /** @param maxTaskChars counted characters after which a new task begins. @default MAX_TASK_CHARS */
  constructor(maxTaskChars: number = MAX_TASK_CHARS) {
    this.#maxTaskChars = maxTaskChars;
  }

  /** Counted characters pushed and not yet taken by the consumer. */
  get pendingChars(): number {
    return this.#pending;
  }

  /** Resolves once fewer than `chars` counted characters are pending, or the input ended. */
  whenBelow(chars: number): Promise<void> {
    if (this.#pending < chars || this.#tasks.closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ below: chars, resolve }));
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
    this.#current = new AsyncQueue<Fragment>();
    this.#currentChars = 0;
    this.#tasks.push(this.#consumed(this.#current));
  }

  /**
   * Adds a fragment to the current task, beginning a task if none is open or the current one is full. Whitespace
   * alone never begins a task (a newline after an idle pause would otherwise be a task, billed, with nothing to say).
   */
  push(fragment: string): void {
    if (fragment === '' || this.#tasks.closed) return;
    const count = countCharacters(fragment);
    if (this.#current && this.#currentChars + count > this.#maxTaskChars) this.endTask();
    if (this.#current === undefined && fragment.trim() === '') return;
    this.prime();
    this.#current?.push({ text: fragment, count });
    this.#currentChars += count;
    this.#pending += count;
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
    this.#release(true);
  }

  /** A task's fragments as the consumer takes them, each taken one no longer pending. */
  #consumed(queue: AsyncQueue<Fragment>): AsyncIterable<string> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<string>> => {
          const r = await queue.next();
          if (r.done) return { value: undefined, done: true };
          this.#pending -= r.value.count;
          this.#release(false);
          return { value: r.value.text, done: false };
        },
      }),
    };
  }

  /** Wakes the waiters whose bound the pending text is now below, or every waiter (`all`: the input ended). */
  #release(all: boolean): void {
    const ready = all ? this.#waiters : this.#waiters.filter((w) => this.#pending < w.below);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  [Symbol.asyncIterator](): AsyncIterator<AsyncIterable<string>> {
    return this.#tasks[Symbol.asyncIterator]();
  }
}
