/**
 * A bounded FIFO of webhook events: when full it drops the oldest, and counts.
 *
 * @module
 */

/**
 * A ring buffer of at most `capacity` items; `push` never blocks or grows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventQueue } from "./event_queue.ts";
 * const queue = new EventQueue<number>(2);
 * assert.equal(queue.push(1), undefined);
 * queue.push(2);
 * assert.equal(queue.push(3), 1, "the oldest is dropped and returned");
 * assert.deepEqual(queue.take(10), [2, 3]);
 * assert.equal(queue.length, 0);
 * ```
 */
export class EventQueue<T> {
  readonly #items: (T | undefined)[];
  #head = 0;
  #length = 0;

  /** A queue holding at most `capacity` (≥ 1) items. */
  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`Queue capacity ${capacity} must be at least 1`);
    this.#items = new Array(capacity);
  }

  /** Items queued. */
  get length(): number {
    return this.#length;
  }

  /** Appends `item`; returns the oldest item when it had to be dropped for room. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.#length === this.capacity) {
      dropped = this.#items[this.#head];
      this.#head = (this.#head + 1) % this.capacity;
      this.#length--;
    }
    this.#items[(this.#head + this.#length) % this.capacity] = item;
    this.#length++;
    return dropped;
  }

  /** Removes and returns up to `max` items, oldest first. */
  take(max: number): T[] {
    const count = Math.min(max, this.#length);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.#items[this.#head] as T;
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
    }
    this.#length -= count;
    return out;
  }
}
