/**
 * Join and leave events, coalesced: per channel, the changes of one interval
 * leave as at most one `presence-diff` frame to each watcher. A join and a
 * leave of the same connection inside one interval cancel out.
 *
 * @module
 */

import type { Connection } from "../connection/connection.ts";
import type { Member } from "./channel_members.ts";

/** Where a channel's counts are read when a diff leaves. */
export type Counts = (channel: string) => { clients: number; users: number };

interface Pending {
  changes: Map<string, Member | null>; // a member joined, or null: it left
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Watchers and pending diffs of every channel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Diffs } from "./diffs.ts";
 * const sent: { headers: Map<string, string>; body?: unknown }[] = [];
 * const watcher = { send: (frame: never) => void sent.push(frame) };
 * const diffs = new Diffs(5, () => ({ clients: 1, users: 1 }));
 * diffs.watch(watcher as never, "room");
 * diffs.joined("room", { connection: "n-1" });
 * diffs.joined("room", { connection: "n-2" });
 * diffs.left("room", "n-2");
 * await new Promise((resolve) => setTimeout(resolve, 20));
 * assert.equal(sent.length, 1);
 * assert.deepEqual(JSON.parse(String(sent[0].body)).joins, [{ connection: "n-1" }]);
 * diffs.close();
 * ```
 */
export class Diffs {
  readonly #watchers = new Map<string, Set<Connection>>();
  readonly #pending = new Map<string, Pending>();

  /** Diffs every `intervalMs`, with counts from `counts`. */
  constructor(readonly intervalMs: number, readonly counts: Counts) {}

  /** `connection` gets the diffs of `channel` from now on. */
  watch(connection: Connection, channel: string): void {
    let set = this.#watchers.get(channel);
    if (!set) this.#watchers.set(channel, set = new Set());
    set.add(connection);
  }

  /** `connection` no longer gets the diffs of `channel`. */
  unwatch(connection: Connection, channel: string): void {
    const set = this.#watchers.get(channel);
    if (!set?.delete(connection)) return;
    if (set.size === 0) {
      this.#watchers.delete(channel);
      const pending = this.#pending.get(channel);
      if (pending) clearTimeout(pending.timer);
      this.#pending.delete(channel);
    }
  }

  /** A member joined `channel`. */
  joined(channel: string, member: Member): void {
    this.#change(channel, member.connection, member);
  }

  /** The member of `connection` left `channel`. */
  left(channel: string, connection: string): void {
    this.#change(channel, connection, null);
  }

  /** Stops every timer. */
  close(): void {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
  }

  #change(channel: string, connection: string, member: Member | null): void {
    if (!this.#watchers.has(channel)) return; // nobody asked: nothing is kept
    let pending = this.#pending.get(channel);
    if (!pending) {
      const timer = setTimeout(() => this.#flush(channel), this.intervalMs);
      this.#pending.set(channel, pending = { changes: new Map(), timer });
    }
    const before = pending.changes.get(connection);
    // Joined and left within one interval: the watchers never need to know.
    if (member === null && before) pending.changes.delete(connection);
    else pending.changes.set(connection, member);
  }

  #flush(channel: string): void {
    const pending = this.#pending.get(channel);
    this.#pending.delete(channel);
    const watchers = this.#watchers.get(channel);
    if (!pending || !watchers || pending.changes.size === 0) return;
    const joins: Member[] = [];
    const leaves: { connection: string }[] = [];
    for (const [connection, member] of pending.changes) {
      if (member) joins.push(member);
      else leaves.push({ connection });
    }
    const body = JSON.stringify({ channel, ...this.counts(channel), joins, leaves });
    const headers = new Map([["presence", channel], ["content-type", "application/json"]]);
    for (const watcher of watchers) watcher.send({ command: "presence-diff", headers, body });
  }
}
