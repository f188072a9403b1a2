/**
 * Typed errors. Every error lhttp throws on purpose is an {@linkcode LhttpError}
 * with a machine `code` and the HTTP-like `status` PROTOCOL.md assigns to it.
 *
 * @module
 */

/** Machine codes of the faults PROTOCOL.md names; see its status table. */
export type LhttpErrorCode =
  | "not_lhttp"
  | "bad_version"
  | "bad_start_line"
  | "bad_header"
  | "too_many_headers"
  | "headers_too_large"
  | "frame_too_large"
  | "invalid_utf8"
  | "bad_multipart"
  | "bad_channel"
  | "too_many_channels"
  | "subscription_limit"
  | "missing_publish"
  | "unauthorized"
  | "forbidden"
  | "bad_upstream"
  | "upstream_forbidden"
  | "upstream_busy"
  | "upstream_timeout"
  | "upstream_unreachable"
  | "upstream_too_large"
  | "rate_limited"
  | "body_timeout"
  | "server_busy"
  | "bad_position"
  | "bad_limit"
  | "history_limit"
  | "position_expired"
  | "internal";

const STATUS: Record<LhttpErrorCode, number> = {
  not_lhttp: 400,
  bad_version: 505,
  bad_start_line: 400,
  bad_header: 400,
  too_many_headers: 431,
  headers_too_large: 431,
  frame_too_large: 413,
  invalid_utf8: 400,
  bad_multipart: 400,
  bad_channel: 400,
  too_many_channels: 400,
  subscription_limit: 429,
  missing_publish: 400,
  unauthorized: 401,
  forbidden: 403,
  bad_upstream: 400,
  upstream_forbidden: 403,
  upstream_busy: 429,
  upstream_timeout: 504,
  upstream_unreachable: 502,
  upstream_too_large: 502,
  rate_limited: 429,
  body_timeout: 408,
  server_busy: 503,
  bad_position: 400,
  bad_limit: 400,
  history_limit: 400,
  position_expired: 410,
  internal: 500,
};

/**
 * Base class of lhttp's errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpError } from "@lhttp/lhttp";
 * const error = new LhttpError("forbidden", 'Channel "admin" is not allowed');
 * assert.equal(error.status, 403);
 * assert.equal(error.code, "forbidden");
 * ```
 */
export class LhttpError extends Error {
  /** Machine-readable code, stable across versions. */
  readonly code: LhttpErrorCode;
  /** HTTP-like status sent in error frames and HTTP answers. */
  readonly status: number;

  /** Creates an error with a code from PROTOCOL.md's table and a readable message. */
  constructor(code: LhttpErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LhttpError";
    this.code = code;
    this.status = STATUS[code];
  }
}

/**
 * A frame could not be parsed, split or serialized. The codec throws nothing else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameError, parseFrame } from "@lhttp/lhttp";
 * assert.throws(
 *   () => parseFrame("LHTTP/2.0 chat\r\n\r\n"),
 *   (error) => error instanceof FrameError && error.code === "bad_version",
 * );
 * ```
 */
export class FrameError extends LhttpError {
  /** Creates a codec error. */
  constructor(code: LhttpErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = "FrameError";
  }
}

/** Quotes a value for an error message, cut to a readable length. */
export function quote(value: string, max = 60): string {
  const cut = value.length > max ? value.slice(0, max) + "…" : value;
  return JSON.stringify(cut);
}
