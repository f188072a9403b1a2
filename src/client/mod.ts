/**
 * The lhttp client: one reconnecting connection to an lhttp server, for
 * browsers, Deno, Bun and Node. No dependencies; the frame codec is included.
 *
 * `LhttpClient` is the entry point; the rest are its options, events and
 * errors, helpers to build and read frames, and the codec's frame functions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientError, LhttpClient, multipartFrame } from "@lhttp/lhttp/client";
 * assert.throws(() => new LhttpClient("ftp://x/"), (error) => error instanceof ClientError);
 * assert.equal(multipartFrame("upload", [{ body: "a" }]).headers.get("multipart"), "0");
 * ```
 *
 * @module
 */

export {
  LhttpClient,
  type PublishOptions,
  type SubscribeOptions,
  type Subscription,
} from "./lhttp_client.ts";
export { SharedLhttpClient } from "./shared_client.ts";
export { type SharedClientOptions, type ShareMode, shareMode } from "./shared_options.ts";
export type { WirePosition } from "./_shared_protocol.ts";
export type { ClientEvents, ClientState, RefusalCode } from "./client_events.ts";
export type {
  ClientOptions,
  Clock,
  SocketHandler,
  WebSocketConstructor,
  WebSocketLike,
} from "./options.ts";
export { backoffDelay, type ReconnectOptions } from "./backoff.ts";
export { ClientError, type ClientErrorCode, isErrorFrame, RemoteError } from "./errors.ts";
export { binaryFrame, channelsOf, multipartFrame, partsOf, textOf } from "./frames.ts";
export type { FrameHandler } from "./subscriptions.ts";
export type { GapEvent, SubscribedEvent } from "./positions.ts";
export type { HistoryOptions, HistoryResult } from "./history_query.ts";
export type { Listener } from "./emitter.ts";
export { FrameStream, type FrameStreamOptions } from "./frame_stream.ts";
export { parseFrame, type ParseLimits } from "../codec/parse.ts";
export { encodeFrame, type SerializableFrame, serializeFrame } from "../codec/serialize.ts";
export type { Part, PartInit } from "../codec/multipart.ts";
export { createFrame, type Frame, type FrameInit, type HeadersInit } from "../codec/frame.ts";
export { FrameError, LhttpError, type LhttpErrorCode } from "../codec/errors.ts";
export type { Limits } from "../codec/limits.ts";
