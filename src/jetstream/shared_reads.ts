/**
 * {@linkcode SharedReads}: the reads of concurrent walks over one subject,
 * made once. A reconnect storm (a thousand connections recovering the same
 * channel at once) then costs one direct get per stored message, not one per
 * message per connection: on nats-server 2.9 each get is a round trip.
 *
 * @module
 */

interface SubjectReads<T> {
  walks: number;
  reads: Map<string, Promise<T | null>>;
}

/**
 * Shares the reads of the walks of one subject that run at the same time. A
 * read is kept only while some walk of its subject runs, and an empty answer
 * (the end of the channel, where more may come) or a failure is never kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedReads } from "./shared_reads.ts";
 * const shared = new SharedReads<number>();
 * let loads = 0;
 * const load = () => Promise.resolve(++loads);
 * const [a, b] = await Promise.all([
 *   shared.walk("s", () => shared.read("s", "1", load)),
 *   shared.walk("s", () => shared.read("s", "1", load)),
 * ]);
 * assert.deepEqual([a, b, loads], [1, 1, 1], "read once for both walks");
 * await shared.walk("s", () => shared.read("s", "1", load));
 * assert.equal(loads, 2, "nothing is kept once no walk runs");
 * ```
 */
export class SharedReads<T> {
  readonly #subjects = new Map<string, SubjectReads<T>>();

  /** Runs `body`, a walk of `subject`, sharing its reads with the others running. */
  async walk<R>(subject: string, body: () => Promise<R>): Promise<R> {
    let entry = this.#subjects.get(subject);
    if (!entry) this.#subjects.set(subject, entry = { walks: 0, reads: new Map() });
    entry.walks++;
    try {
      return await body();
    } finally {
      if (--entry.walks === 0) this.#subjects.delete(subject);
    }
  }

  /** The read `key` of `subject`: `load`ed once for every walk running (call inside `walk`). */
  read(subject: string, key: string, load: () => Promise<T | null>): Promise<T | null> {
    const reads = this.#subjects.get(subject)?.reads;
    if (!reads) return load();
    let read = reads.get(key);
    if (!read) {
      const forget = () => void reads.delete(key);
      read = load().then((value) => {
        if (value === null) forget();
        return value;
      }, (error) => {
        forget();
        throw error;
      });
      reads.set(key, read);
    }
    return read;
  }
}
