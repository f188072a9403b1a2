/**
 * The cross-node bus: how a hub reaches subscribers on other nodes.
 *
 * @module
 */

import type { BusStats } from "../telemetry/metrics.ts";
import type { FrameData } from "../codec/frame.ts";
import { isWildcard, PatternTrie } from "./pattern_trie.ts";

/**
 * Bus health, reported by `/healthz` and `/metrics`. `stalled`: connected, but
 * the server has not confirmed what it was sent for longer than the bus's stall
 * deadline (a stopped or overloaded NATS); frames for other nodes are queued,
 * within a bound, and the oldest dropped.
 */
export type BusState =
  | "local"
  | "connecting"
  | "connected"
  | "stalled"
  | "disconnected"
  | "closed";

/**
 * Fan-out between nodes. The hub calls `subscribe` when a channel gets its first
 * local subscriber and `unsubscribe` when the last one leaves; `publish` sends a
 * frame published on this node to the other nodes only (the hub has already
 * delivered it locally). A bus must not hand a node its own frames back.
 *
 * `subscribe` and `unsubscribe` also get wildcard patterns (`sensors.*`,
 * `sensors.>`, PROTOCOL.md section 14): the bus then delivers every frame of
 * a matching channel, named by its concrete channel, once per node however
 * many of the node's subscriptions match (the hub matches again locally). A
 * bus that cannot match patterns keeps wildcard subscriptions local.
 */
export interface Bus {
  /** Current state. */
  readonly state: BusState;
  /** Called once by the hub with the function that delivers remote frames locally. */
  start(deliver: (channel: string, data: FrameData) => void): void | Promise<void>;
  /** Start receiving a channel's frames from other nodes. */
  subscribe(channel: string): void;
  /** Stop receiving a channel's frames from other nodes. */
  unsubscribe(channel: string): void;
  /** Send a frame published on this node to the other nodes. */
  publish(channel: string, data: FrameData): void;
  /** Releases the bus. */
  close(): Promise<void>;
  /**
   * Counters and gauges of a bus that keeps them (the NATS bus does), read
   * fresh on each access, for `/metrics`. Totals only grow; `queuedBytes` and
   * `queuedFrames` are current levels, and `queuedBytes` never exceeds
   * `maxQueuedBytes`.
   */
  readonly stats?: BusStats;
}

/**
 * An in-process broker joining several hubs, for tests and single-process
 * clusters. Each {@linkcode MemoryBroker.connect} call makes one node's bus.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryBroker } from "@lhttp/lhttp";
 * const broker = new MemoryBroker();
 * const a = broker.connect();
 * const b = broker.connect();
 * const got: string[] = [];
 * b.start((channel, data) => got.push(`${channel}:${data}`));
 * b.subscribe("room");
 * a.publish("room", "hello");
 * assert.equal(got[0], "room:hello");
 * ```
 */
export class MemoryBroker {
  readonly #nodes = new Set<MemoryBus>();

  /** Creates the bus of one more node. */
  connect(): Bus {
    const bus = new MemoryBus(this.#nodes);
    this.#nodes.add(bus);
    return bus;
  }
}

class MemoryBus implements Bus {
  state: BusState = "connected";
  readonly channels = new Set<string>();
  readonly patterns = new PatternTrie<true>();
  #deliver?: (channel: string, data: FrameData) => void;

  constructor(private readonly nodes: Set<MemoryBus>) {}

  start(deliver: (channel: string, data: FrameData) => void): void {
    this.#deliver = deliver;
  }
  subscribe(channel: string): void {
    if (isWildcard(channel)) this.patterns.add(channel, true);
    else this.channels.add(channel);
  }
  unsubscribe(channel: string): void {
    if (isWildcard(channel)) this.patterns.remove(channel, true);
    else this.channels.delete(channel);
  }
  publish(channel: string, data: FrameData): void {
    for (const node of this.nodes) {
      if (node !== this && node.wants(channel)) node.#deliver?.(channel, data);
    }
  }
  // Once per node, however many of its subscriptions match.
  wants(channel: string): boolean {
    if (this.channels.has(channel)) return true;
    let matched = false;
    this.patterns.match(channel, () => matched = true);
    return matched;
  }
  close(): Promise<void> {
    this.state = "closed";
    this.nodes.delete(this);
    return Promise.resolve();
  }
}
