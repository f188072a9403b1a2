/**
 * Upstream requests of client frames: checked before anything of the frame is
 * applied, started last, answered later as their own frames.
 *
 * @module
 */

import { LhttpError } from "../codec/errors.ts";
import type { Connection } from "../connection/connection.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import type { Context } from "./context.ts";
import { type Replies, upstreamFrame } from "./replies.ts";
import { callUpstream, checkUpstream, type UpstreamOptions } from "./upstream.ts";

/** Settings of {@linkcode UpstreamCalls}. */
export interface UpstreamCallsOptions extends UpstreamOptions {
  /** Requests one connection may have in flight. */
  maxInFlight: number;
}

/** Upstream requests in flight, per connection. */
export class UpstreamCalls {
  readonly #inFlight = new WeakMap<Connection, number>();

  /** Calls upstreams with `options`, answering through `replies`. */
  constructor(
    readonly options: UpstreamCallsOptions,
    readonly replies: Replies,
    readonly metrics: Metrics,
  ) {}

  /** Validates an `upstream` value for `connection` (syntax, allowlist, in-flight bound); returns the URL. */
  check(connection: Connection, value: string): URL {
    const { url } = checkUpstream(value, this.options.allow);
    const max = this.options.maxInFlight;
    if ((this.#inFlight.get(connection) ?? 0) >= max) {
      throw new LhttpError(
        "upstream_busy",
        `A connection may have at most ${max} upstream requests in flight`,
      );
    }
    return url;
  }

  /** Starts the request for the context's reply, without waiting for it. */
  start(ctx: Context, value: string): void {
    const connection = ctx.connection;
    const reply = ctx.reply;
    const ack = ctx.request.headers.get("ack");
    const metrics = this.metrics;
    this.#inFlight.set(connection, (this.#inFlight.get(connection) ?? 0) + 1);
    callUpstream(value, reply, this.options)
      .then((answer) => {
        metrics.count(metrics.upstream, "ok");
        connection.send(upstreamFrame(reply.command, ack, answer));
      }, (error) => {
        metrics.count(metrics.upstream, error instanceof LhttpError ? error.code : "internal");
        this.replies.error(connection, reply.command, ack, error);
      })
      .finally(() => this.#inFlight.set(connection, this.#inFlight.get(connection)! - 1));
  }
}
