/**
 * The local hub: channel → subscribers, plus the bus to other nodes.
 *
 * @module
 */

import type { Bus } from "./bus.ts";
import type { FrameData } from "../codec/frame.ts";
import { isWildcard, PatternTrie } from "./pattern_trie.ts";
import { One } from "./_one.ts";

/** The channels of a subscriber, as the hub keeps them (a `Set<string>` will do). */
export interface SubscriberChannels extends Iterable<string> {
  /** How many. */
  readonly size: number;
  /** Whether `channel` is in. */
  has(channel: string): boolean;
  /** Adds `channel`. */
  add(channel: string): unknown;
  /** Removes `channel`. */
  delete(channel: string): boolean;
}

/** Anything that can receive published frames. */
export interface Subscriber {
  /** The channels this subscriber is in; the hub keeps it up to date. */
  readonly channels: SubscriberChannels;
  /** Sends already-serialized frame data. */
  deliver(data: FrameData): void;
}

/**
 * How local delivery happens. The default loops over subscribers; the Bun
 * adapter swaps in native topic publishing.
 */
export interface LocalFanout<S extends Subscriber> {
  /**
   * A subscriber joined a channel or a pattern; `subscribers` is the
   * channel's set with it (read it during the call: the hub swaps a channel's
   * set for another as it grows past one subscriber or shrinks back). A fan-out with this hook is taken to deliver by
   * channel name, and pattern subscribers are then delivered to one by one;
   * without it `fanOut` gets them as a set.
   */
  subscribe?(subscriber: S, channel: string, subscribers: ReadonlySet<S>): void;
  /** A subscriber left a channel; `subscribers` is who is left (maybe none). */
  unsubscribe?(subscriber: S, channel: string, subscribers: ReadonlySet<S>): void;
  /** Delivers `data` to every subscriber of `channel`. */
  fanOut(channel: string, data: FrameData, subscribers: ReadonlySet<S>): void;
}

/** Options of {@linkcode Hub}. */
export interface HubOptions<S extends Subscriber> {
  /** Cross-node fan-out; local only when absent. */
  bus?: Bus;
  /** Local delivery strategy. */
  fanout?: LocalFanout<S>;
  /**
   * Wildcard subscriptions (`sensors.*`, `sensors.>`); an empty trie when
   * absent. Their subscribers are delivered to directly, not through `fanout`.
   */
  patterns?: PatternTrie<S>;
}

const NOBODY: ReadonlySet<never> = new Set();

const loopFanout: LocalFanout<Subscriber> = {
  fanOut(_channel, data, subscribers) {
    for (const subscriber of subscribers) subscriber.deliver(data);
  },
};

/**
 * Keeps channel subscriptions and delivers serialized frames: the same data
 * object goes to every subscriber.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hub } from "@lhttp/lhttp/internal";
 * const hub = new Hub();
 * const inbox: unknown[] = [];
 * const subscriber = { channels: new Set<string>(), deliver: (data: unknown) => inbox.push(data) };
 * hub.subscribe(subscriber, "room");
 * assert.equal(hub.broadcast("room", "LHTTP/1.0 chat\r\n\r\nhi"), 1);
 * assert.deepEqual(inbox, ["LHTTP/1.0 chat\r\n\r\nhi"]);
 * ```
 */
export class Hub<S extends Subscriber = Subscriber> {
  // A channel with one subscriber holds a small One, not a Set (see _one.ts).
  readonly #channels = new Map<string, Set<S> | One<S>>();
  readonly #bus?: Bus;
  readonly #fanout: LocalFanout<S>;
  readonly #patterns: PatternTrie<S>;
  #subscriptions = 0;

  /** Creates a hub; starts the bus when one is given. */
  constructor(options: HubOptions<S> = {}) {
    this.#bus = options.bus;
    this.#fanout = options.fanout ?? loopFanout;
    this.#patterns = options.patterns ?? new PatternTrie();
    this.#bus?.start((channel, data) => this.deliver(channel, data));
  }

  /** The bus, if any. */
  get bus(): Bus | undefined {
    return this.#bus;
  }
  /** Number of channels (and patterns) with at least one local subscriber. */
  get channelCount(): number {
    return this.#channels.size + this.#patterns.size;
  }
  /** Number of (subscriber, channel) pairs. */
  get subscriptionCount(): number {
    return this.#subscriptions;
  }

  /** Number of local subscribers of `channel` (or of a pattern). */
  subscriberCount(channel: string): number {
    if (isWildcard(channel)) return this.#patterns.subscribers(channel)?.size ?? 0;
    return this.#channels.get(channel)?.size ?? 0;
  }

  /** Adds `subscriber` to `channel`; false when it already was. */
  subscribe(subscriber: S, channel: string): boolean {
    if (isWildcard(channel)) {
      const first = this.#patterns.subscribers(channel) === undefined;
      if (first) this.#bus?.subscribe(channel);
      if (!this.#patterns.add(channel, subscriber)) return false;
      subscriber.channels.add(channel);
      this.#subscriptions++;
      this.#fanout.subscribe?.(subscriber, channel, this.#patterns.subscribers(channel)!);
      return true;
    }
    const before = this.#channels.get(channel);
    if (before?.has(subscriber)) return false;
    let subscribers: Set<S> | One<S>;
    if (!before) {
      this.#bus?.subscribe(channel); // first: a bus that refuses the name changes nothing
      subscribers = new One(subscriber);
      this.#channels.set(channel, subscribers);
    } else if (before instanceof One) {
      subscribers = new Set([before.value, subscriber]);
      this.#channels.set(channel, subscribers);
    } else subscribers = before.add(subscriber);
    subscriber.channels.add(channel);
    this.#subscriptions++;
    this.#fanout.subscribe?.(subscriber, channel, subscribers);
    return true;
  }

  /** Removes `subscriber` from `channel`; false when it was not in it. */
  unsubscribe(subscriber: S, channel: string): boolean {
    if (isWildcard(channel)) {
      if (!this.#patterns.remove(channel, subscriber)) return false;
      subscriber.channels.delete(channel);
      this.#subscriptions--;
      const left = this.#patterns.subscribers(channel);
      this.#fanout.unsubscribe?.(subscriber, channel, left ?? NOBODY);
      if (left === undefined) this.#bus?.unsubscribe(channel);
      return true;
    }
    const subscribers = this.#channels.get(channel);
    if (!subscribers?.has(subscriber)) return false;
    let left: ReadonlySet<S> = NOBODY;
    if (subscribers instanceof One) this.#channels.delete(channel);
    else {
      subscribers.delete(subscriber);
      // Back to a One at one subscriber: the Set's memory goes with it.
      if (subscribers.size === 1) {
        const [last] = subscribers;
        this.#channels.set(channel, left = new One(last));
      } else left = subscribers;
    }
    subscriber.channels.delete(channel);
    this.#subscriptions--;
    this.#fanout.unsubscribe?.(subscriber, channel, left);
    if (left.size === 0) this.#bus?.unsubscribe(channel);
    return true;
  }

  /** Removes `subscriber` from every channel, as when its connection closes. */
  unsubscribeAll(subscriber: S): void {
    for (const channel of [...subscriber.channels]) this.unsubscribe(subscriber, channel);
  }

  /** Delivers `data` to local subscribers and hands it to the bus; returns local deliveries. */
  broadcast(channel: string, data: FrameData): number {
    const delivered = this.deliver(channel, data);
    this.#bus?.publish(channel, data);
    return delivered;
  }

  /**
   * Delivers `data` to local subscribers only, of the channel and of the
   * patterns matching it, once to each subscriber; returns how many.
   */
  deliver(channel: string, data: FrameData): number {
    const subscribers = this.#channels.get(channel);
    if (subscribers) this.#fanout.fanOut(channel, data, subscribers);
    const exact = subscribers?.size ?? 0;
    if (this.#patterns.size === 0) return exact;
    let only: ReadonlySet<S> | undefined;
    let many: Set<S> | undefined;
    this.#patterns.match(channel, (matched) => {
      if (!only) return void (only = matched);
      many ??= new Set(only);
      for (const subscriber of matched) many.add(subscriber);
    });
    let targets: ReadonlySet<S> | undefined = many ?? only;
    if (!targets) return exact;
    if (subscribers) {
      const rest = new Set<S>();
      for (const subscriber of targets) if (!subscribers.has(subscriber)) rest.add(subscriber);
      targets = rest;
    }
    // A fan-out that keeps its own topics (Bun's native publish) delivers by
    // channel name, so pattern subscribers get the data one by one; any other
    // (a loop, Node's frame-once writer) is handed them as a set.
    if (this.#fanout.subscribe) { for (const subscriber of targets) subscriber.deliver(data); }
    else if (targets.size) this.#fanout.fanOut(channel, data, targets);
    return exact + targets.size;
  }
}
