/**
 * Server options resolved once into frozen settings: every default in one place.
 *
 * @module
 */

import { type Limits, resolveLimits } from "../codec/limits.ts";
import type { SlowConsumerPolicy } from "../connection/connection.ts";
import { type Pacing, resolvePacing } from "../connection/pacer.ts";
import type { RateLimit } from "../connection/rate_limit.ts";
import type { Authorize } from "../router/pubsub.ts";
import type { UpstreamCallsOptions } from "../router/upstream_calls.ts";
import { resolveWebhooks, type WebhookSettings } from "../webhooks/options.ts";
import type { CompressionOptions, ServerOptions } from "./options.ts";

/** The resolved, frozen settings of a server. */
export interface ServerSettings {
  /** Protocol limits. */
  readonly limits: Readonly<Limits>;
  /** Outgoing bytes per connection before the slow-consumer policy. */
  readonly maxBufferedBytes: number;
  /** Close (4008) or drop for a slow connection. */
  readonly slowConsumer: SlowConsumerPolicy;
  /** Publisher pacing; absent when off. */
  readonly pacing?: Readonly<Pacing>;
  /** Frames read ahead before close 1008. */
  readonly maxQueuedFrames: number;
  /** Bytes read ahead before close 1008. */
  readonly maxQueuedBytes: number;
  /** Frames per second per connection; absent when off. */
  readonly rateLimit?: Readonly<RateLimit>;
  /** Upstream allowlist, timeouts and bounds. */
  readonly upstream: Readonly<UpstreamCallsOptions>;
  /** `POST /publish` bearer token; absent for none (an empty one is none). */
  readonly publishToken?: string;
  /** `POST /publish` without a token for any caller, not only loopback. */
  readonly publishOpen: boolean;
  /** Deadline of a `POST /publish` body. */
  readonly publishBodyTimeoutMs: number;
  /** Bytes of `POST /publish` bodies read at once, all callers. */
  readonly publishMaxBodyBytesInFlight: number;
  /** Origins allowed to upgrade; same-origin when absent. */
  readonly allowedOrigins?: readonly string[];
  /** Host names answered; any when absent. */
  readonly allowedHosts?: readonly string[];
  /** How long the bus may be down before `/healthz` answers 503. */
  readonly busDownGraceMs: number;
  /** The upgrade hook. */
  readonly authenticate?: ServerOptions["authenticate"];
  /** The authorization hook for client frames. */
  readonly authorize?: Authorize;
  /** Lifecycle webhooks, when configured. */
  readonly webhooks?: WebhookSettings;
  /** permessage-deflate, when on. */
  readonly compression?: Readonly<Required<CompressionOptions>>;
}

/**
 * Resolves `options` with the defaults of PROTOCOL.md section 10.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings } from "@lhttp/lhttp/internal";
 * const settings = resolveSettings({ publishToken: "" });
 * assert.equal(settings.publishToken, undefined);
 * assert.equal(settings.limits.maxFrameBytes, 1024 * 1024);
 * assert.ok(Object.isFrozen(settings));
 * ```
 */
export function resolveSettings(options: ServerOptions = {}): ServerSettings {
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const fetcher: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  return Object.freeze({
    limits: Object.freeze(resolveLimits(options.limits)),
    maxBufferedBytes,
    slowConsumer: options.slowConsumer ?? "close",
    pacing: options.pacing === false
      ? undefined
      : Object.freeze(resolvePacing(options.pacing, maxBufferedBytes)),
    maxQueuedFrames: options.maxQueuedFrames ?? 65_536,
    maxQueuedBytes: options.maxQueuedBytes ?? 16 * 1024 * 1024,
    rateLimit: options.rateLimit ? Object.freeze({ ...options.rateLimit }) : undefined,
    upstream: Object.freeze({
      allow: Object.freeze([...(options.upstreamAllow ?? [])]),
      timeoutMs: options.upstreamTimeoutMs ?? 10_000,
      maxResponseBytes: options.upstreamMaxResponseBytes ?? 1024 * 1024,
      maxRedirects: 5,
      maxInFlight: options.upstreamMaxInFlight ?? 4,
      fetch: fetcher,
    }),
    // An empty token is no token: it can never be sent as `Bearer `.
    publishToken: options.publishToken || undefined,
    publishOpen: options.publishOpen ?? false,
    publishBodyTimeoutMs: options.publishBodyTimeoutMs ?? 10_000,
    publishMaxBodyBytesInFlight: options.publishMaxBodyBytesInFlight ?? 64 * 1024 * 1024,
    allowedOrigins: options.allowedOrigins,
    allowedHosts: options.allowedHosts,
    busDownGraceMs: options.busDownGraceMs ?? 10_000,
    authenticate: options.authenticate,
    authorize: options.authorize,
    webhooks: options.webhooks
      ? resolveWebhooks(options.webhooks, options.upstreamAllow ?? [], fetcher)
      : undefined,
    compression: resolveCompression(options.compression),
  });
}

/**
 * `ServerOptions.compression` with its defaults; undefined when off.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveCompression } from "./settings.ts";
 * assert.equal(resolveCompression(undefined), undefined);
 * assert.deepEqual(resolveCompression(true), { minBytes: 256, maxConcurrent: 4 });
 * assert.throws(() => resolveCompression({ minBytes: -1 }), RangeError);
 * ```
 */
export function resolveCompression(
  option: boolean | CompressionOptions | undefined,
): Readonly<Required<CompressionOptions>> | undefined {
  if (!option) return undefined;
  const { minBytes = 256, maxConcurrent = 4 } = option === true ? {} : option;
  if (!(Number.isInteger(minBytes) && minBytes >= 0)) {
    throw new RangeError(
      `compression.minBytes must be a whole number, not ${JSON.stringify(minBytes)}`,
    );
  }
  if (!(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) {
    throw new RangeError(
      `compression.maxConcurrent must be a whole number of at least 1, not ${
        JSON.stringify(maxConcurrent)
      }`,
    );
  }
  return Object.freeze({ minBytes, maxConcurrent });
}
