/**
 * The client's typed errors: {@linkcode ClientError} for faults on this side
 * (queue full, disconnected, closed, no answer in time) and
 * {@linkcode RemoteError} for a frame the server refused or failed.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";

/** Machine codes of {@linkcode ClientError}. */
export type ClientErrorCode =
  /** The offline queue was full; the frame was not queued. */
  | "queue_full"
  /** The connection dropped before the server acknowledged the frame. */
  | "disconnected"
  /** `close()` was called, or reconnecting gave up. */
  | "closed"
  /** The server did not acknowledge the frame within `ackTimeout`. */
  | "ack_timeout"
  /** A frame from the server could not be parsed. */
  | "bad_frame"
  /** The frame could not be serialized (CR/LF injection, bad command). */
  | "bad_request"
  /** No WebSocket constructor: pass one (Node 20: from `ws`). */
  | "no_websocket"
  /** The URL is not a WebSocket URL (`ws://`, `wss://`, or `http(s)://`, which map to them). */
  | "invalid_url"
  /** The server refused the login: close code 4401 (authentication refused). */
  | "unauthorized"
  /** The server refused the connection: close code 4403 (forbidden). */
  | "forbidden"
  /** The `token` option threw or rejected; the connect attempt counts as failed. */
  | "token_failed"
  /** A warning, not a failure: the server never acknowledges, so frames are now fire-and-forget. */
  | "no_acks";

/**
 * A fault on the client's side, with a machine `code`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientError } from "@lhttp/lhttp/client";
 * const error = new ClientError("queue_full", "The offline queue holds at most 100 frames");
 * assert.equal(error.name, "ClientError");
 * assert.equal(error.code, "queue_full");
 * ```
 */
export class ClientError extends Error {
  /** Machine-readable code. */
  readonly code: ClientErrorCode;

  /** Creates an error with a code and a readable message. */
  constructor(code: ClientErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ClientError";
    this.code = code;
  }
}

/**
 * The server answered a frame with an error frame (`status`, `code`, `reason`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame, RemoteError } from "@lhttp/lhttp/client";
 * const error = RemoteError.fromFrame(createFrame({
 *   command: "publish",
 *   headers: { status: "403", code: "forbidden", reason: "no", ack: "7" },
 * }));
 * assert.equal(error.status, 403);
 * assert.equal(error.code, "forbidden");
 * assert.equal(error.reason, "no");
 * ```
 */
export class RemoteError extends Error {
  /** The HTTP-like status from the `status` header. */
  readonly status: number;
  /** The server's machine code (PROTOCOL.md's table), `unknown` if absent. */
  readonly code: string;
  /** The server's readable reason. */
  readonly reason: string;
  /** The error frame itself. */
  readonly frame: Frame;

  /** Creates an error from its parts; see {@linkcode RemoteError.fromFrame}. */
  constructor(status: number, code: string, reason: string, frame: Frame) {
    super(`${status} ${code}: ${reason}`);
    this.name = "RemoteError";
    this.status = status;
    this.code = code;
    this.reason = reason;
    this.frame = frame;
  }

  /** Reads an error frame's `status`, `code` and `reason` headers. */
  static fromFrame(frame: Frame): RemoteError {
    const status = Number(frame.headers.get("status"));
    return new RemoteError(
      Number.isInteger(status) ? status : 500,
      frame.headers.get("code") ?? "unknown",
      frame.headers.get("reason") ?? "",
      frame,
    );
  }
}

/**
 * True when a frame is an error answer from the server: the `error` command
 * (a frame the server could not parse), or a `status` of 400 or more on a
 * frame that is not a publication. A frame with a `publish` header is a
 * delivery from another client and never an error, whatever `status`, `code`
 * or `reason` headers its publisher added.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame, isErrorFrame } from "@lhttp/lhttp/client";
 * const refusal = { status: "403", code: "forbidden", reason: "no" };
 * assert.equal(isErrorFrame(createFrame({ command: "chat", headers: refusal })), true);
 * assert.equal(isErrorFrame(createFrame({ command: "error", headers: { status: "400" } })), true);
 * const forged = createFrame({ command: "chat", headers: { ...refusal, publish: "room" } });
 * assert.equal(isErrorFrame(forged), false);
 * ```
 */
export function isErrorFrame(frame: Frame): boolean {
  if (frame.headers.has("publish")) return false;
  if (frame.command === "error") return true;
  return Number(frame.headers.get("status")) >= 400;
}
