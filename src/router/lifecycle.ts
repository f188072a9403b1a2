/**
 * Lifecycle events of the core: a connection opened or closed, subscribed or
 * unsubscribed. Webhooks and presence observe them; the core calls an
 * observer handed in at construction and never waits for it.
 *
 * @module
 */

import type { Connection } from "../connection/connection.ts";

/** Why a connection ended, as told to observers. */
export interface Disconnect {
  /**
   * `closed` (the socket closed: the client left, the network broke, or a
   * server close the adapter did not name), `shutdown`, or what
   * `server.release(connection, reason)` named. A socket refused at the
   * upgrade (4401/4403) is never reported, neither connected nor disconnected.
   */
  reason: string;
  /** Milliseconds the connection was open. */
  durationMs: number;
}

/**
 * Told of lifecycle events, synchronously and in order. Implementations must
 * not throw and must not block: queue, then return.
 */
export interface LifecycleObserver {
  /** A connection opened. */
  connected?(connection: Connection): void;
  /** A connection closed; its `unsubscribed` events came first. */
  disconnected?(connection: Connection, disconnect: Disconnect): void;
  /** A connection joined a channel (not called again for a repeat). */
  subscribed?(connection: Connection, channel: string): void;
  /** A connection left a channel, by request or because it closed. */
  unsubscribed?(connection: Connection, channel: string): void;
}

/**
 * One observer that tells several, in order; `undefined` when there are none,
 * so that the core's fast path stays a single `undefined` check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { combineObservers } from "./lifecycle.ts";
 * const seen: string[] = [];
 * const observer = combineObservers([
 *   { subscribed: (_c, channel) => void seen.push(`a:${channel}`) },
 *   undefined,
 *   { subscribed: (_c, channel) => void seen.push(`b:${channel}`) },
 * ]);
 * observer?.subscribed?.({} as never, "room");
 * assert.deepEqual(seen, ["a:room", "b:room"]);
 * assert.equal(combineObservers([undefined]), undefined);
 * ```
 */
export function combineObservers(
  observers: readonly (LifecycleObserver | undefined)[],
): LifecycleObserver | undefined {
  const list = observers.filter((o): o is LifecycleObserver => o !== undefined);
  if (list.length <= 1) return list[0];
  return {
    connected: (c) => list.forEach((o) => o.connected?.(c)),
    disconnected: (c, d) => list.forEach((o) => o.disconnected?.(c, d)),
    subscribed: (c, ch) => list.forEach((o) => o.subscribed?.(c, ch)),
    unsubscribed: (c, ch) => list.forEach((o) => o.unsubscribed?.(c, ch)),
  };
}

/**
 * The user id of a connection, from what `authenticate` returned: a string,
 * or an object's `userId` or `user` string (numbers are written as strings).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { userOf } from "./lifecycle.ts";
 * assert.equal(userOf({ data: { userId: 7 } } as never), "7");
 * assert.equal(userOf({ data: "ann" } as never), "ann");
 * assert.equal(userOf({ data: undefined } as never), undefined);
 * ```
 */
export function userOf(connection: Pick<Connection, "data">): string | undefined {
  const data = connection.data;
  if (typeof data === "string") return data;
  if (data === null || typeof data !== "object") return undefined;
  const { userId, user } = data as { userId?: unknown; user?: unknown };
  const id = userId ?? user;
  return typeof id === "string" || typeof id === "number" ? String(id) : undefined;
}
