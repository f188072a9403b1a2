/**
 * The lhttp client: one reconnecting connection to an lhttp server, for
 * browsers, Deno, Bun and Node. No dependencies; the frame codec is included.
 *
 * @example
 * ```ts
 * import { LhttpClient, multipartFrame } from "@lhttp/lhttp/client";
 * console.assert(typeof LhttpClient === "function");
 * console.assert(multipartFrame("upload", [{ body: "a" }]).headers.get("multipart") === "0");
 * ```
 *
 * @module
 */

export {
  LhttpClient,
  type PublishOptions,
  type SubscribeOptions,
  type Subscription,
} from "./api.ts";
export { ClientCore, type ClientEvents, type ClientState } from "./client.ts";
export {
  type ClientOptions,
  type Clock,
  type ResolvedOptions,
  type SocketHandler,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./options.ts";
export {
  backoffDelay,
  DEFAULT_RECONNECT,
  type ReconnectOptions,
  type ResolvedReconnect,
} from "./backoff.ts";
export { ClientError, type ClientErrorCode, isErrorFrame, RemoteError } from "./errors.ts";
export { binaryFrame, channelsOf, multipartFrame, partsOf, textOf } from "./frames.ts";
export { type FrameHandler, SubscriptionRecord, Subscriptions } from "./subscriptions.ts";
export { AckTracker } from "./acks.ts";
export { BoundedQueue } from "./queue.ts";
export { Emitter, type Listener } from "./emitter.ts";
export { FrameStream } from "./stream.ts";
export { parseFrame, type ParseLimits } from "../codec/parse.ts";
export { encodeFrame, type SerializableFrame, serializeFrame } from "../codec/serialize.ts";
export { buildMultipart, type Part, type PartInit, splitMultipart } from "../codec/multipart.ts";
export { createFrame, type Frame, type FrameInit, type HeadersInit } from "../codec/frame.ts";
export { FrameError, LhttpError, type LhttpErrorCode } from "../codec/errors.ts";
export { DEFAULT_LIMITS, type Limits } from "../codec/limits.ts";
