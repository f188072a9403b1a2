/**
 * The steps one frame goes through (PROTOCOL.md section 2): the application's
 * middleware around the built-ins, which are multipart split, processor, then
 * the frame's effects. Every effect (channel lists, subscription limit,
 * upstream, authorization) is validated before any is applied, so a refused
 * frame changes nothing.
 *
 * @module
 */

import { splitMultipart } from "../codec/multipart.ts";
import type { Limits } from "../codec/limits.ts";
import type { Connection } from "../connection/connection.ts";
import type { Context } from "./context.ts";
import { compose, type Middleware, type Processor } from "./middleware.ts";
import type { PresenceRequests } from "./presence_requests.ts";
import type { PubSub } from "./pubsub.ts";
import type { Replies } from "./replies.ts";
import type { UpstreamCalls } from "./upstream_calls.ts";
import type { RecoverRequest } from "../history/positions.ts";
import type { HistoryQuery } from "../history/history_query.ts";

/** What a {@linkcode Pipeline} is built from. */
export interface PipelineOptions {
  /** Multipart limits. */
  limits: Limits;
  /** Subscriptions and publications. */
  pubsub: PubSub;
  /** Upstream requests. */
  upstream: UpstreamCalls;
  /** Where failures of `onClose` are logged. */
  replies: Replies;
  /** Processors by command (the server's registry, read live). */
  processors: ReadonlyMap<string, Processor>;
  /** The application's middleware, outermost first (read live). */
  middleware: readonly Middleware[];
  /** Presence requests (the `presence*` headers), when the server keeps presence. */
  presence?: PresenceRequests;
}

/** Processors, middleware and the built-in steps of a server. */
export class Pipeline {
  // Commands each connection has used, whose processors get `onClose`.
  readonly #used = new WeakMap<Connection, Set<string>>();
  readonly #builtins: Middleware = (ctx) => this.#runBuiltins(ctx);
  #chain?: Middleware;
  #chained = 0;

  /** A pipeline over the given parts. */
  constructor(readonly options: PipelineOptions) {}

  /** Runs one frame's context through every step; no composition without middleware. */
  run(ctx: Context): void | Promise<void> {
    const middleware = this.options.middleware;
    if (middleware.length === 0) return this.#runBuiltins(ctx);
    if (this.#chained !== middleware.length) {
      this.#chain = compose([...middleware, this.#builtins]);
      this.#chained = middleware.length;
    }
    return this.#chain!(ctx, () => {});
  }

  /** A connection closed: calls `onClose` of every processor it used. */
  closed(connection: Connection): void {
    const used = this.#used.get(connection);
    if (!used) return;
    this.#used.delete(connection);
    for (const command of used) {
      try {
        const result = this.options.processors.get(command)?.onClose?.(connection);
        if (result instanceof Promise) result.catch((error) => this.options.replies.failure(error));
      } catch (error) {
        this.options.replies.failure(error);
      }
    }
  }

  #runBuiltins(ctx: Context): void | Promise<void> {
    if (ctx.request.headers.has("multipart")) {
      ctx.parts = splitMultipart(ctx.request, this.options.limits);
    }
    const processed = this.#runProcessor(ctx);
    return processed instanceof Promise
      ? processed.then(() => this.#effects(ctx))
      : this.#effects(ctx);
  }

  // Presence headers are checked before the other effects and answered after them.
  #effects(ctx: Context): void | Promise<void> {
    const presence = this.options.presence;
    return presence ? presence.around(ctx, () => this.#applyEffects(ctx)) : this.#applyEffects(ctx);
  }

  #runProcessor(ctx: Context): void | Promise<void> {
    const processor = this.options.processors.get(ctx.command);
    if (!processor) return;
    let used = this.#used.get(ctx.connection);
    if (!used) this.#used.set(ctx.connection, used = new Set());
    const first = !used.has(ctx.command);
    used.add(ctx.command);
    const opened = first ? processor.onOpen?.(ctx) : undefined;
    return opened instanceof Promise
      ? opened.then(() => processor.onMessage?.(ctx))
      : processor.onMessage?.(ctx);
  }

  // subscribe, then publish, then unsubscribe, then upstream, from the reply's headers.
  #applyEffects(ctx: Context): void | Promise<void> {
    const headers = ctx.reply.headers;
    const subscribe = headers.get("subscribe");
    const publish = headers.get("publish");
    const unsubscribe = headers.get("unsubscribe");
    const upstream = headers.get("upstream");
    const recover = headers.get("recover");
    const history = headers.get("history");
    if (
      subscribe === undefined && publish === undefined && unsubscribe === undefined &&
      upstream === undefined && recover === undefined && history === undefined
    ) return;
    const { pubsub, upstream: calls } = this.options;
    const connection = ctx.connection;
    const toSubscribe = subscribe === undefined ? NONE : pubsub.channels(subscribe, true);
    const toPublish = publish === undefined ? NONE : pubsub.channels(publish);
    const toUnsubscribe = unsubscribe === undefined ? NONE : pubsub.channels(unsubscribe, true);
    pubsub.checkCapacity(connection, toSubscribe);
    const effects: Effects = {
      toSubscribe,
      toPublish,
      toUnsubscribe,
      positions: recover === undefined ? undefined : pubsub.positions(recover, toSubscribe),
      query: history === undefined ? undefined : pubsub.historyQuery(headers),
      upstream,
    };
    const url = upstream === undefined ? undefined : calls.check(connection, upstream);
    // Verdicts are collected only when a hook answers later (the hot path allocates none).
    const frame = ctx.request;
    let verdicts: Promise<void>[] | undefined;
    if (toSubscribe.length) {
      verdicts = later(verdicts, pubsub.authorize("subscribe", toSubscribe, connection, frame));
    }
    if (toPublish.length) {
      verdicts = later(verdicts, pubsub.authorize("publish", toPublish, connection, frame));
    }
    if (url) verdicts = later(verdicts, pubsub.authorize("upstream", url.href, connection, frame));
    const query = effects.query;
    if (query) {
      verdicts = later(verdicts, pubsub.authorize("subscribe", query.channel, connection, frame));
    }
    return verdicts
      ? Promise.all(verdicts).then(() => this.#apply(ctx, effects))
      : this.#apply(ctx, effects);
  }

  #apply(ctx: Context, effects: Effects): void | Promise<void> {
    const { pubsub, upstream: calls } = this.options;
    const connection = ctx.connection;
    if (connection.closed) return;
    const { toSubscribe, toPublish, toUnsubscribe, query } = effects;
    const answered = query ? pubsub.answerHistory(connection, query) : undefined;
    const recovered = toSubscribe.length
      ? pubsub.subscribe(connection, toSubscribe, effects.positions)
      : undefined;
    // With an ack, a cluster history engine's store and the publisher's own copy come first.
    const stored = !toPublish.length
      ? undefined
      : ctx.request.headers.has("ack")
      ? pubsub.publishAcked(toPublish, ctx.reply)
      : void pubsub.publish(toPublish, ctx.reply);
    if (toUnsubscribe.length) pubsub.unsubscribe(connection, toUnsubscribe);
    if (effects.upstream !== undefined) calls.start(ctx, effects.upstream);
    // A cluster history engine answers later: the ack waits for it.
    return answered || recovered || stored
      ? Promise.all([answered, recovered, stored]).then(() => {})
      : undefined;
  }
}

const NONE: readonly string[] = Object.freeze([]);

// Adds a verdict that answers later to `verdicts` (made on the first one).
function later(
  verdicts: Promise<void>[] | undefined,
  verdict: void | Promise<void>,
): Promise<void>[] | undefined {
  if (!verdict) return verdicts;
  (verdicts ??= []).push(verdict);
  return verdicts;
}

// What one frame asks for, validated, between its authorization and its application.
interface Effects {
  toSubscribe: readonly string[];
  toPublish: readonly string[];
  toUnsubscribe: readonly string[];
  positions: RecoverRequest | undefined;
  query: HistoryQuery | undefined;
  upstream: string | undefined;
}
