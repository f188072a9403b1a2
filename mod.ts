/**
 * lhttp: an HTTP-like pub/sub protocol over WebSocket, on Deno, Bun and Node.
 *
 * The core entry point is runtime-agnostic: the codec, the server core and the
 * hub. Runtime adapters live at `@lhttp/lhttp/deno` (and `bun`, `node`), the
 * HTTP routes at `@lhttp/lhttp/hono`.
 *
 * @example
 * ```ts
 * import { LhttpServer, parseFrame } from "@lhttp/lhttp";
 * const server = new LhttpServer();
 * server.processor("chat", { onMessage: (ctx) => void ctx.setHeader("seen", "yes") });
 * const frame = parseFrame("LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello room");
 * console.assert(frame.headers.get("publish") === "room");
 * ```
 *
 * @module
 */

export { parseFrame, type ParseLimits } from "./src/codec/parse.ts";
export { encodeFrame, type SerializableFrame, serializeFrame } from "./src/codec/serialize.ts";
export { buildMultipart, type Part, type PartInit, splitMultipart } from "./src/codec/multipart.ts";
export {
  assertCommand,
  assertHeader,
  createFrame,
  type Frame,
  type FrameData,
  type FrameInit,
  type HeadersInit,
  PROTOCOL_VERSION,
  toHeaderMap,
} from "./src/codec/frame.ts";
export { FrameError, LhttpError, type LhttpErrorCode } from "./src/codec/errors.ts";
export { DEFAULT_LIMITS, type Limits } from "./src/codec/limits.ts";
export { isChannelName, parseChannels } from "./src/codec/channels.ts";
export { type Bus, type BusState, MemoryBroker } from "./src/hub/bus.ts";
export { Hub, type HubOptions, type LocalFanout, type Subscriber } from "./src/hub/hub.ts";
export { CloseCode } from "./src/codec/close_code.ts";
export {
  Connection,
  type ConnectionOptions,
  type Peer,
  type SlowConsumerPolicy,
} from "./src/connection/connection.ts";
export { Context, type ContextHost, type SendInit } from "./src/router/context.ts";
export { compose, type Middleware, type Next, type Processor } from "./src/router/middleware.ts";
export {
  type AuthorizeRequest,
  LhttpServer,
  type PubSub,
  type ServerOptions,
  type UpgradeDecision,
} from "./src/server/lhttp_server.ts";
export { isWebSocketUpgrade, type RunningServer, type ServeOptions } from "./src/adapters/serve_options.ts";
export { createLogger, type Logger, type LogLevel } from "./src/telemetry/log.ts";
export { type Gauges, Metrics, renderMetrics } from "./src/telemetry/metrics.ts";
export { type RateLimit, TokenBucket } from "./src/connection/rate_limit.ts";
export { type Paced, Pacer, type Pacing, resolvePacing } from "./src/connection/pacer.ts";
