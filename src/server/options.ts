/**
 * Options of {@linkcode LhttpServer}, every one optional.
 *
 * @module
 */

import type { Bus } from "../hub/bus.ts";
import type { SlowConsumerPolicy } from "../connection/connection.ts";
import type { AuthorizeRequest } from "../router/pubsub.ts";
import type { Limits } from "../codec/limits.ts";
import type { Logger } from "../telemetry/log.ts";
import type { RateLimit } from "../connection/rate_limit.ts";
import type { Pacing } from "../connection/pacer.ts";
import type { NamespaceRule } from "../namespaces/rules.ts";
import type { LifecycleObserver } from "../router/lifecycle.ts";
import type { History, HistoryRule } from "../history/history.ts";
import type { ClusterHistory } from "../history/cluster_history.ts";
import type { WebhookOptions } from "../webhooks/options.ts";
import type { PresenceOptions } from "../presence/options.ts";

export type { AuthorizeRequest } from "../router/pubsub.ts";

/**
 * How the admin API of one node reaches the others (NATS request/reply in
 * `lhttp serve`); JSON in, JSON out.
 */
export interface AdminCluster {
  /**
   * Asks every node and gathers the answers that arrive within `timeoutMs`;
   * it may stop sooner once `expected` answers arrived.
   */
  gather(op: string, body: unknown, timeoutMs: number, expected?: number): Promise<unknown[]>;
  /** Asks one node; rejects when it does not answer within `timeoutMs`. */
  ask(node: string, op: string, body: unknown, timeoutMs: number): Promise<unknown>;
  /** Answers the requests for node `node` (and for every node) with `handler`. */
  serve(node: string, handler: (op: string, body: unknown) => Promise<unknown>): void;
}

/** The admin page and API at `/admin`; off unless `token` is set. */
export interface AdminOptions {
  /** The admin token; the login form and `Authorization: Bearer` take it. */
  token: string;
  /** Other nodes, over NATS; this node only when absent. */
  cluster?: AdminCluster;
  /** This node's name in the cluster (random by default). */
  node?: string;
  /** The package version shown (the CLI's). */
  version?: string;
  /** Frames per second a live trace forwards; the rest are counted as skipped (default 20). */
  traceRate?: number;
  /** Ms to wait for other nodes (default 1500). */
  clusterTimeoutMs?: number;
}

/** Options of permessage-deflate (see `ServerOptions.compression`). */
export interface CompressionOptions {
  /** Frames smaller than this many bytes go uncompressed (default 256). */
  minBytes?: number;
  /** zlib operations in flight at once for per-socket sends, process-wide (default 4). */
  maxConcurrent?: number;
}

/** Options of `LhttpServer`; every one is optional. */
export interface ServerOptions {
  /** Protocol limits (PROTOCOL.md, "Limits"). */
  limits?: Partial<Limits>;
  /** Cross-node bus; local only when absent. */
  bus?: Bus;
  /**
   * Bearer token required by `POST /publish`. Without one (absent or empty),
   * `/publish` answers loopback callers only, unless `publishOpen` is set.
   */
  publishToken?: string;
  /** Let any caller use `POST /publish` without a token (default false: loopback only). */
  publishOpen?: boolean;
  /** Time a `POST /publish` body may take to arrive, in ms (default 10 000; then 408). */
  publishBodyTimeoutMs?: number;
  /** Bytes of `POST /publish` bodies being read at once, all callers together (default 64 MiB; then 503). */
  publishMaxBodyBytesInFlight?: number;
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
  /**
   * Decides on an upgrade: return connection data, or a Response to refuse. A
   * 401 or 403 Response is turned into an accepted socket closed at once with
   * 4401 or 4403 and the Response's text as reason, since browsers cannot read
   * the status of a refused upgrade; other statuses refuse the upgrade itself.
   */
  authenticate?: (request: Request) => unknown | Response | Promise<unknown | Response>;
  /** Decides per action; false refuses it with a 403 status frame. */
  authorize?: (request: AuthorizeRequest) => boolean | Promise<boolean>;
  /**
   * Per-prefix channel policy (PROTOCOL.md section 14): the longest matching
   * `prefix` wins. Checked when the server is constructed: a fault throws a
   * `NamespaceError`.
   */
  namespaces?: readonly NamespaceRule[];
  /** Hooks a namespace's `authorize` can name, instead of `authorize`. */
  authorizers?: Readonly<Record<string, (request: AuthorizeRequest) => boolean | Promise<boolean>>>;
  /**
   * The user of a connection, from what `authenticate` returned, for
   * user-limited channels (`inbox#alice`); by default the data when it is a
   * string, else its `user` field.
   */
  userOf?: (data: unknown) => string | undefined;
  /** Origins allowed to open browser WebSockets; `["*"]` for any. Same-origin only by default. */
  allowedOrigins?: readonly string[];
  /**
   * `Host` header values (`name` or `name:port`) the server answers upgrades
   * for, against DNS rebinding; any when absent.
   */
  allowedHosts?: readonly string[];
  /**
   * How long the bus may be down (any state but `connected`: `connecting`,
   * `stalled`, `disconnected`, `closed`) before `/healthz` answers 503, in ms
   * (default 10 000). Measured from the first `/healthz` or `/metrics` that saw it down.
   */
  busDownGraceMs?: number;
  /** The admin page and API at `/admin`; off by default (PROTOCOL.md section 8, "Admin API"). */
  admin?: AdminOptions;
  /** Per-connection frame rate limit; off by default. */
  rateLimit?: RateLimit;
  /** Logger; warnings and errors to stderr by default. */
  logger?: Logger;
  /**
   * permessage-deflate (RFC 7692, PROTOCOL.md section 18); off by default.
   * `true` or options turn it on where the runtime allows it (Node, Bun, and
   * Deno's default transport; not `transport: "web"`).
   */
  compression?: boolean | CompressionOptions;
  /**
   * Told of every connect, disconnect (reason, duration), subscribe and
   * unsubscribe, synchronously; it must queue and return, never throw.
   */
  lifecycle?: LifecycleObserver;
  /**
   * Channel history (PROTOCOL.md section 13): rules per channel prefix for the
   * embedded memory engine (`[{ prefix: "chat.", size: 100, ttlMs: 3_600_000 }]`;
   * the longest matching prefix wins), or an engine (`JetStreamHistory` from
   * `@lhttp/lhttp/jetstream` for a cluster). None by default.
   */
  history?: readonly HistoryRule[] | History | ClusterHistory;
  /** Most publications one recovery or history query returns, all or nothing (default 1000). */
  historyRecoveryLimit?: number;
  /**
   * Lifecycle webhooks (PROTOCOL.md, "Webhooks"): signed, batched POSTs of
   * connect, disconnect, subscribe, unsubscribe, channel_occupied and
   * channel_vacated. Endpoints must be inside `upstreamAllow`.
   */
  webhooks?: WebhookOptions;
  /**
   * Presence (PROTOCOL.md, "Presence"): who is subscribed to a channel. On for
   * the namespaces with `presence: true` (diffs with `joinLeave: true`), or for
   * `presence.prefixes`; off by default.
   */
  presence?: PresenceOptions;
}
