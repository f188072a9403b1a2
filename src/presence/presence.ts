/**
 * Presence of one node: who is subscribed to each presence channel, kept from
 * the core's lifecycle events. Counts are O(1); members come in pages with
 * opaque cursors; watchers get coalesced join/leave diffs.
 *
 * @module
 */

import type { Connection } from "../connection/connection.ts";
import { type LifecycleObserver, userOf as defaultUserOf } from "../router/lifecycle.ts";
import type { Logger } from "../telemetry/log.ts";
import { ChannelMembers, type Member } from "./channel_members.ts";
import { Cursors } from "./cursor.ts";
import { Diffs } from "./diffs.ts";
import { infoFromData, type PresenceInfo } from "./info.ts";
import type { PresenceSettings } from "./options.ts";

/** Which channels keep presence, and which publish join/leave diffs. */
export type PresencePolicy = (channel: string) => { presence: boolean; joinLeave: boolean };

/** One page of a channel's presence. */
export interface PresencePage {
  /** The channel. */
  channel: string;
  /** Connections present (all pages). */
  clients: number;
  /** Distinct users present (all pages). */
  users: number;
  /** This page's members, in join order. */
  members: Member[];
  /** The cursor of the next page, or null on the last. */
  next: string | null;
}

/**
 * Presence, fed by lifecycle events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Presence } from "./presence.ts";
 * import { resolvePresence } from "./options.ts";
 * import { createLogger } from "../telemetry/log.ts";
 * const presence = new Presence(resolvePresence({ node: "n" }), () => ({ presence: true, joinLeave: false }), createLogger("error"));
 * presence.subscribed({ id: 1, data: { user: "ann", presenceInfo: { name: "Ann" } } } as never, "room");
 * assert.deepEqual(presence.count("room"), { clients: 1, users: 1 });
 * assert.deepEqual(presence.page("room").members, [{ connection: "n-1", user: "ann", info: { name: "Ann" } }]);
 * presence.close();
 * ```
 */
export class Presence implements LifecycleObserver {
  /** Page cursors of this node. */
  readonly cursors: Cursors = new Cursors();
  /** Watchers and pending join/leave diffs. */
  readonly diffs: Diffs;
  readonly #channels = new Map<string, ChannelMembers>();
  readonly #info = new WeakMap<Connection, PresenceInfo | undefined>();
  readonly #members = new WeakMap<Connection, Member>();
  #epoch = 0;

  /** Presence under `settings`, for the channels `policy` names. */
  constructor(
    readonly settings: PresenceSettings,
    readonly policy: PresencePolicy,
    readonly logger: Logger,
    readonly userOf: (data: unknown) => string | undefined = (data) => defaultUserOf({ data }),
  ) {
    this.diffs = new Diffs(settings.diffIntervalMs, (channel) => this.count(channel));
  }

  /** The id of `connection` among members: `<node>-<number>`. */
  memberId(connection: Pick<Connection, "id">): string {
    return `${this.settings.node}-${connection.id}`;
  }

  /** Counts of `channel`, O(1). */
  count(channel: string): { clients: number; users: number } {
    const members = this.#channels.get(channel);
    return { clients: members?.clients ?? 0, users: members?.users ?? 0 };
  }

  /** The members of `channel` at this moment, when it has any. */
  members(channel: string): ChannelMembers | undefined {
    return this.#channels.get(channel);
  }

  /** Sets the info `connection` shows in channels it joins from now on. */
  setInfo(connection: Connection, info: PresenceInfo | undefined): void {
    this.#info.set(connection, info);
    this.#members.delete(connection); // its next joins show the new info
  }
  /** The info `connection` set, or undefined when it set none. */
  infoOf(connection: Connection): PresenceInfo | undefined {
    return this.#info.get(connection);
  }

  /** The sequence a cursor continues after (0 without one); throws on forged or stale ones. */
  after(channel: string, cursor: string | undefined): number {
    if (cursor === undefined) return 0;
    return this.cursors.read(cursor, channel, this.#channels.get(channel)?.epoch ?? "");
  }

  /** A page of `channel`: `limit` members after `after` (a sequence from {@linkcode after}). */
  page(channel: string, after = 0, limit: number = this.settings.pageSize): PresencePage {
    const members = this.#channels.get(channel);
    if (!members) return { channel, clients: 0, users: 0, members: [], next: null };
    // Counts only: O(1), whatever the size of the channel.
    if (limit === 0) {
      return { channel, clients: members.clients, users: members.users, members: [], next: null };
    }
    const page = members.page(after, limit);
    return {
      channel,
      clients: members.clients,
      users: members.users,
      members: page.members,
      next: page.more ? this.cursors.issue(channel, members.epoch, page.last) : null,
    };
  }

  /** A connection joined `channel`. */
  subscribed(connection: Connection, channel: string): void {
    if (!this.policy(channel).presence) return;
    this.join(channel, this.#memberOf(connection));
  }

  /** A connection left `channel`. */
  unsubscribed(connection: Connection, channel: string): void {
    this.diffs.unwatch(connection, channel);
    this.leave(channel, this.#members.get(connection)?.connection ?? this.memberId(connection));
  }

  /** Adds `member` to `channel` (a local one, or one of another node: `RemoteMembers`). */
  join(channel: string, member: Member): void {
    let members = this.#channels.get(channel);
    if (!members) {
      members = new ChannelMembers(`${this.settings.node}${(++this.#epoch).toString(36)}`);
      this.#channels.set(channel, members);
    }
    members.join(member);
    this.diffs.joined(channel, member);
  }

  /** Removes the member `id` from `channel`, if it is there. */
  leave(channel: string, id: string): void {
    const members = this.#channels.get(channel);
    if (!members?.leave(id)) return;
    if (members.clients === 0) this.#channels.delete(channel);
    this.diffs.left(channel, id);
  }

  /** Stops the diff timers. */
  close(): void {
    this.diffs.close();
  }

  /** The member `connection` shows in the channels it joins: id, user, info. */
  member(connection: Connection): Member {
    return this.#memberOf(connection);
  }

  // One member object per connection, shared by its channels (made on its first join).
  #memberOf(connection: Connection): Member {
    let member = this.#members.get(connection);
    if (member) return member;
    member = { connection: this.memberId(connection) };
    const user = this.userOf(connection.data);
    if (user !== undefined) member.user = user;
    const info = this.#info.has(connection)
      ? this.#info.get(connection)
      : this.#dataInfo(connection);
    if (info !== undefined) member.info = info;
    this.#members.set(connection, member);
    return member;
  }

  #dataInfo(connection: Connection): PresenceInfo | undefined {
    try {
      return infoFromData(connection.data, this.settings.maxInfoBytes);
    } catch (error) {
      this.logger.log("warn", "presence info from authenticate refused", {
        connection: connection.id,
        error: (error as Error).message,
      });
      return undefined;
    }
  }
}
