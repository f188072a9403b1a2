/**
 * Members on other nodes of a cluster: what another node's ledger entry says
 * a connection is subscribed to, turned into joins and leaves of this node's
 * presence, so that counts and pages are cluster-wide. Fed by the NATS KV
 * ledger's watch (`ClusterLedger`, option `remote`).
 *
 * @module
 */

import type { PresenceInfo } from "./info.ts";
import type { Presence } from "./presence.ts";

/**
 * Applies remote connection states to a {@linkcode Presence}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Presence } from "./presence.ts";
 * import { RemoteMembers } from "./remote_members.ts";
 * import { resolvePresence } from "./options.ts";
 * import { createLogger } from "../telemetry/log.ts";
 * const presence = new Presence(resolvePresence(), () => ({ presence: true, joinLeave: false }), createLogger("error"));
 * const remote = new RemoteMembers(presence);
 * remote.update("n2-7", { user: "ann", info: { name: "Ann" }, channels: ["a", "b"] });
 * assert.deepEqual(presence.page("a").members[0].info, { name: "Ann" });
 * remote.update("n2-7", { user: "ann", channels: ["b"] });
 * assert.deepEqual([presence.count("a").clients, presence.count("b").clients], [0, 1]);
 * remote.update("n2-7", null); // its node was lost, or it closed
 * assert.equal(presence.count("b").clients, 0);
 * ```
 */
export class RemoteMembers {
  readonly #channels = new Map<string, Set<string>>();

  /** Remote members of `presence`. */
  constructor(readonly presence: Presence) {}

  /** Remote connections known. */
  get size(): number {
    return this.#channels.size;
  }

  /** Connection `id` (`<node>-<n>`) is now in `state.channels`, or gone (`null`). */
  update(
    id: string,
    state: { user?: string; info?: PresenceInfo; channels: readonly string[] } | null,
  ): void {
    const before = this.#channels.get(id) ?? new Set<string>();
    const after = new Set(
      (state?.channels ?? []).filter((channel) => this.presence.policy(channel).presence),
    );
    for (const channel of before) if (!after.has(channel)) this.presence.leave(channel, id);
    for (const channel of after) {
      if (before.has(channel)) continue;
      this.presence.join(channel, {
        connection: id,
        ...(state?.user ? { user: state.user } : {}),
        ...(state?.info ? { info: state.info } : {}),
      });
    }
    if (after.size) this.#channels.set(id, after);
    else this.#channels.delete(id);
  }
}
