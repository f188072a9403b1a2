/**
 * The options and the handle of `LhttpClient`'s publish and subscribe.
 *
 * @module
 */

import type { HeadersInit } from "../codec/frame.ts";

/** Options of `LhttpClient.publish`. */
export interface PublishOptions {
  /** The frame's command; `message` by default. */
  command?: string;
  /** Extra headers (the `publish` header is set for you). */
  headers?: HeadersInit;
}

/** Options of `LhttpClient.subscribe`: the subscribing frame, re-sent after reconnects. */
export interface SubscribeOptions {
  /** The frame's command; `subscribe` by default. */
  command?: string;
  /** Extra headers (the `subscribe` header is set for you). */
  headers?: HeadersInit;
  /** A body for the subscribing frame (a processor may read it); empty by default. */
  body?: string;
}

/**
 * What `LhttpClient.subscribe` returns: call it to unsubscribe (it
 * resolves once the server acknowledged, at once if offline or if other
 * subscribers of the channel remain); await `ready` for the server's first
 * acknowledgement.
 */
export interface Subscription {
  (): Promise<void>;
  /** The channel. */
  readonly channel: string;
  /** Resolves on the server's acknowledgement; rejects with a `RemoteError` when refused. */
  readonly ready: Promise<void>;
}
