/**
 * The open connections of a server, and what is released when one closes.
 *
 * @module
 */

import type { Connection, ConnectionOwner } from "../connection/connection.ts";
import type { Hub } from "../hub/hub.ts";
import type { LifecycleObserver } from "./lifecycle.ts";
import type { Pipeline } from "./pipeline.ts";

/** Open connections; releasing one drops its subscriptions and calls `onClose` processors. */
export class ConnectionRegistry implements ConnectionOwner {
  readonly #open = new Set<Connection>();
  // Open times and close reasons, kept only when there is a lifecycle observer.
  readonly #opened = new WeakMap<Connection, number>();
  readonly #reasons = new WeakMap<Connection, string>();

  /** A registry releasing into `hub` and `pipeline`, telling `lifecycle` (optional). */
  constructor(
    readonly hub: Hub<Connection>,
    readonly pipeline: Pipeline,
    readonly lifecycle?: LifecycleObserver,
  ) {}

  /** Open connections. */
  get size(): number {
    return this.#open.size;
  }

  /** Open connections, in the order they opened. */
  values(): IterableIterator<Connection> {
    return this.#open.values();
  }

  /** Counts a new connection in. */
  add(connection: Connection, silent = false): void {
    this.#open.add(connection);
    // A socket refused at the upgrade (4401/4403) is never a connection to observers.
    if (this.lifecycle && !silent) {
      this.#opened.set(connection, Date.now());
      this.lifecycle.connected?.(connection);
    }
  }

  /** Names why `connection` is about to close (kept for the first name only). */
  noteReason(connection: Connection, reason: string): void {
    if (this.lifecycle && !this.#reasons.has(connection)) this.#reasons.set(connection, reason);
  }

  /** The connection closed: forget it everywhere, at once. */
  release(connection: Connection, reason?: string): void {
    if (!this.#open.delete(connection)) return;
    if (reason !== undefined) this.noteReason(connection, reason);
    const lifecycle = this.#opened.has(connection) ? this.lifecycle : undefined;
    const channels = lifecycle?.unsubscribed ? [...connection.channels] : undefined;
    this.hub.unsubscribeAll(connection);
    if (lifecycle) {
      for (const channel of channels ?? []) lifecycle.unsubscribed!(connection, channel);
      const opened = this.#opened.get(connection)!;
      lifecycle.disconnected?.(connection, {
        reason: this.#reasons.get(connection) ?? "closed",
        durationMs: Date.now() - opened,
      });
    }
    this.pipeline.closed(connection);
  }
}
