/**
 * Options of {@linkcode LhttpServer}, every one optional.
 *
 * @module
 */

import type { Bus } from "../hub/bus.ts";
import type { Connection, SlowConsumerPolicy } from "../connection/connection.ts";
import type { Frame } from "../codec/frame.ts";
import type { Limits } from "../codec/limits.ts";
import type { Logger } from "../telemetry/log.ts";
import type { RateLimit } from "../connection/rate_limit.ts";
import type { Pacing } from "../connection/pacer.ts";

/** An action the `authorize` hook decides on. */
export interface AuthorizeRequest {
  /** What the connection wants to do. */
  action: "subscribe" | "publish" | "upstream";
  /** Channels (subscribe, publish) or the upstream URL. */
  target: string;
  /** The connection asking; `connection.data` is what `authenticate` returned. */
  connection: Connection;
  /** The frame asking. */
  frame: Frame;
}

/** Options of `LhttpServer`; every one is optional. */
export interface ServerOptions {
  /** Protocol limits (PROTOCOL.md, "Limits"). */
  limits?: Partial<Limits>;
  /** Cross-node bus; local only when absent. */
  bus?: Bus;
  /** Bearer token required by `POST /publish`; open when absent. */
  publishToken?: string;
  /** URL prefixes `upstream` may fetch; upstream is refused when empty (default). */
  upstreamAllow?: readonly string[];
  /** Upstream timeout in ms (default 10 000). */
  upstreamTimeoutMs?: number;
  /** Largest upstream answer relayed, bytes (default 1 MiB). */
  upstreamMaxResponseBytes?: number;
  /** Upstream requests in flight per connection (default 4). */
  upstreamMaxInFlight?: number;
  /** fetch used for upstream; the global one by default. */
  fetch?: typeof fetch;
  /** Buffered outgoing bytes per connection before the slow-consumer policy applies (default 1 MiB). */
  maxBufferedBytes?: number;
  /** `close` (code 4008, default) or `drop` frames for a slow connection. */
  slowConsumer?: SlowConsumerPolicy;
  /**
   * Publisher pacing (on by default): a connection whose delivery finds a
   * subscriber past `highWaterBytes` (half of `maxBufferedBytes`) waits, up to
   * `maxWaitMs` (100) per subscriber, until it drains below `lowWaterBytes`.
   * `false` turns it off (floods then grow runtime send queues).
   */
  pacing?: Partial<Pacing> | false;
  /**
   * Frames read ahead while an async processor runs or publisher pacing waits,
   * before the connection is closed with 1008 (default 65 536).
   */
  maxQueuedFrames?: number;
  /** Bytes of frames read ahead, likewise (default 16 MiB). */
  maxQueuedBytes?: number;
  /** Decides on an upgrade: return connection data, or a Response to refuse. */
  authenticate?: (request: Request) => unknown | Response | Promise<unknown | Response>;
  /** Decides per action; false refuses it with a 403 status frame. */
  authorize?: (request: AuthorizeRequest) => boolean | Promise<boolean>;
  /** Origins allowed to open browser WebSockets; `["*"]` for any. Same-origin only by default. */
  allowedOrigins?: readonly string[];
  /** Per-connection frame rate limit; off by default. */
  rateLimit?: RateLimit;
  /** Logger; warnings and errors to stderr by default. */
  logger?: Logger;
}
