/**
 * The webhook events (PROTOCOL.md, "Webhooks") and how one is made.
 *
 * @module
 */

/** The kinds of lifecycle event a webhook reports. */
export type WebhookEventType =
  | "connect"
  | "disconnect"
  | "subscribe"
  | "unsubscribe"
  | "channel_occupied"
  | "channel_vacated";

/** One event of a webhook batch. */
export interface WebhookEvent {
  /** Unique id, for de-duplication (delivery is at least once). */
  id: string;
  /** What happened. */
  type: WebhookEventType;
  /** When, in Unix milliseconds. */
  time: number;
  /** The node that saw it (or that emitted it for a node that died). */
  node: string;
  /** The connection, `<node>-<number>`: unique in the cluster. */
  connection?: string;
  /** The user id `authenticate` returned, when it named one. */
  user?: string;
  /** The channel of subscribe, unsubscribe, occupied and vacated. */
  channel?: string;
  /** Why a connection ended (disconnect only). */
  reason?: string;
  /** How long the connection was open, in ms (disconnect only). */
  durationMs?: number;
}

// Ids: random per process, then a counter. Unique across restarts and nodes, and cheap.
// Drawn on first use: workerd forbids random values at module scope.
let boot: string | undefined;
let sequence = 0;

/**
 * A new event with a fresh id and the current time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { webhookEvent } from "./event.ts";
 * const a = webhookEvent("n1", "subscribe", { connection: "n1-1", channel: "room" });
 * const b = webhookEvent("n1", "subscribe", { connection: "n1-1", channel: "room" });
 * assert.equal(a.type, "subscribe");
 * assert.equal(a.channel, "room");
 * assert.notEqual(a.id, b.id);
 * ```
 */
export function webhookEvent(
  node: string,
  type: WebhookEventType,
  fields: Omit<WebhookEvent, "id" | "type" | "time" | "node"> = {},
): WebhookEvent {
  boot ??= crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  return { id: `${boot}-${(++sequence).toString(36)}`, type, time: Date.now(), node, ...fields };
}
