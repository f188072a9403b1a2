/**
 * The subscribing half of `LhttpClient`: its subscriptions, their positions
 * on channels with history, and what is re-sent after a reconnect or a gap.
 *
 * @module
 */

import { createFrame, type Frame } from "../codec/frame.ts";
import { isPattern, parseTargets } from "../codec/patterns.ts";
import type { ClientCore } from "./client_core.ts";
import { ClientError, RemoteError } from "./errors.ts";
import { type GapEvent, PositionTracker } from "./positions.ts";
import type { SubscribeOptions, Subscription } from "./subscribe_options.ts";
import { type FrameHandler, type SubscriptionRecord, Subscriptions } from "./subscriptions.ts";

// Subscriptions that failed with these are re-sent by restore() after the reconnect.
const RETRIED = new Set(["disconnected", "unauthorized", "forbidden"]);

/**
 * Subscriptions of one client, sent through its core.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Subscriber } from "./_subscriber.ts";
 * const sent: unknown[] = [];
 * const core = { state: "connecting", acking: true, transmit: (f: unknown) => (sent.push(f), new Promise(() => {})) };
 * const subscriber = new Subscriber(core as never);
 * const unsubscribe = subscriber.subscribe("room");
 * assert.deepEqual([unsubscribe.channel, sent.length], ["room", 0], "sent once open");
 * subscriber.restore();
 * assert.equal(sent.length, 1);
 * ```
 */
export class Subscriber {
  readonly #subscriptions = new Subscriptions();
  readonly #positions = new PositionTracker();

  /** Subscriptions sent through `core`. */
  constructor(private readonly core: ClientCore) {}

  /** See `LhttpClient.subscribe`. */
  subscribe(channel: string, handler?: FrameHandler, options: SubscribeOptions = {}): Subscription {
    const [name, ...more] = parseTargets(channel, { patterns: true });
    if (more.length > 0) throw new TypeError("subscribe() takes one channel");
    let record = this.#subscriptions.get(name);
    if (!record) {
      const frame = createFrame({
        command: options.command ?? "subscribe",
        headers: options.headers,
        body: options.body ?? "",
      });
      frame.headers.set("subscribe", name);
      record = this.#subscriptions.add(name, frame);
      if (this.core.state === "open") this.#send(record);
      if (this.core.state === "closed") {
        record.fail(new ClientError("closed", "The client is closed"));
      }
    }
    const listener = { handler };
    record.listeners.add(listener);
    const current = record;
    const unsubscribe = () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0 || !this.#subscriptions.remove(current)) {
        return Promise.resolve();
      }
      this.#positions.forget(name);
      current.fail(new ClientError("closed", "Unsubscribed before the server acknowledged"));
      if (this.core.state !== "open") return Promise.resolve();
      return this.core.transmit(
        createFrame({ command: "unsubscribe", headers: { unsubscribe: name } }),
        this.core.acking,
      );
    };
    return Object.assign(unsubscribe, { channel: name, ready: current.ready });
  }

  /** The position held for a subscribed channel with history. */
  position(channel: string): { offset: number; epoch: string } | undefined {
    return this.#positions.get(channel);
  }

  /** The channels subscribed to (or to be subscribed once connected). */
  get channels(): string[] {
    return this.#subscriptions.all().map((record) => record.channel);
  }

  /** Re-sends every subscription on a fresh socket. */
  restore(): void {
    for (const record of this.#subscriptions.all()) this.#send(record);
  }

  /**
   * Tracks positions from `frame`; false for a frame to drop (a duplicate, or
   * one past a gap that is being repaired).
   */
  observe(frame: Frame): boolean {
    const position = this.#positions.position(frame);
    if (position) {
      this.core.events.emit("subscribed", position);
      return true;
    }
    return this.#positions.accept(frame, (gap) => this.#gap(gap));
  }

  /** Calls the handlers of the subscriptions `frame` is for. */
  dispatch(frame: Frame): void {
    this.#subscriptions.dispatch(frame);
  }

  /** Fails the subscriptions still waiting for their first answer. */
  fail(error: ClientError): void {
    for (const record of this.#subscriptions.all()) record.fail(error);
  }

  // A live subscription missed publications: subscribe again from its position.
  #gap(gap: GapEvent): void {
    this.core.events.emit("gap", gap);
    const record = this.#subscriptions.get(gap.channel);
    if (record && this.core.state === "open") this.#send(record);
  }

  #send(record: SubscriptionRecord): void {
    // Every subscribe asks for its position, and after a reconnect or a gap
    // for what was missed (PROTOCOL.md section 13); other servers ignore it.
    // A pattern has no position of its own (history is per concrete channel).
    if (!isPattern(record.channel)) {
      record.frame.headers.set("recover", this.#positions.recoverEntry(record.channel));
    }
    this.core.transmit(record.frame, this.core.acking).then(() => record.confirm(), (error) => {
      if (error instanceof RemoteError) {
        // Refused: retrying after every reconnect would be refused again.
        this.#subscriptions.remove(record);
        this.#positions.forget(record.channel);
        record.fail(error);
        this.core.events.emit("error", error);
      } else if (
        !(error instanceof ClientError && RETRIED.has(error.code) && this.core.state !== "closed")
      ) {
        // A lost connection or a refused login that reconnects: restore()
        // re-sends the subscription on the next socket.
        record.fail(error);
      }
    });
  }
}
