/**
 * The short way for the commonest frame: a plain publish (see
 * `codec/verbatim.ts`) on a server where nothing could change it or refuse
 * it goes to the hub as it came, without a parse, a context or a
 * serialization. What the long way would have done is exactly this: the
 * frame's publication is the frame itself, and it has no `ack` to answer.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";
import { verbatimChannel, type VerbatimLimits } from "../codec/verbatim.ts";
import type { Connection } from "../connection/connection.ts";
import type { Hub } from "../hub/hub.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import type { Middleware, Processor } from "./middleware.ts";

/** What decides whether the short way is open, read live where the server can change it. */
export interface VerbatimPublishOptions {
  /** Parse and channel limits. */
  limits: VerbatimLimits;
  /** Local subscribers and the bus. */
  hub: Hub<Connection>;
  /** Counters. */
  metrics: Metrics;
  /** The application's middleware (read live): any at all closes the short way. */
  middleware: readonly Middleware[];
  /** Processors by command (read live): a frame whose command has one goes the long way. */
  processors: ReadonlyMap<string, Processor>;
  /** Set when a client's publish may be refused: an `authorize` hook or namespace rules. */
  guarded: boolean;
  /** Set when history stamps each publication: then none goes as it came. */
  stamped: boolean;
}

/**
 * Publishes plain publish frames as they came, where nothing could differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "@lhttp/lhttp";
 * import { Connection, Hub, Metrics, VerbatimPublish } from "@lhttp/lhttp/internal";
 * const hub = new Hub<Connection>();
 * const metrics = new Metrics();
 * const sent: unknown[] = [];
 * const peer = { send: (data: unknown) => void sent.push(data), close() {} };
 * const subscriber = new Connection(peer, { maxBufferedBytes: 1024, slowConsumer: "close", metrics });
 * hub.subscribe(subscriber, "room");
 * const verbatim = new VerbatimPublish({
 *   limits: DEFAULT_LIMITS, hub, metrics, middleware: [], processors: new Map(),
 *   guarded: false, stamped: false,
 * });
 * const frame = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi";
 * assert.ok(verbatim.publish(frame));
 * assert.deepEqual(sent, [frame]);
 * assert.ok(!verbatim.publish("LHTTP/1.0 chat\r\npublish:room\r\nack:1\r\n\r\nhi"));
 * ```
 */
export class VerbatimPublish {
  /** The short way over the given parts. */
  constructor(readonly options: VerbatimPublishOptions) {}

  /** Publishes a client's `data` and returns true when it is a plain publish and the way is open. */
  publish(data: FrameData): boolean {
    const options = this.options;
    if (typeof data !== "string" || options.guarded || options.stamped) return false;
    if (options.middleware.length) return false;
    const channel = verbatimChannel(data, options.limits);
    if (channel === undefined) return false;
    // The command sits between the start line's space and the first CR.
    if (options.processors.size && options.processors.has(data.slice(10, data.indexOf("\r")))) {
      return false;
    }
    this.#send(channel, data);
    return true;
  }

  /**
   * Publishes `text` from server code (`POST /publish`, where no hook, middleware
   * or processor applies) when it is a plain publish and history would not
   * stamp it; returns its channel and local deliveries, or undefined.
   */
  publishText(text: string): readonly [channel: string, delivered: number] | undefined {
    if (this.options.stamped) return undefined;
    const channel = verbatimChannel(text, this.options.limits);
    return channel === undefined ? undefined : [channel, this.#send(channel, text)];
  }

  // What PubSub.publish would do for this publication, with the same counts.
  #send(channel: string, data: string): number {
    const { hub, metrics } = this.options;
    const delivered = hub.broadcast(channel, data);
    metrics.bytesOut += delivered * data.length;
    metrics.publishes++;
    return delivered;
  }
}
