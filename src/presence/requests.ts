/**
 * Presence over the socket (PROTOCOL.md, "Presence"): the `presence`,
 * `presence-cursor`, `presence-limit`, `presence-watch` and `presence-info`
 * headers, checked before the frame's other effects and answered after them.
 *
 * @module
 */

import { LhttpError, quote } from "../codec/errors.ts";
import type { Connection } from "../connection/connection.ts";
import type { Context } from "../router/context.ts";
import type { PresenceRequests } from "../router/presence_requests.ts";
import type { PubSub } from "../router/pubsub.ts";
import { PresenceError } from "./errors.ts";
import { parseInfo, type PresenceInfo } from "./info.ts";
import { MAX_PAGE } from "./options.ts";
import type { Presence } from "./presence.ts";

/** The checked presence headers of one frame. */
interface Checked {
  info?: PresenceInfo;
  query?: { channel: string; after: number; limit: number };
  watch: readonly string[];
}

/**
 * The presence step of the pipeline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PresenceFrames } from "./requests.ts";
 * const frames = new PresenceFrames({} as never, {} as never);
 * let ran = false;
 * const ctx = { reply: { headers: new Map() } };
 * frames.around(ctx as never, () => void (ran = true));
 * assert.equal(ran, true, "frames without presence headers go straight through");
 * ```
 */
export class PresenceFrames implements PresenceRequests {
  /** Answers from `presence`, checking channels through `pubsub`. */
  constructor(readonly presence: Presence, readonly pubsub: PubSub) {}

  /** Checks the presence headers, runs `effects`, then applies and answers them. */
  around(ctx: Context, effects: () => void | Promise<void>): void | Promise<void> {
    const headers = ctx.reply.headers;
    if (
      !headers.has("presence") && !headers.has("presence-watch") && !headers.has("presence-info")
    ) {
      return effects();
    }
    const connection = ctx.connection;
    const checked = this.#check(ctx);
    const visible = [...checked.watch];
    if (checked.query) visible.push(checked.query.channel);
    const verdict = visible.length
      ? this.pubsub.authorize("presence", [...new Set(visible)].join(" "), connection, ctx.request)
      : undefined;
    const run = () => {
      const previous = this.presence.infoOf(connection);
      if (checked.info !== undefined) this.presence.setInfo(connection, checked.info);
      const undo = () => this.presence.setInfo(connection, previous);
      let done: void | Promise<void>;
      try {
        done = effects();
      } catch (error) {
        undo();
        throw error;
      }
      const answer = () => this.#answer(connection, checked);
      return done instanceof Promise
        ? done.then(answer, (error) => {
          undo();
          throw error;
        })
        : answer();
    };
    return verdict instanceof Promise ? verdict.then(run) : run();
  }

  #check(ctx: Context): Checked {
    const headers = ctx.reply.headers;
    const connection = ctx.connection;
    const subscribing = new Set(
      headers.has("subscribe") ? this.pubsub.channels(headers.get("subscribe")!) : [],
    );
    const visible = (channel: string, joinLeave: boolean) => {
      const policy = this.presence.policy(channel);
      if (!policy.presence || (joinLeave && !policy.joinLeave)) {
        throw new PresenceError(
          "presence_off",
          `Channel ${quote(channel)} has no ${joinLeave ? "join/leave events" : "presence"}`,
        );
      }
      if (!connection.channels.has(channel) && !subscribing.has(channel)) {
        throw new LhttpError(
          "forbidden",
          `Presence of channel ${quote(channel)} is for its subscribers: subscribe first`,
        );
      }
    };
    const checked: Checked = { watch: [] };
    const info = headers.get("presence-info");
    if (info !== undefined) checked.info = parseInfo(info, this.presence.settings.maxInfoBytes);
    const watch = headers.get("presence-watch");
    if (watch !== undefined) {
      checked.watch = this.pubsub.channels(watch);
      for (const channel of checked.watch) visible(channel, true);
    }
    const query = headers.get("presence");
    if (query !== undefined) {
      const channels = this.pubsub.channels(query);
      if (channels.length !== 1) {
        throw new PresenceError(
          "bad_presence_request",
          `A presence request names one channel, not ${quote(query)}`,
        );
      }
      const channel = channels[0];
      visible(channel, false);
      checked.query = {
        channel,
        after: this.presence.after(channel, headers.get("presence-cursor")),
        limit: readLimit(headers.get("presence-limit"), this.presence.settings.pageSize),
      };
    }
    return checked;
  }

  #answer(connection: Connection, checked: Checked): void {
    if (connection.closed) return;
    for (const channel of checked.watch) {
      if (connection.channels.has(channel)) this.presence.diffs.watch(connection, channel);
    }
    const query = checked.query;
    if (!query) return;
    const page = this.presence.page(query.channel, query.after, query.limit);
    connection.send({
      command: "presence",
      headers: new Map([["presence", query.channel], ["content-type", "application/json"]]),
      body: JSON.stringify(page),
    });
  }
}

/** A `presence-limit` value: 1 to 1000 (default `fallback`). Throws `bad_presence_request`. */
export function readLimit(value: string | null | undefined, fallback: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new PresenceError(
      "bad_presence_request",
      `Presence limit ${quote(value)} must be a whole number from 1 to ${MAX_PAGE}`,
    );
  }
  return limit;
}
