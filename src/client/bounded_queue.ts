/**
 * The bounded queue of frames sent while the client is not open.
 *
 * @module
 */

/**
 * A first-in first-out queue with a fixed capacity; `push` refuses (returns
 * false) when full rather than dropping older entries, so the caller can
 * reject exactly the send that did not fit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BoundedQueue } from "./bounded_queue.ts";
 * const queue = new BoundedQueue<string>(1);
 * assert.equal(queue.push("a"), true);
 * assert.equal(queue.push("b"), false);
 * assert.deepEqual(queue.drain(), ["a"]);
 * assert.equal(queue.size, 0);
 * ```
 */
export class BoundedQueue<T> {
  #items: T[] = [];
  /** The most entries the queue holds. */
  readonly capacity: number;

  /** Creates a queue of `capacity` entries (0: refuses everything). */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Entries waiting. */
  get size(): number {
    return this.#items.length;
  }

  /** Appends `item`; false (and nothing added) when full. */
  push(item: T): boolean {
    if (this.#items.length >= this.capacity) return false;
    this.#items.push(item);
    return true;
  }

  /** Removes and returns every entry, oldest first. */
  drain(): T[] {
    return this.#items.splice(0);
  }
}
