/**
 * A small typed event emitter: the same on every runtime, unlike Node's
 * EventEmitter, and with no special meaning for "error" (no throw when unheard).
 *
 * @module
 */

/** A listener of event `K` of the event map `E`. */
export type Listener<E, K extends keyof E> = (event: E[K]) => void;

/**
 * Typed events by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Emitter } from "./emitter.ts";
 * const emitter = new Emitter<{ ping: number }>();
 * let seen = 0;
 * const off = emitter.on("ping", (n) => (seen += n));
 * emitter.emit("ping", 2);
 * off();
 * emitter.emit("ping", 5);
 * assert.equal(seen, 2);
 * ```
 */
export class Emitter<E> {
  #listeners = new Map<keyof E, Set<(event: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(name: K, listener: Listener<E, K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, set = new Set());
    set.add(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  /** Adds a listener called at most once. */
  once<K extends keyof E>(name: K, listener: Listener<E, K>): () => void {
    const off = this.on(name, (event) => {
      off();
      listener(event);
    });
    return off;
  }

  /** Removes a listener. */
  off<K extends keyof E>(name: K, listener: Listener<E, K>): void {
    this.#listeners.get(name)?.delete(listener as (event: never) => void);
  }

  /**
   * Calls every listener of `name`. A throwing listener is reported on the
   * next task instead of stopping the others or the client's own bookkeeping.
   */
  emit<K extends keyof E>(name: K, event: E[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<E, K>)(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** The number of listeners of `name`. */
  listenerCount(name: keyof E): number {
    return this.#listeners.get(name)?.size ?? 0;
  }
}
