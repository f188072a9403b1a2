/**
 * lhttp: an HTTP-like pub/sub protocol over WebSocket, on Deno, Bun, Node and
 * any runtime with a fetch handler.
 *
 * This entry point is runtime-agnostic: the server core, the codec and the bus
 * interface. Runtime adapters live at `@lhttp/lhttp/deno` (and `bun`, `node`,
 * `fetch`), the HTTP routes at `@lhttp/lhttp/hono`, the client at
 * `@lhttp/lhttp/client`, the NATS bus at `@lhttp/lhttp/nats`. Building blocks
 * for adapters and tests are at `@lhttp/lhttp/internal`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer, parseFrame } from "@lhttp/lhttp";
 * const server = new LhttpServer();
 * server.processor("chat", { onMessage: (ctx) => void ctx.setHeader("seen", "yes") });
 * const frame = parseFrame("LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello room");
 * assert.equal(frame.headers.get("publish"), "room");
 * ```
 *
 * @module
 */

export { parseFrame, type ParseLimits } from "./src/codec/parse.ts";
export { encodeFrame, type SerializableFrame, serializeFrame } from "./src/codec/serialize.ts";
export { buildMultipart, type Part, type PartInit, splitMultipart } from "./src/codec/multipart.ts";
export {
  createFrame,
  type Frame,
  type FrameData,
  type FrameInit,
  type HeadersInit,
} from "./src/codec/frame.ts";
export { FrameError, LhttpError, type LhttpErrorCode } from "./src/codec/errors.ts";
export { DEFAULT_LIMITS, type Limits } from "./src/codec/limits.ts";
export { CloseCode } from "./src/codec/close_code.ts";
export { type Bus, type BusState, MemoryBroker } from "./src/hub/bus.ts";
export { Connection, type Peer, type SlowConsumerPolicy } from "./src/connection/connection.ts";
export type { RateLimit } from "./src/connection/rate_limit.ts";
export type { Pacing } from "./src/connection/pacer.ts";
export { Context, type SendInit } from "./src/router/context.ts";
export type { Middleware, Next, Processor } from "./src/router/middleware.ts";
export {
  type AdapterAttachment,
  type AuthorizeRequest,
  LhttpServer,
  type OpenConnections,
  type ServerOptions,
  type UpgradeDecision,
} from "./src/server/lhttp_server.ts";
export type { RunningServer, ServeOptions } from "./src/adapters/serve_options.ts";
export { createLogger, type Logger, type LogLevel } from "./src/telemetry/log.ts";
