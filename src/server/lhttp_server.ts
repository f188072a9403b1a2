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
import { Connection, type Peer } from "../connection/connection.ts";
import type { Hub, LocalFanout } from "../hub/hub.ts";
import { Namespaces } from "../namespaces/namespaces.ts";
import type { Middleware, Processor } from "../router/middleware.ts";
import type { Authorize } from "../router/pubsub.ts";
import { createLogger, type Logger } from "../telemetry/log.ts";
import { type Gauges, Metrics } from "../telemetry/metrics.ts";
import type { History } from "../history/history.ts";
import type { ClusterHistory } from "../history/cluster_history.ts";
import { resolveHistory } from "../history/resolve_history.ts";
import type { Webhooks } from "../webhooks/webhooks.ts";
import type { Presence, PresencePage } from "../presence/presence.ts";
import { admit, type UpgradeDecision } from "./_admission.ts";
import { closeCore, type Core, presencePage, wireCore } from "./_wiring.ts";
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
  /**
   * Publishes frame text from server code as it came when it is a plain
   * publish (one `publish` header naming one channel; see `codec/verbatim.ts`)
   * and history would not stamp it: `[channel, deliveries]`, or undefined, and
   * then nothing was published (use {@linkcode LhttpServer.publish}).
   */
  publishVerbatim(text: string): readonly [channel: string, delivered: number] | undefined {
    return this.#wired().verbatim.publishText(text);
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
    return presencePage(this.#wired().presence, channel, page);
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
    if (this.#core) await closeCore(this.#core);
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

  #wire(fanout: LocalFanout<Connection> | undefined): Core {
    return wireCore({
      settings: this.settings,
      options: this.#options,
      metrics: this.metrics,
      logger: this.logger,
      namespaces: this.namespaces,
      history: this.history,
      processors: this.#processors,
      middleware: this.#middleware,
      fanout,
    });
  }
}
