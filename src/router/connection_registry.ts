/**
 * The open connections of a server, and what is released when one closes.
 *
 * @module
 */

import type { Connection, ConnectionOwner } from "../connection/connection.ts";
import type { Hub } from "../hub/hub.ts";
import type { Pipeline } from "./pipeline.ts";

/** Open connections; releasing one drops its subscriptions and calls `onClose` processors. */
export class ConnectionRegistry implements ConnectionOwner {
  readonly #open = new Set<Connection>();

  /** A registry releasing into `hub` and `pipeline`. */
  constructor(readonly hub: Hub<Connection>, readonly pipeline: Pipeline) {}

  /** Open connections. */
  get size(): number {
    return this.#open.size;
  }

  /** Open connections, in the order they opened. */
  values(): IterableIterator<Connection> {
    return this.#open.values();
  }

  /** Counts a new connection in. */
  add(connection: Connection): void {
    this.#open.add(connection);
  }

  /** The connection closed: forget it everywhere, at once. */
  release(connection: Connection): void {
    if (!this.#open.delete(connection)) return;
    this.hub.unsubscribeAll(connection);
    this.pipeline.closed(connection);
  }
}
