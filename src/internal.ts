/**
 * Building blocks behind the curated surface of `@lhttp/lhttp`: for adapters,
 * buses, tests and tools. Less stable than the main entry point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hub } from "@lhttp/lhttp/internal";
 * assert.equal(new Hub().channelCount, 0);
 * ```
 *
 * @module
 */

export { isChannelName, parseChannels } from "./codec/channels.ts";
export {
  assertCommand,
  assertHeader,
  isCommand,
  PROTOCOL_VERSION,
  toHeaderMap,
} from "./codec/frame.ts";
export { verbatimChannel, type VerbatimLimits } from "./codec/verbatim.ts";
export { HOP_BY_HOP_HEADERS, withoutHopByHop } from "./codec/hop_by_hop.ts";
export { salvageAck } from "./codec/parse.ts";
export { resolveLimits } from "./codec/limits.ts";
export { Hub, type HubOptions, type LocalFanout, type Subscriber } from "./hub/hub.ts";
export {
  Connection,
  type ConnectionOptions,
  type ConnectionOwner,
} from "./connection/connection.ts";
export { type FrameHandler, Inbox, type InboxOptions } from "./connection/inbox.ts";
export { type Paced, Pacer, resolvePacing } from "./connection/pacer.ts";
export { TokenBucket } from "./connection/rate_limit.ts";
export { type ContextHost } from "./router/context.ts";
export { compose } from "./router/middleware.ts";
export { type Authorize, PubSub, type PubSubOptions } from "./router/pubsub.ts";
export { VerbatimPublish, type VerbatimPublishOptions } from "./router/verbatim_publish.ts";
export { resolveSettings, type ServerSettings } from "./server/settings.ts";
export type { UpstreamCallsOptions } from "./router/upstream_calls.ts";
export type { UpstreamOptions } from "./router/upstream.ts";
export { type Gauges, Metrics, renderMetrics } from "./telemetry/metrics.ts";
export { isWebSocketUpgrade } from "./http/routes.ts";
export * from "./namespaces/mod.ts";
export * from "./history/mod.ts";
export { isWildcard, PatternTrie } from "./hub/pattern_trie.ts";
export type { BusStats } from "./telemetry/metrics.ts";
export type { WebhookOptions, WebhookSettings } from "./webhooks/options.ts";
export type { PresenceOptions } from "./presence/options.ts";
export type { LifecycleObserver } from "./router/lifecycle.ts";
export type { AdminOptions, CompressionOptions } from "./server/options.ts";
export type { NatsRequester, RelayedAnswer, RelayedPost } from "./http/sse_relay.ts";
export type { WebhookEventType } from "./webhooks/event.ts";
export type { Disconnect } from "./router/lifecycle.ts";
export type { PresencePage } from "./presence/presence.ts";
export type { AdminCluster } from "./server/options.ts";
