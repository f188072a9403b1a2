/**
 * Options of lifecycle webhooks, and their defaults resolved once.
 *
 * @module
 */

import { isAllowedUpstream } from "../router/upstream.ts";
import type { WebhookEventType } from "./event.ts";

/** What the server's `webhooks` option takes. */
export interface WebhookOptions {
  /** Receiver URLs; each must start with an entry of `allow` (the upstream allowlist). */
  endpoints: readonly string[];
  /** The shared HMAC-SHA256 secret. */
  secret: string;
  /** Event types sent (all by default). */
  events?: readonly WebhookEventType[];
  /** Most events in one POST (default 100). */
  batchSize?: number;
  /** Longest wait before a batch that is not full is sent, ms (default 50). */
  flushMs?: number;
  /** Events held per endpoint; the oldest is dropped past it (default 10 000). */
  maxQueued?: number;
  /** Delay before `channel_vacated`, so a quick return does not flap it, ms (default 5000). */
  vacateDelayMs?: number;
  /** Per-request timeout, ms (default 5000). */
  timeoutMs?: number;
  /** First retry delay, ms (default 250); doubles up to `retryMaxMs`, with full jitter. */
  retryBaseMs?: number;
  /** Longest retry delay, ms (default 30 000). */
  retryMaxMs?: number;
  /** The node's id in events; random by default. */
  node?: string;
}

/** Resolved webhook settings. */
export type WebhookSettings = Readonly<Required<WebhookOptions>> & {
  /** URL prefixes receivers and their redirects must stay in. */
  readonly allow: readonly string[];
  /** The fetch to use. */
  readonly fetch: typeof fetch;
};

/**
 * Applies the defaults; throws `RangeError` for an endpoint outside `allow`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveWebhooks } from "./options.ts";
 * const allow = ["http://127.0.0.1:9000/"];
 * const settings = resolveWebhooks({ endpoints: ["http://127.0.0.1:9000/hook"], secret: "s" }, allow, fetch);
 * assert.equal(settings.batchSize, 100);
 * assert.equal(settings.vacateDelayMs, 5000);
 * assert.throws(() => resolveWebhooks({ endpoints: ["http://evil/"], secret: "s" }, allow, fetch), RangeError);
 * ```
 */
export function resolveWebhooks(
  options: WebhookOptions,
  allow: readonly string[],
  fetcher: typeof fetch,
): WebhookSettings {
  if (!options.secret) throw new TypeError("Webhooks need a non-empty secret");
  for (const endpoint of options.endpoints) {
    if (!isAllowedUpstream(new URL(endpoint), allow)) {
      throw new RangeError(
        `Webhook endpoint ${JSON.stringify(endpoint)} is not in the upstream allowlist`,
      );
    }
  }
  return Object.freeze({
    endpoints: Object.freeze([...options.endpoints]),
    secret: options.secret,
    events: Object.freeze([
      ...(options.events ??
        [
          "connect",
          "disconnect",
          "subscribe",
          "unsubscribe",
          "channel_occupied",
          "channel_vacated",
        ] as const),
    ]),
    batchSize: options.batchSize ?? 100,
    flushMs: options.flushMs ?? 50,
    maxQueued: options.maxQueued ?? 10_000,
    vacateDelayMs: options.vacateDelayMs ?? 5000,
    timeoutMs: options.timeoutMs ?? 5000,
    retryBaseMs: options.retryBaseMs ?? 250,
    retryMaxMs: options.retryMaxMs ?? 30_000,
    node: options.node ?? crypto.randomUUID().slice(0, 8),
    allow: Object.freeze([...allow]),
    fetch: fetcher,
  });
}
