/**
 * The members of one channel: O(1) join, leave and counts (clients and
 * unique users), and pages in join order. Members sit in an array by join
 * sequence; a leave leaves a hole that is compacted away once holes
 * outnumber members, so a page is a binary search plus a short scan.
 *
 * @module
 */

import type { PresenceInfo } from "./info.ts";

/** One member of a channel, as clients and receivers see it. */
export interface Member {
  /** The connection, `<node>-<number>`. */
  connection: string;
  /** The user id `authenticate` returned, when it named one. */
  user?: string;
  /** Its small info object, when it has one. */
  info?: PresenceInfo;
}

interface Entry {
  readonly seq: number;
  readonly member: Member;
  gone: boolean;
}

/**
 * Members of one channel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChannelMembers } from "./channel_members.ts";
 * const members = new ChannelMembers("e1");
 * members.join({ connection: "n-1", user: "ann" });
 * members.join({ connection: "n-2", user: "ann" });
 * members.join({ connection: "n-3", user: "bob" });
 * assert.equal(members.clients, 3);
 * assert.equal(members.users, 2);
 * members.leave("n-1");
 * assert.equal(members.users, 2, "ann is still there on n-2");
 * const page = members.page(0, 1);
 * assert.deepEqual(page.members.map((m) => m.connection), ["n-2"]);
 * assert.deepEqual(members.page(page.last, 10).members.map((m) => m.connection), ["n-3"]);
 * ```
 */
export class ChannelMembers {
  readonly #entries: Entry[] = [];
  readonly #byConnection = new Map<string, Entry>();
  readonly #users = new Map<string, number>();
  #nextSeq = 1;
  #holes = 0;

  /** Members of a channel whose presence started at `epoch`. */
  constructor(readonly epoch: string) {}

  /** Connections present. */
  get clients(): number {
    return this.#byConnection.size;
  }
  /** Distinct user ids present. */
  get users(): number {
    return this.#users.size;
  }

  /** Adds (or replaces) a member; false when it replaced one. */
  join(member: Member): boolean {
    const replaced = this.leave(member.connection);
    const entry: Entry = { seq: this.#nextSeq++, member, gone: false };
    this.#entries.push(entry);
    this.#byConnection.set(member.connection, entry);
    if (member.user !== undefined) {
      this.#users.set(member.user, (this.#users.get(member.user) ?? 0) + 1);
    }
    return !replaced;
  }

  /** Removes the member of `connection`; returns it, if it was there. */
  leave(connection: string): Member | undefined {
    const entry = this.#byConnection.get(connection);
    if (!entry) return undefined;
    this.#byConnection.delete(connection);
    entry.gone = true;
    const user = entry.member.user;
    if (user !== undefined) {
      const count = this.#users.get(user)! - 1;
      if (count === 0) this.#users.delete(user);
      else this.#users.set(user, count);
    }
    if (++this.#holes > this.#byConnection.size + 16) this.#compact();
    return entry.member;
  }

  /** The member of `connection`, if present. */
  get(connection: string): Member | undefined {
    return this.#byConnection.get(connection)?.member;
  }

  /** Up to `limit` members that joined after sequence `after`, and the last sequence seen. */
  page(after: number, limit: number): { members: Member[]; last: number; more: boolean } {
    const entries = this.#entries;
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (entries[mid].seq <= after) low = mid + 1;
      else high = mid;
    }
    const members: Member[] = [];
    let last = after;
    let i = low;
    for (; i < entries.length && members.length < limit; i++) {
      if (entries[i].gone) continue;
      members.push(entries[i].member);
      last = entries[i].seq;
    }
    while (i < entries.length && entries[i].gone) i++;
    return { members, last, more: i < entries.length };
  }

  #compact(): void {
    let kept = 0;
    for (const entry of this.#entries) if (!entry.gone) this.#entries[kept++] = entry;
    this.#entries.length = kept;
    this.#holes = 0;
  }
}
