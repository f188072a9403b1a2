/**
 * The one place that validates channel lists, applies authorization, enforces
 * the subscription limit and serializes a publication.
 *
 * Authorization, stated once: what a client's frame asks for (its `subscribe`,
 * `publish` and `upstream` headers) goes through the `authorize` hook; what
 * server code does (`server.subscribe`, `ctx.subscribe`, `server.publish`) is
 * the application's own decision and is not authorized again. Limits and
 * channel validation apply to both.
 *
 * @module
 */

import { LhttpError, quote } from "../codec/errors.ts";
import type { Frame } from "../codec/frame.ts";
import { withoutHopByHop } from "../codec/hop_by_hop.ts";
import type { Limits } from "../codec/limits.ts";
import { serializeFrame } from "../codec/serialize.ts";
import type { Connection } from "../connection/connection.ts";
import type { Hub } from "../hub/hub.ts";
import type { Namespaces } from "../namespaces/namespaces.ts";
import { ChannelLists } from "./_channel_lists.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import type { History } from "../history/history.ts";
import { type ClusterHistory, isClusterHistory, publishFirst } from "../history/cluster_history.ts";
import { answerFromCluster, latestChannels, replayFromCluster } from "../history/cluster_replay.ts";
import { parseRecover, type RecoverRequest } from "../history/positions.ts";
import { answerHistory, type HistoryQuery, parseHistoryQuery } from "../history/history_query.ts";
import { replayBeforeSubscribe, stampPublication } from "../history/replay.ts";
import type { LifecycleObserver } from "./lifecycle.ts";

/** What the `authorize` hook is asked. */
export interface AuthorizeRequest {
  /** The act asked for. */
  action: "subscribe" | "publish" | "upstream" | "presence";
  /** The channel list (space-separated) or the upstream URL. */
  target: string;
  /** The connection asking. */
  connection: Connection;
  /** The frame that asks. */
  frame: Frame;
}

/** The application's authorization hook: `false` refuses with 403 `forbidden`. */
export type Authorize = (request: AuthorizeRequest) => boolean | Promise<boolean>;

/** What a {@linkcode PubSub} is built from. */
export interface PubSubOptions {
  /** Local subscribers and the bus. */
  hub: Hub<Connection>;
  /** Channel and subscription limits. */
  limits: Limits;
  /** Counters. */
  metrics: Metrics;
  /** The application's authorization hook, for client frames. */
  authorize?: Authorize;
  /** Channel history (PROTOCOL.md section 13); none when absent. */
  history?: History | ClusterHistory;
  /** Told of each subscription that starts or ends (webhooks, presence). */
  lifecycle?: LifecycleObserver;
  /**
   * Per-prefix channel policy: client permissions, user-limited channels,
   * subscribers per channel and which hook authorizes. Without it every
   * channel has the defaults and `authorize` decides.
   */
  namespaces?: Namespaces<Authorize>;
}

/**
 * Subscriptions and publications of one server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "@lhttp/lhttp";
 * import { Connection, Hub, Metrics, PubSub } from "@lhttp/lhttp/internal";
 * const metrics = new Metrics();
 * const pubsub = new PubSub({ hub: new Hub(), limits: DEFAULT_LIMITS, metrics });
 * const sent: unknown[] = [];
 * const peer = { send: (data: unknown) => void sent.push(data), close() {} };
 * const connection = new Connection(peer, { maxBufferedBytes: 1024, slowConsumer: "close", metrics });
 * pubsub.subscribe(connection, pubsub.channels("a b"));
 * pubsub.publish(["a", "b"], { command: "chat", headers: new Map([["ack", "1"]]), body: "hi" });
 * assert.deepEqual(sent, ["LHTTP/1.0 chat\r\npublish:a\r\n\r\nhi", "LHTTP/1.0 chat\r\npublish:b\r\n\r\nhi"]);
 * ```
 */
export class PubSub {
  readonly #hub: Hub<Connection>;
  readonly #limits: Limits;
  readonly #lists: ChannelLists;
  readonly #metrics: Metrics;
  readonly #authorize?: Authorize;
  readonly #history?: History;
  readonly #cluster?: ClusterHistory;
  readonly #lifecycle?: LifecycleObserver;
  readonly #namespaces?: Namespaces<Authorize>;

  /** Creates the pub/sub of a server. */
  constructor(options: PubSubOptions) {
    this.#hub = options.hub;
    this.#limits = options.limits;
    this.#lists = new ChannelLists(options.limits);
    this.#metrics = options.metrics;
    this.#authorize = options.authorize;
    if (isClusterHistory(options.history)) {
      // Publications of its channels come back stamped, from every node: local delivery only.
      this.#cluster = options.history;
      this.#cluster.start((channel, data) => {
        this.#metrics.bytesOut += this.#hub.deliver(channel, data) * data.length;
      });
    } else this.#history = options.history;
    this.#lifecycle = options.lifecycle;
    this.#namespaces = options.namespaces;
  }

  /** Parses and validates a channel list (repeats once); `patterns` accepts wildcards. */
  channels(value: string | readonly string[], patterns = false): readonly string[] {
    return this.#lists.parse(value, patterns);
  }

  /** Throws `subscription_limit` when `connection` cannot take `channels` too. */
  checkCapacity(connection: Connection, channels: readonly string[]): void {
    let added = 0;
    for (const channel of channels) if (!connection.channels.has(channel)) added++;
    const max = this.#limits.maxSubscriptions;
    if (connection.channels.size + added > max) {
      throw new LhttpError(
        "subscription_limit",
        `A connection may hold at most ${max} subscriptions`,
      );
    }
    if (!this.#namespaces?.rules.length) return;
    for (const channel of channels) {
      const most = this.#namespaces.resolve(channel).maxSubscribers;
      if (connection.channels.has(channel) || this.#hub.subscriberCount(channel) < most) continue;
      throw new LhttpError(
        "subscription_limit",
        `Channel ${quote(channel)} already has its maximum of ${most} subscribers`,
      );
    }
  }

  /** Asks the hook whether a client frame may do `action` on `target` (a list or its text); throws `forbidden`. */
  authorize(
    action: AuthorizeRequest["action"],
    target: string | readonly string[],
    connection: Connection,
    frame: Frame,
  ): void | Promise<void> {
    const namespaces = this.#namespaces;
    // Without rules a client may publish anywhere; subscribing still checks user channels.
    const checked = action === "subscribe" || (action === "publish" && namespaces?.rules.length);
    if (namespaces && checked) {
      return this.#authorizeEach(namespaces, action, target, connection, frame);
    }
    const authorize = this.#authorize;
    if (!authorize) return;
    const text = typeof target === "string" ? target : target.join(" ");
    const check = (allowed: boolean) => {
      if (!allowed) throw new LhttpError("forbidden", `Not allowed to ${action} ${quote(text)}`);
    };
    const verdict = authorize({ action, target: text, connection, frame });
    return verdict instanceof Promise ? verdict.then(check) : check(verdict);
  }

  // Namespace checks per channel, then each hook once with its channels.
  #authorizeEach(
    namespaces: Namespaces<Authorize>,
    action: "subscribe" | "publish",
    target: string | readonly string[],
    connection: Connection,
    frame: Frame,
  ): void | Promise<void> {
    const groups = new Map<Authorize | undefined, string[]>();
    for (const channel of typeof target === "string" ? target.split(" ") : target) {
      if (action === "subscribe") namespaces.checkSubscribe(channel, connection.data);
      else namespaces.checkPublish(channel);
      const hook = namespaces.hookOf(channel, this.#authorize);
      const group = groups.get(hook);
      if (group) group.push(channel);
      else groups.set(hook, [channel]);
    }
    const verdicts: Promise<void>[] = [];
    for (const [hook, channels] of groups) {
      if (!hook) continue;
      const list = channels.join(" ");
      const check = (allowed: boolean) => {
        if (!allowed) throw new LhttpError("forbidden", `Not allowed to ${action} ${quote(list)}`);
      };
      const verdict = hook({ action, target: list, connection, frame });
      if (verdict instanceof Promise) verdicts.push(verdict.then(check));
      else check(verdict);
    }
    if (verdicts.length) return Promise.all(verdicts).then(() => {});
  }

  /** Subscribes `connection` to validated `channels`, within the subscription limit. */
  subscribe(
    connection: Connection,
    channels: readonly string[],
    recover?: RecoverRequest,
  ): void | Promise<void> {
    this.checkCapacity(connection, channels);
    const cluster = this.#cluster;
    if (!cluster && (this.#history || recover)) {
      replayBeforeSubscribe(this.#history, connection, channels, recover);
    }
    // Asked before subscribing (a latest value is for a new subscriber), read after.
    const latest = cluster ? latestChannels(cluster, connection.channels, channels, recover) : [];
    const lifecycle = this.#lifecycle;
    for (const channel of channels) {
      if (this.#hub.subscribe(connection, channel)) lifecycle?.subscribed?.(connection, channel);
    }
    if (cluster && (recover || latest.length)) {
      return replayFromCluster(cluster, connection, latest, recover);
    }
  }

  /** Reads a frame's `recover` header against its subscribe list; throws `bad_position`. */
  positions(value: string, subscribing: readonly string[]): RecoverRequest {
    return parseRecover(value, subscribing);
  }

  /** Reads a history query from a frame's headers; throws its 400 errors. */
  historyQuery(headers: ReadonlyMap<string, string>): HistoryQuery {
    const limit = (this.#history ?? this.#cluster)?.recoveryLimit ?? 1000;
    return parseHistoryQuery(headers, this.#limits, limit);
  }

  /** Answers a validated history query to `connection`; throws `position_expired`. */
  answerHistory(connection: Connection, query: HistoryQuery): void | Promise<void> {
    if (this.#cluster) return answerFromCluster(this.#cluster, connection, query);
    answerHistory(this.#history, connection, query);
  }

  /** Unsubscribes `connection` from validated `channels`. */
  unsubscribe(connection: Connection, channels: readonly string[]): void {
    const lifecycle = this.#lifecycle;
    for (const channel of channels) {
      if (this.#hub.unsubscribe(connection, channel)) {
        lifecycle?.unsubscribed?.(connection, channel);
      }
    }
  }

  /**
   * Publishes `frame` to validated `channels`; returns local deliveries. It is
   * serialized once per channel, without hop-by-hop headers, and each copy's
   * `publish` header names the channel it is delivered on.
   */
  publish(channels: readonly string[], frame: Frame): number {
    return this.#publish(channels, frame);
  }

  /**
   * {@linkcode PubSub.publish} for a frame with an `ack`: settles once a cluster engine stored
   * it and this node delivered its copies, so the ack follows the publisher's own copy
   * (PROTOCOL.md section 13); rejects with `server_busy` when it could not be stored.
   */
  publishAcked(channels: readonly string[], frame: Frame): void | Promise<void> {
    const stored: Promise<void>[] = [];
    this.#publish(channels, frame, this.#cluster?.store ? stored : undefined);
    if (stored.length) return Promise.all(stored).then(() => {});
  }

  #publish(channels: readonly string[], frame: Frame, stored?: Promise<void>[]): number {
    const base = withoutHopByHop(frame.headers);
    let delivered = 0;
    for (const channel of channels) {
      if (this.#cluster?.rule(channel)) {
        // Numbered by the engine; delivered when it comes back stamped.
        const unstamped = publishFirst(base, channel);
        const data = serializeFrame({ ...frame, headers: unstamped });
        if (stored) stored.push(this.#cluster.store!(channel, data));
        else this.#cluster.publish(channel, data);
        continue;
      }
      const position = this.#history?.next(channel);
      let data;
      if (!position) {
        let headers = base;
        if (headers.get("publish") !== channel) {
          headers = new Map(base);
          headers.set("publish", channel);
        }
        data = serializeFrame({ command: frame.command, headers, body: frame.body });
      } else {
        data = stampPublication(frame, base, channel, position);
        this.#history!.append(channel, position, data);
      }
      const local = this.#hub.broadcast(channel, data);
      this.#metrics.bytesOut += local * data.length;
      delivered += local;
    }
    this.#metrics.publishes += channels.length;
    return delivered;
  }
}
