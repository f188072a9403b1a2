/**
 * Lifecycle webhooks of one node: a {@linkcode LifecycleObserver} that turns
 * connects, disconnects, subscribes and unsubscribes into signed, batched
 * events, with `channel_occupied` / `channel_vacated` from the node's own
 * subscriber counts (vacated only after `vacateDelayMs` without a return).
 *
 * @module
 */

import type { Connection } from "../connection/connection.ts";
import { type Disconnect, type LifecycleObserver, userOf } from "../router/lifecycle.ts";
import type { Logger } from "../telemetry/log.ts";
import { type WebhookEvent, webhookEvent, type WebhookEventType } from "./event.ts";
import type { WebhookSettings } from "./options.ts";
import { type WebhookSender, WebhookSender as Sender, type WebhookStats } from "./sender.ts";
import { importSecret } from "./signature.ts";

/**
 * Sends the lifecycle events of a server to its webhook endpoints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Webhooks } from "./webhooks.ts";
 * import { resolveWebhooks } from "./options.ts";
 * import { createLogger } from "../telemetry/log.ts";
 * const bodies: string[] = [];
 * const fetcher = ((_url: URL, init: RequestInit) => {
 *   bodies.push(String(init.body));
 *   return Promise.resolve(new Response("ok"));
 * }) as unknown as typeof fetch;
 * const settings = resolveWebhooks({ endpoints: ["http://h.test/in"], secret: "s", node: "n1" }, ["http://h.test/"], fetcher);
 * const webhooks = new Webhooks(settings, createLogger("error"));
 * webhooks.connected({ id: 1, data: { userId: "ann" } } as never);
 * await webhooks.idle();
 * const [event] = JSON.parse(bodies[0]).events;
 * assert.equal(event.type, "connect");
 * assert.equal(event.connection, "n1-1");
 * assert.equal(event.user, "ann");
 * webhooks.close();
 * ```
 */
export class Webhooks implements LifecycleObserver {
  readonly #senders: WebhookSender[];
  readonly #types: ReadonlySet<WebhookEventType>;
  // Local subscribers per channel, and the vacated events waiting out their delay.
  readonly #occupancy = new Map<string, number>();
  readonly #vacating = new Map<string, ReturnType<typeof setTimeout>>();

  /** Webhooks for `settings`; the signing key is imported once. */
  constructor(readonly settings: WebhookSettings, logger: Logger) {
    const key = importSecret(settings.secret);
    this.#senders = settings.endpoints.map((url) => new Sender(url, settings, key, logger));
    this.#types = new Set(settings.events);
  }

  /** The id of `connection` in events: `<node>-<number>`. */
  connectionId(connection: Pick<Connection, "id">): string {
    return `${this.settings.node}-${connection.id}`;
  }

  /** Counters over every endpoint. */
  stats(): WebhookStats {
    const total = { queued: 0, sent: 0, retried: 0, dropped: 0 };
    for (const { stats } of this.#senders) {
      total.queued += stats.queued;
      total.sent += stats.sent;
      total.retried += stats.retried;
      total.dropped += stats.dropped;
    }
    return total;
  }

  /** Queues `event` toward every endpoint, when its type is sent. */
  emit(event: WebhookEvent): void {
    if (!this.#types.has(event.type)) return;
    for (const sender of this.#senders) sender.enqueue(event);
  }

  /** A connection opened. */
  connected(connection: Connection): void {
    this.#emit("connect", connection);
  }

  /** A connection closed. */
  disconnected(connection: Connection, disconnect: Disconnect): void {
    this.#emit("disconnect", connection, { ...disconnect });
  }

  /** A connection joined `channel`. */
  subscribed(connection: Connection, channel: string): void {
    this.#emit("subscribe", connection, { channel });
    const count = this.#occupancy.get(channel) ?? 0;
    this.#occupancy.set(channel, count + 1);
    if (count > 0) return;
    const pending = this.#vacating.get(channel);
    if (pending !== undefined) {
      // Back within the delay: it never looked vacated, so it is not occupied anew.
      clearTimeout(pending);
      this.#vacating.delete(channel);
    } else {
      this.emit(webhookEvent(this.settings.node, "channel_occupied", { channel }));
    }
  }

  /** A connection left `channel`. */
  unsubscribed(connection: Connection, channel: string): void {
    this.#emit("unsubscribe", connection, { channel });
    const count = (this.#occupancy.get(channel) ?? 1) - 1;
    if (count > 0) return void this.#occupancy.set(channel, count);
    this.#occupancy.delete(channel);
    const timer = setTimeout(() => {
      this.#vacating.delete(channel);
      this.emit(webhookEvent(this.settings.node, "channel_vacated", { channel }));
    }, this.settings.vacateDelayMs);
    this.#vacating.set(channel, timer);
  }

  /** Resolves when every endpoint's queue is empty (vacated events still waiting excepted). */
  async idle(): Promise<void> {
    await Promise.all(this.#senders.map((sender) => sender.idle()));
  }

  /** Stops every timer. */
  close(): void {
    for (const timer of this.#vacating.values()) clearTimeout(timer);
    this.#vacating.clear();
    for (const sender of this.#senders) sender.close();
  }

  #emit(type: WebhookEventType, connection: Connection, fields: Partial<WebhookEvent> = {}): void {
    if (!this.#types.has(type)) return;
    const user = userOf(connection);
    this.emit(webhookEvent(this.settings.node, type, {
      connection: this.connectionId(connection),
      ...(user === undefined ? {} : { user }),
      ...fields,
    }));
  }
}
