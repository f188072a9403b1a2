/**
 * The runtime-agnostic lhttp server: processors, middleware, the hub, HTTP publish.
 * Adapters feed it sockets through {@linkcode LhttpServer.open},
 * {@linkcode LhttpServer.message} and {@linkcode LhttpServer.close}.
 *
 * @module
 */

import { forbidden, multipartStep, processorStep, pubSubStep, upstreamStep } from "../router/steps.ts";
import type { FrameData } from "../codec/frame.ts";
import { parseChannels } from "../codec/channels.ts";
import { parseFrame } from "../codec/parse.ts";
import { serializeFrame } from "../codec/serialize.ts";
import { CloseCode } from "../codec/close_code.ts";
import { Connection, type Peer } from "../connection/connection.ts";
import { Context } from "../router/context.ts";
import { LhttpError } from "../codec/errors.ts";
import { createFrame, type Frame, type FrameInit } from "../codec/frame.ts";
import { Hub, type LocalFanout } from "../hub/hub.ts";
import { type Limits, resolveLimits } from "../codec/limits.ts";
import { createLogger, type Logger } from "../telemetry/log.ts";
import { compose, type Middleware, type Processor } from "../router/middleware.ts";
import { callUpstream, checkUpstream, type UpstreamOptions } from "../router/upstream.ts";
import { handleHttpPublish } from "../http/publish.ts";
import { Metrics, renderMetrics } from "../telemetry/metrics.ts";
import type { AuthorizeRequest, ServerOptions } from "./options.ts";
import { ackFrame, errorFrame, upstreamFrame } from "../router/replies.ts";
import { isOriginAllowed } from "./_origin.ts";
import { type RateLimit, TokenBucket } from "../connection/rate_limit.ts";
import { utf8Length } from "../codec/_utf8.ts";
import { Pacer, resolvePacing } from "../connection/pacer.ts";

export type { AuthorizeRequest, ServerOptions } from "./options.ts";

/** Outcome of {@linkcode LhttpServer.accept}: connection data, or a refusal. */
export type UpgradeDecision = { data: unknown } | Response;

/**
 * An lhttp server, independent of any runtime.
 *
 * @example
 * ```ts
 * import { LhttpServer } from "@lhttp/lhttp";
 * const server = new LhttpServer();
 * server.processor("chat", {
 *   onMessage(ctx) {
 *     ctx.setHeader("server-time", "now");
 *   },
 * });
 * server.publish("room", { command: "chat", body: "hello from the server" });
 * ```
 */
export class LhttpServer implements PubSub {
  /** Effective limits. */
  readonly limits: Limits;
  /** The channel hub. */
  readonly hub: Hub<Connection>;
  /** Open connections. */
  readonly connections: Set<Connection> = new Set();
  /** The logger in use. */
  readonly logger: Logger;
  /** Counters behind `GET /metrics`. */
  readonly metrics: Metrics = new Metrics();
  readonly #options: ServerOptions;
  readonly #processors = new Map<string, Processor>();
  readonly #middleware: Middleware[] = [];
  readonly #upstream: UpstreamOptions;
  readonly #pacer?: Pacer;
  #chain?: Middleware;

  /** Creates a server; see {@linkcode ServerOptions}. */
  constructor(options: ServerOptions = {}) {
    this.#options = options;
    this.limits = resolveLimits(options.limits);
    this.logger = options.logger ?? createLogger("warn");
    this.hub = new Hub({ bus: options.bus });
    if (options.pacing !== false) {
      const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
      this.#pacer = new Pacer(resolvePacing(options.pacing, maxBuffered), this.metrics);
    }
    this.#upstream = {
      allow: options.upstreamAllow ?? [],
      timeoutMs: options.upstreamTimeoutMs ?? 10_000,
      maxResponseBytes: options.upstreamMaxResponseBytes ?? 1024 * 1024,
      maxRedirects: 5,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    };
  }

  /** The options the server was made with. */
  get options(): Readonly<ServerOptions> {
    return this.#options;
  }

  /** Registers the processor of `command`, replacing any earlier one. */
  processor(command: string, processor: Processor): this {
    this.#processors.set(command, processor);
    return this;
  }

  /** Adds middleware around frame processing, outermost first. */
  use(middleware: Middleware): this {
    this.#middleware.push(middleware);
    this.#chain = undefined;
    return this;
  }

  /** Replaces local delivery (the Bun adapter uses native topics). */
  setFanout(fanout: LocalFanout<Connection>): void {
    this.hub.setFanout(fanout);
  }

  /** Checks an upgrade request: origin, then `authenticate`. */
  async accept(request: Request): Promise<UpgradeDecision> {
    const origin = request.headers.get("origin");
    if (origin !== null && !isOriginAllowed(origin, request, this.#options.allowedOrigins)) {
      this.logger.log("info", "refused upgrade from origin", { origin });
      return new Response(`Origin ${JSON.stringify(origin)} is not allowed\n`, { status: 403 });
    }
    if (!this.#options.authenticate) return { data: undefined };
    try {
      const data = await this.#options.authenticate(request);
      return data instanceof Response ? data : { data };
    } catch (error) {
      this.logger.log("error", "authenticate hook failed", { error: String(error) });
      return new Response("Authentication failed\n", { status: 500 });
    }
  }

  /** A socket opened: returns its connection. */
  open(peer: Peer, data?: unknown): Connection {
    const connection = new Connection(peer, {
      maxBufferedBytes: this.#options.maxBufferedBytes ?? 1024 * 1024,
      slowConsumer: this.#options.slowConsumer ?? "close",
      metrics: this.metrics,
      pacer: this.#pacer,
    }, data);
    this.metrics.connectionsTotal++;
    this.connections.add(connection);
    return connection;
  }

  /** A message arrived on a connection. Frames of one connection are handled in order. */
  message(connection: Connection, data: FrameData): void {
    if (connection.closed) return;
    const size = typeof data === "string" ? utf8Length(data) : data.length;
    this.metrics.framesIn++;
    this.metrics.bytesIn += size;
    if (this.#options.rateLimit && !this.#withinRate(connection, this.#options.rateLimit)) return;
    if (connection.busy) {
      // A burst waits here while the connection is paced; the bounds keep a blind flood finite.
      if (
        connection.queue.length >= (this.#options.maxQueuedFrames ?? 65_536) ||
        connection.queue.bytes + size > (this.#options.maxQueuedBytes ?? 16 * 1024 * 1024)
      ) {
        connection.close(CloseCode.policy, "too many frames in flight");
        return;
      }
      connection.queue.push(data, size);
      return;
    }
    const pending = this.#step(connection, data);
    if (pending) {
      connection.busy = true;
      pending.then(() => this.#drain(connection));
    }
  }

  /** A socket closed: releases subscriptions and calls `onClose` processors. */
  close(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    connection.queue.clear();
    this.connections.delete(connection);
    this.hub.unsubscribeAll(connection);
    for (const command of connection.commands) {
      const processor = this.#processors.get(command);
      try {
        const result = processor?.onClose?.(connection);
        if (result instanceof Promise) result.catch((error) => this.#logFailure(error));
      } catch (error) {
        this.#logFailure(error);
      }
    }
  }

  /**
   * Publishes a frame to channels from application code; returns local
   * deliveries. The frame is serialized once, without any `ack` header and with
   * a `publish` header naming the channels when it has none.
   */
  publish(channels: string | readonly string[], frame: FrameInit | Frame): number {
    const list = parseChannels(channels, this.limits);
    const full = frame.headers instanceof Map ? frame as Frame : createFrame(frame as FrameInit);
    let headers = full.headers;
    // Subscribers route by the publish header, so frames published from code get one too.
    if (headers.has("ack") || !headers.has("publish")) {
      headers = new Map(headers);
      headers.delete("ack");
      if (!headers.has("publish")) headers.set("publish", list.join(" "));
    }
    const data = serializeFrame({ command: full.command, headers, body: full.body ?? "" });
    let delivered = 0;
    for (const channel of list) delivered += this.hub.publish(channel, data);
    this.metrics.publishes += list.length;
    this.metrics.bytesOut += delivered *
      (typeof data === "string" ? utf8Length(data) : data.length);
    return delivered;
  }

  /** Subscribes a connection to channels, within the subscription limit. */
  subscribe(connection: Connection, channels: string | readonly string[]): void {
    const list = parseChannels(channels, this.limits);
    const added = list.filter((channel) => !connection.channels.has(channel)).length;
    if (connection.channels.size + added > this.limits.maxSubscriptions) {
      throw new LhttpError(
        "subscription_limit",
        `A connection may hold at most ${this.limits.maxSubscriptions} subscriptions`,
      );
    }
    for (const channel of list) this.hub.subscribe(connection, channel);
  }

  /** Unsubscribes a connection from channels. */
  unsubscribe(connection: Connection, channels: string | readonly string[]): void {
    for (const channel of parseChannels(channels, this.limits)) {
      this.hub.unsubscribe(connection, channel);
    }
  }

  /** Handles `POST /publish` with a Web-standard request. */
  handlePublish(request: Request): Promise<Response> {
    return handleHttpPublish(this, request, this.#options.publishToken, this.metrics);
  }

  /** What `/metrics` reports, in the Prometheus text format. */
  renderMetrics(): string {
    return renderMetrics(this.metrics, {
      connections: this.connections.size,
      channels: this.hub.channelCount,
      subscriptions: this.hub.subscriptionCount,
      bus: this.hub.bus?.state ?? "local",
    });
  }

  /** What `/healthz` reports. */
  health(): { status: "ok"; connections: number; channels: number; bus: string } {
    return {
      status: "ok",
      connections: this.connections.size,
      channels: this.hub.channelCount,
      bus: this.hub.bus?.state ?? "local",
    };
  }

  /** Closes every connection with `code` (1001 by default) and the bus. */
  async shutdown(
    code: number = CloseCode.goingAway,
    reason = "server shutting down",
  ): Promise<void> {
    for (const connection of [...this.connections]) connection.close(code, reason);
    await this.hub.bus?.close();
  }

  // Processes one frame, then makes the connection wait (its next frames queue)
  // while a subscriber it delivered to is past high water (src/pacing.ts).
  #step(connection: Connection, data: FrameData): Promise<void> | undefined {
    const pacer = this.#pacer;
    if (!pacer) return this.#process(connection, data);
    pacer.blocker = undefined;
    const pending = this.#process(connection, data);
    return pending ? pending.then(() => pacer.after(connection)) : pacer.after(connection);
  }

  #process(connection: Connection, data: FrameData): Promise<void> | undefined {
    let frame: Frame;
    try {
      frame = parseFrame(data, this.limits);
    } catch (error) {
      if (error instanceof LhttpError && error.code === "frame_too_large") {
        connection.close(CloseCode.tooBig, "frame too large");
      } else {
        this.#sendError(connection, "error", undefined, error);
      }
      return;
    }
    const ctx = new Context(connection, frame, this);
    try {
      const result = this.#pipeline()(ctx, () => {});
      if (result instanceof Promise) {
        return result.then(() => this.#ack(ctx), (error) => this.#fail(ctx, error));
      }
      this.#ack(ctx);
    } catch (error) {
      this.#fail(ctx, error);
    }
    return undefined;
  }

  #withinRate(connection: Connection, limit: RateLimit): boolean {
    connection.bucket ??= new TokenBucket(limit.framesPerSecond, limit.burst);
    if (connection.bucket.take()) {
      connection.refusedInARow = 0;
      return true;
    }
    if (++connection.refusedInARow > limit.closeAfter) {
      connection.close(CloseCode.policy, "rate limit exceeded");
    } else {
      const error = new LhttpError(
        "rate_limited",
        `A connection may send at most ${limit.framesPerSecond} frames per second`,
      );
      this.#sendError(connection, "error", undefined, error);
    }
    return false;
  }

  #drain(connection: Connection): void {
    connection.busy = false;
    while (!connection.busy && !connection.closed && connection.queue.length > 0) {
      const pending = this.#step(connection, connection.queue.shift()!);
      if (pending) {
        connection.busy = true;
        pending.then(() => this.#drain(connection));
      }
    }
  }

  #pipeline(): Middleware {
    return this.#chain ??= compose([
      ...this.#middleware,
      multipartStep(this.limits),
      processorStep(this.#processors),
      pubSubStep({
        channels: (value) => parseChannels(value, this.limits),
        authorize: (ctx, action, channels) => this.#authorize(ctx, action, channels.join(" ")),
        subscribe: (ctx, channels) => this.subscribe(ctx.connection, channels),
        publish: (ctx, channels) => void this.publish(channels, ctx.reply),
        unsubscribe: (ctx, channels) => this.unsubscribe(ctx.connection, channels),
      }),
      upstreamStep((ctx, value) => this.#startUpstream(ctx, value)),
    ]);
  }

  #authorize(
    ctx: Context,
    action: AuthorizeRequest["action"],
    target: string,
  ): void | Promise<void> {
    const authorize = this.#options.authorize;
    if (!authorize) return;
    const verdict = authorize({ action, target, connection: ctx.connection, frame: ctx.request });
    const check = (allowed: boolean) => {
      if (!allowed) throw forbidden(action, [target]);
    };
    return verdict instanceof Promise ? verdict.then(check) : check(verdict);
  }

  #startUpstream(ctx: Context, value: string): void {
    const { url } = checkUpstream(value, this.#upstream.allow);
    const connection = ctx.connection;
    const max = this.#options.upstreamMaxInFlight ?? 4;
    if (connection.upstreamInFlight >= max) {
      throw new LhttpError(
        "upstream_busy",
        `A connection may have at most ${max} upstream requests in flight`,
      );
    }
    const reply = ctx.reply;
    const ack = ctx.request.headers.get("ack");
    connection.upstreamInFlight++;
    Promise.resolve(this.#authorize(ctx, "upstream", url.href))
      .then(() => callUpstream(value, reply, this.#upstream))
      .then((answer) => {
        this.metrics.count(this.metrics.upstream, "ok");
        connection.send(upstreamFrame(reply.command, ack, answer));
      }, (error) => {
        this.metrics.count(
          this.metrics.upstream,
          error instanceof LhttpError ? error.code : "internal",
        );
        this.#sendError(connection, reply.command, ack, error);
      })
      .finally(() => connection.upstreamInFlight--);
  }

  #ack(ctx: Context): void {
    const ack = ctx.request.headers.get("ack");
    if (ack === undefined) return;
    ctx.connection.send(ackFrame(ctx.reply.command, ack));
  }

  #fail(ctx: Context, error: unknown): void {
    this.#sendError(ctx.connection, ctx.request.command, ctx.request.headers.get("ack"), error);
  }

  #sendError(
    connection: Connection,
    command: string,
    ack: string | undefined,
    error: unknown,
  ): void {
    const known = error instanceof LhttpError
      ? error
      : new LhttpError("internal", "The server failed to process the frame");
    if (known !== error) this.#logFailure(error);
    this.metrics.count(this.metrics.errors, known.code);
    this.logger.log("debug", "error frame", { connection: connection.id, code: known.code });
    connection.send(errorFrame(command, ack, known));
  }

  #logFailure(error: unknown): void {
    this.logger.log("error", "processor failed", {
      error: error instanceof Error ? error.stack ?? error.message : String(error),
    });
  }
}

/** The publishing surface shared by servers and contexts. */
export interface PubSub {
  /** Publishes a frame to channels. */
  publish(channels: string | readonly string[], frame: Frame): number;
  /** Subscribes a connection. */
  subscribe(connection: Connection, channels: string | readonly string[]): void;
  /** Unsubscribes a connection. */
  unsubscribe(connection: Connection, channels: string | readonly string[]): void;
}
