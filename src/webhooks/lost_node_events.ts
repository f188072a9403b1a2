/**
 * The events a surviving node emits for the connections of a lost node, with
 * ids derived from the lost connection, so that they are the same whoever
 * emits them (receivers de-duplicate by id).
 *
 * @module
 */

import type { WebhookEvent, WebhookEventType } from "./event.ts";

/** What the ledger keeps of one connection. */
export interface ConnectionRecord {
  /** The user id, when there is one. */
  user?: string;
  /** Its presence info, when it has one. */
  info?: Readonly<Record<string, unknown>>;
  /** When it opened, Unix ms. */
  since: number;
  /** Its channels. */
  channels: string[];
}

/**
 * The unsubscribe and disconnect events of one lost connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reapedEvents } from "./lost_node_events.ts";
 * const events = reapedEvents("me", "dead", "7", { user: "ann", since: 0, channels: ["room"] }, 1000);
 * assert.deepEqual(events.map((e) => [e.type, e.connection, e.channel ?? e.reason]), [
 *   ["unsubscribe", "dead-7", "room"],
 *   ["disconnect", "dead-7", "node_lost"],
 * ]);
 * assert.equal(events[1].id, "lost-dead-7-disconnect", "the same id whoever emits it");
 * ```
 */
export function reapedEvents(
  self: string,
  node: string,
  id: string,
  record: ConnectionRecord,
  now: number,
): WebhookEvent[] {
  const connection = `${node}-${id}`;
  const who = { connection, ...(record.user ? { user: record.user } : {}) };
  return [
    ...record.channels.map((channel) =>
      lostEvent(self, "unsubscribe", `lost-${connection}-unsubscribe-${channel}`, now, {
        ...who,
        channel,
      })
    ),
    lostEvent(self, "disconnect", `lost-${connection}-disconnect`, now, {
      ...who,
      reason: "node_lost",
      durationMs: Math.max(0, now - record.since),
    }),
  ];
}

/** One event of a lost node, with the given id. */
export function lostEvent(
  node: string,
  type: WebhookEventType,
  id: string,
  time: number,
  fields: Partial<WebhookEvent>,
): WebhookEvent {
  return { id, type, time, node, ...fields };
}
