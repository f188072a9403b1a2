/**
 * The runtime-agnostic lhttp server. It only wires the parts: settings, hub,
 * pub/sub, pipeline, router and connections. Adapters feed it sockets through
 * {@linkcode LhttpServer.accept}, {@linkcode LhttpServer.open},
 * {@linkcode LhttpServer.receive} and {@linkcode LhttpServer.release}.
 *
 * @module
 */

import { CloseCode } from "../codec/close_code.ts";
import { createFrame, type Frame, type FrameInit } from "../codec/frame.ts";
import type { Limits } from "../codec/limits.ts";
import { Connection, type ConnectionOptions, type Peer } from "../connection/connection.ts";
import { Pacer } from "../connection/pacer.ts";
import { Hub, type LocalFanout } from "../hub/hub.ts";
import { Namespaces } from "../namespaces/namespaces.ts";
import { ConnectionRegistry } from "../router/connection_registry.ts";
import { FrameRouter } from "../router/frame_router.ts";
import type { Middleware, Processor } from "../router/middleware.ts";
import { Pipeline } from "../router/pipeline.ts";
import { type Authorize, PubSub } from "../router/pubsub.ts";
import { Replies } from "../router/replies.ts";
import { UpstreamCalls } from "../router/upstream_calls.ts";
import { createLogger, type Logger } from "../telemetry/log.ts";
import { type Gauges, Metrics } from "../telemetry/metrics.ts";
import type { History } from "../history/history.ts";
import type { ClusterHistory } from "../history/cluster_history.ts";
import { resolveHistory } from "../history/resolve_history.ts";
import { combineObservers } from "../router/lifecycle.ts";
import { accessLog } from "../router/access_log.ts";
import { Webhooks } from "../webhooks/webhooks.ts";
import { PresenceError } from "../presence/errors.ts";
import { resolvePresence } from "../presence/options.ts";
import { Presence, type PresencePage, type PresencePolicy } from "../presence/presence.ts";
import { PresenceFrames, readLimit } from "../presence/requests.ts";
import { admit, type UpgradeDecision } from "./_admission.ts";
import type { ServerOptions } from "./options.ts";
import { resolveSettings, type ServerSettings } from "./settings.ts";

export type { AuthorizeRequest, ServerOptions } from "./options.ts";
export type { UpgradeDecision } from "./_admission.ts";

/** The open connections of a server, read-only. */
export interface OpenConnections {
  /** How many are open. */
  readonly size: number;
  /** Each open connection, in the order they opened. */
  values(): IterableIterator<Connection>;
}

/** What an adapter hands the server once, when it attaches to it. */
export interface AdapterAttachment {
  /** The runtime's name, for logs and `/healthz`. */
  runtime: string;
  /** Local delivery strategy; a loop over subscribers when absent. */
  fanout?: LocalFanout<Connection>;
}

/**
 * An lhttp server, independent of any runtime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * const server = new LhttpServer();
 * server.processor("chat", { onMessage: (ctx) => void ctx.setHeader("seen", "yes") });
 * assert.equal(server.publish("room", { command: "chat", body: "nobody listens" }), 0);
 * ```
 */
export class LhttpServer {
  /** The resolved settings. */
  readonly settings: ServerSettings;
  /** Counters behind `GET /metrics`. */
  readonly metrics: Metrics = new Metrics();
  /** The logger in use. */
  readonly logger: Logger;
  /** The channel namespaces; `namespaces.resolve(channel)` gives a channel's policy. */
  readonly namespaces: Namespaces<Authorize>;
  /** Channel history, when the `history` option configured some. */
  readonly history?: History | ClusterHistory;
  readonly #options: ServerOptions;
  readonly #processors = new Map<string, Processor>();
  readonly #middleware: Middleware[] = [];
  #core?: Core;
  #runtime?: string;
  #draining = false;

  /** Creates a server; see {@linkcode ServerOptions}. */
  constructor(options: ServerOptions = {}) {
    this.#options = options;
    this.settings = resolveSettings(options);
    this.namespaces = new Namespaces(options.namespaces ?? [], {
      authorizers: options.authorizers,
      userOf: options.userOf,
    });
    this.logger = options.logger ?? createLogger("warn");
    this.history = resolveHistory(
      options.history,
      options.historyRecoveryLimit,
      options.bus !== undefined,
    );
  }

  /** The options the server was made with. */
  get options(): Readonly<ServerOptions> {
    return this.#options;
  }
  /** Effective limits. */
  get limits(): Readonly<Limits> {
    return this.settings.limits;
  }
  /** The channel hub. */
  get hub(): Hub<Connection> {
    return this.#wired().hub;
  }
  /** Open connections. */
  get connections(): OpenConnections {
    return this.#wired().connections;
  }

  /** Registers the processor of `command`, replacing any earlier one. */
  processor(command: string, processor: Processor): this {
    this.#processors.set(command, processor);
    return this;
  }
  /** Adds middleware around frame processing, outermost first. */
  use(middleware: Middleware): this {
    this.#middleware.push(middleware);
    return this;
  }

  /** An adapter attaches once, before serving; a second attach is an error. */
  attach(attachment: AdapterAttachment): void {
    if (this.#runtime !== undefined) {
      throw new Error(`This server is already attached to a ${this.#runtime} adapter`);
    }
    if (this.#core) throw new Error("Attach the adapter before the server is used");
    this.#runtime = attachment.runtime;
    this.#core = this.#wire(attachment.fanout);
  }

  /** Checks an upgrade request: host, origin, then `authenticate`. */
  accept(request: Request): Promise<UpgradeDecision> {
    return admit(request, this.settings, this.logger);
  }

  /** A socket opened: returns its connection. `decision` is what {@linkcode accept} returned. */
  open(peer: Peer, data?: unknown, refusal?: { code: number; reason: string }): Connection {
    const { connections, connectionOptions } = this.#wired();
    const connection = new Connection(peer, connectionOptions, data);
    this.metrics.connectionsTotal++;
    connections.add(connection, refusal !== undefined);
    if (refusal) connection.close(refusal.code, refusal.reason);
    return connection;
  }
  /** A message arrived on a connection. Frames of one connection are handled in order. */
  receive(connection: Connection, data: string | Uint8Array): void {
    connection.receive(data);
  }
  /**
   * The socket of a connection closed: releases its subscriptions and calls
   * `onClose`. `reason` names why, for lifecycle observers (`closed` if absent).
   */
  release(connection: Connection, reason?: string): void {
    if (reason !== undefined) this.#wired().connections.noteReason(connection, reason);
    connection.release();
  }

  /** Publishes a frame to channels from server code; returns local deliveries. */
  publish(channels: string | readonly string[], frame: FrameInit | Frame): number {
    const full = frame.headers instanceof Map ? frame as Frame : createFrame(frame as FrameInit);
    const { pubsub } = this.#wired();
    return pubsub.publish(pubsub.channels(channels), full);
  }
  /** Subscribes a connection to channels from server code, within the subscription limit. */
  subscribe(connection: Connection, channels: string | readonly string[]): void {
    const { pubsub } = this.#wired();
    pubsub.subscribe(connection, pubsub.channels(channels, true));
  }
  /** Unsubscribes a connection from channels. */
  unsubscribe(connection: Connection, channels: string | readonly string[]): void {
    const { pubsub } = this.#wired();
    pubsub.unsubscribe(connection, pubsub.channels(channels, true));
  }

  /** The gauges of `/metrics` and `/healthz`. */
  gauges(): Gauges {
    const webhooks = this.#wired().webhooks;
    return {
      connections: this.connections.size,
      channels: this.hub.channelCount,
      subscriptions: this.hub.subscriptionCount,
      bus: this.hub.bus?.state ?? "local",
      ...(webhooks ? { webhooks: webhooks.stats() } : {}),
    };
  }

  /**
   * The presence of `channel` on this node: counts (O(1)) and one page of
   * members (`limit` 0 for the counts only). Throws `presence_off` when the
   * channel keeps no presence, `bad_cursor` or `stale_cursor` for a cursor.
   */
  presence(channel: string, page: { cursor?: string; limit?: number } = {}): PresencePage {
    const presence = this.#wired().presence;
    if (!presence?.policy(channel).presence) {
      throw new PresenceError("presence_off", `Channel ${JSON.stringify(channel)} has no presence`);
    }
    const after = presence.after(channel, page.cursor);
    const limit = page.limit === 0
      ? 0
      : readLimit(page.limit?.toString(), presence.settings.pageSize);
    return presence.page(channel, after, limit);
  }

  /** The presence store, when presence is on (to feed it members of other nodes). */
  get presenceStore(): Presence | undefined {
    return this.#wired().presence;
  }

  /** The lifecycle webhooks, when configured. */
  get webhooks(): Webhooks | undefined {
    return this.#wired().webhooks;
  }

  /** True once {@linkcode shutdown} began: `/healthz` answers 503 so balancers move on. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Closes every connection with `code` (1001 by default) and the bus. */
  async shutdown(
    code: number = CloseCode.goingAway,
    reason = "server shutting down",
  ): Promise<void> {
    this.#draining = true;
    for (const connection of [...this.connections.values()]) {
      this.#wired().connections.noteReason(connection, "shutdown");
      connection.close(code, reason);
    }
    const webhooks = this.#core?.webhooks;
    if (webhooks) {
      // The disconnects just queued get a bounded chance to leave.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<void>((resolve) => timer = setTimeout(resolve, 2000));
      await Promise.race([webhooks.idle(), bound]);
      clearTimeout(timer);
      webhooks.close();
    }
    this.#core?.presence?.close();
    await this.hub.bus?.close();
  }

  /** The runtime of the attached adapter, if any. */
  get runtime(): string | undefined {
    return this.#runtime;
  }

  // Wired on first use, so that an adapter can hand its fan-out over first.
  #wired(): Core {
    return this.#core ??= this.#wire(undefined);
  }

  // Presence when asked for: by `presence` options or by a namespace with `presence: true`.
  #presence(): Presence | undefined {
    const options = this.#options.presence;
    const byNamespace = this.namespaces.rules.some((rule) => rule.presence);
    if (!options && !byNamespace) return undefined;
    const settings = resolvePresence(options);
    const prefixes = settings.prefixes;
    const namespaces = this.namespaces;
    const policy: PresencePolicy = prefixes
      ? (channel) => {
        const on = prefixes.some((prefix) => channel.startsWith(prefix));
        return { presence: on, joinLeave: on };
      }
      : (channel) => {
        const { presence, joinLeave } = namespaces.resolve(channel);
        return { presence, joinLeave: presence && joinLeave };
      };
    return new Presence(settings, policy, this.logger, this.#options.userOf);
  }

  #wire(fanout: LocalFanout<Connection> | undefined): Core {
    const { limits, upstream, authorize } = this.settings;
    const metrics = this.metrics;
    const hub = new Hub<Connection>({ bus: this.#options.bus, fanout });
    const replies = new Replies(metrics, this.logger);
    const webhooks = this.settings.webhooks
      ? new Webhooks(this.settings.webhooks, this.logger)
      : undefined;
    const presence = this.#presence();
    const access = accessLog(this.logger, this.#options.userOf);
    const lifecycle = combineObservers([this.#options.lifecycle, webhooks, presence, access]);
    const namespaces = this.namespaces;
    const history = this.history;
    const pubsub = new PubSub({ hub, limits, metrics, authorize, lifecycle, namespaces, history });
    const pipeline = new Pipeline({
      limits,
      pubsub,
      upstream: new UpstreamCalls(upstream, replies, metrics),
      replies,
      processors: this.#processors,
      middleware: this.#middleware,
      presence: presence && new PresenceFrames(presence, pubsub),
    });
    const connections = new ConnectionRegistry(hub, pipeline, lifecycle);
    const router = new FrameRouter({ limits, pipeline, pubsub, replies });
    const pacer = this.settings.pacing ? new Pacer(this.settings.pacing, metrics) : undefined;
    const { maxBufferedBytes, slowConsumer, maxQueuedFrames, maxQueuedBytes, rateLimit } =
      this.settings;
    // One options object for every connection: an idle connection holds no copy.
    const connectionOptions: ConnectionOptions = Object.freeze({
      maxBufferedBytes,
      slowConsumer,
      metrics,
      pacer,
      owner: connections,
      reader: {
        handler: router,
        options: { maxQueuedFrames, maxQueuedBytes, rateLimit, pacer, metrics },
      },
    });
    return { hub, pubsub, webhooks, presence, connections, router, pacer, connectionOptions };
  }
}

interface Core {
  hub: Hub<Connection>;
  webhooks?: Webhooks;
  presence?: Presence;
  pubsub: PubSub;
  connections: ConnectionRegistry;
  router: FrameRouter;
  pacer?: Pacer;
  connectionOptions: ConnectionOptions;
}
