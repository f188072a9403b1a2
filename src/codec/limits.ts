/**
 * Protocol limits and their defaults (PROTOCOL.md, "Limits").
 *
 * @module
 */

/** Limits applied to every frame a server or codec reads. */
export interface Limits {
  /** Largest frame in bytes; larger frames close the socket with 1009. */
  maxFrameBytes: number;
  /** Most header lines in one frame or multipart part. */
  maxHeaders: number;
  /** Largest header section (start line and headers) in bytes. */
  maxHeaderBytes: number;
  /** Most channels named in one `subscribe`/`publish`/`unsubscribe` header. */
  maxChannelsPerFrame: number;
  /** Most channels one connection may be subscribed to at once. */
  maxSubscriptions: number;
  /** Longest channel name in characters. */
  maxChannelLength: number;
  /** Most parts in a multipart frame. */
  maxParts: number;
}

/**
 * The defaults of {@linkcode Limits}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "@lhttp/lhttp";
 * assert.equal(DEFAULT_LIMITS.maxFrameBytes, 1024 * 1024);
 * ```
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  maxHeaders: 32,
  maxHeaderBytes: 8192,
  maxChannelsPerFrame: 40,
  maxSubscriptions: 256,
  maxChannelLength: 128,
  maxParts: 64,
});

/** Fills the limits a caller left out with the defaults. */
export function resolveLimits(limits?: Partial<Limits>): Limits {
  return { ...DEFAULT_LIMITS, ...limits };
}
