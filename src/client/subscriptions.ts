/**
 * The channels a client wants to be subscribed to: what it restores after a
 * reconnect and where it routes delivered frames.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";
import { isPattern, patternMatches } from "../codec/patterns.ts";
import { channelsOf } from "./frames.ts";

/** Called with each frame delivered on a subscribed channel. */
export type FrameHandler = (frame: Frame) => void;

/**
 * One subscribed channel and everyone listening to it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame } from "../codec/frame.ts";
 * import { SubscriptionRecord } from "./subscriptions.ts";
 * const record = new SubscriptionRecord("room", createFrame({ command: "subscribe" }));
 * record.confirm();
 * record.fail(new Error("too late: ready settles once"));
 * assert.equal(await record.ready, undefined);
 * ```
 */
export class SubscriptionRecord {
  /** The channel. */
  readonly channel: string;
  /** The frame that subscribes (re-sent after every reconnect). */
  readonly frame: Frame;
  /** One entry per `subscribe()` call still active. */
  readonly listeners: Set<{ handler?: FrameHandler }> = new Set();
  /** Settles on the first acknowledgement (or refusal) of the subscription. */
  readonly ready: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: Error) => void;
  #settled = false;

  /** Creates a record for `channel`, subscribed by `frame`. */
  constructor(channel: string, frame: Frame) {
    this.channel = channel;
    this.frame = frame;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody has to await `ready`: an unobserved refusal must not crash the
    // program as an unhandled rejection (it is also emitted as an "error" event).
    this.ready.catch(() => {});
  }

  /** Resolves `ready` (once). */
  confirm(): void {
    if (!this.#settled) (this.#settled = true, this.#resolve());
  }

  /** Rejects `ready` (once). */
  fail(error: Error): void {
    if (!this.#settled) (this.#settled = true, this.#reject(error));
  }
}

/**
 * Subscribed channels by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame } from "../codec/frame.ts";
 * import { Subscriptions } from "./subscriptions.ts";
 * const subs = new Subscriptions();
 * const seen: string[] = [];
 * subs.add("room", createFrame({ command: "subscribe" })).listeners
 *   .add({ handler: (frame) => seen.push(String(frame.body)) });
 * subs.dispatch(createFrame({ command: "chat", headers: { publish: "room" }, body: "hi" }));
 * assert.deepEqual(seen, ["hi"]);
 * subs.add("sensors.*", createFrame({ command: "subscribe" })).listeners
 *   .add({ handler: (frame) => seen.push(`${frame.headers.get("publish")}: ${frame.body}`) });
 * subs.dispatch(createFrame({ command: "t", headers: { publish: "sensors.attic" }, body: "21" }));
 * subs.dispatch(createFrame({ command: "t", headers: { publish: "sensors.attic.b" }, body: "9" }));
 * assert.deepEqual(seen, ["hi", "sensors.attic: 21"], "a pattern gets the channels it matches");
 * ```
 */
export class Subscriptions {
  #records = new Map<string, SubscriptionRecord>();
  // The wildcard records too, in subscription order, matched against each delivered channel.
  #patterns: SubscriptionRecord[] = [];

  /** The record of `channel`, if subscribed. */
  get(channel: string): SubscriptionRecord | undefined {
    return this.#records.get(channel);
  }

  /** Adds a record for `channel` (which must not have one). */
  add(channel: string, frame: Frame): SubscriptionRecord {
    const record = new SubscriptionRecord(channel, frame);
    this.#records.set(channel, record);
    if (isPattern(channel)) this.#patterns.push(record);
    return record;
  }

  /** Removes `record` if it is still the one for its channel; true when it was. */
  remove(record: SubscriptionRecord): boolean {
    if (this.#records.get(record.channel) !== record) return false;
    this.#records.delete(record.channel);
    if (isPattern(record.channel)) this.#patterns = this.#patterns.filter((p) => p !== record);
    return true;
  }

  /** Every record, in subscription order. */
  all(): SubscriptionRecord[] {
    return [...this.#records.values()];
  }

  /**
   * Calls the handlers of each subscribed channel named in the frame's
   * `publish` header, and of each subscribed pattern that matches one.
   */
  dispatch(frame: Frame): void {
    for (const channel of channelsOf(frame)) {
      const record = this.#records.get(channel);
      if (record && !isPattern(channel)) notify(record, frame);
      for (const pattern of this.#patterns) {
        if (patternMatches(pattern.channel, channel)) notify(pattern, frame);
      }
    }
  }
}

function notify(record: SubscriptionRecord, frame: Frame): void {
  for (const listener of [...record.listeners]) {
    try {
      listener.handler?.(frame);
    } catch (error) {
      // One failing handler must not starve the others or the client.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
