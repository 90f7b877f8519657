/**
 * A text source that can be read again from the start: every item pulled from the underlying (possibly live)
 * source is recorded, so a retried task resends the same fragments and then continues with new ones.
 * Concurrent readers share one pull at a time, so no item is lost to a reader that was abandoned.
 */
export class ReplayableText {
  readonly #iterator: Iterator<string> | AsyncIterator<string>;
  readonly #record: string[] = [];
  #pulling: Promise<void> | undefined;
  #done = false;

  constructor(source: Iterable<string> | AsyncIterable<string>) {
    this.#iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  }

  /** Items pulled so far. */
  get recorded(): readonly string[] {
    return this.#record;
  }

  /** A new reader from the first item. */
  reader(): AsyncIterable<string> {
    let index = 0;
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<string>> => {
          while (index >= this.#record.length) {
            if (this.#done) return { value: undefined, done: true };
            await this.#pull();
          }
          return { value: this.#record[index++] as string, done: false };
        },
      }),
    };
  }

  #pull(): Promise<void> {
    this.#pulling ??= (async () => {
      try {
        const r = await this.#iterator.next();
        if (r.done) this.#done = true;
        else this.#record.push(r.value);
      } finally {
        this.#pulling = undefined;
      }
    })();
    return this.#pulling;
  }
}
