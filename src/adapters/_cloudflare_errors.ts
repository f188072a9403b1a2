/**
 * Errors of the Cloudflare adapter: a machine `code` and the HTTP status the
 * Worker answers with, as JSON `{ status, code, reason }` like `POST /publish`.
 *
 * @module
 */

/** Machine codes of the Cloudflare adapter's refusals. */
export type EdgeErrorCode =
  | "no_object"
  | "bad_room"
  | "unknown_room"
  | "attachment_too_large"
  | "internal_route";

const STATUS: Record<EdgeErrorCode, number> = {
  no_object: 404,
  bad_room: 400,
  unknown_room: 404,
  attachment_too_large: 413,
  internal_route: 404,
};

/**
 * A refused request at the edge: no object for the route, a bad room name, or
 * connection data too large for a hibernatable socket.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EdgeError } from "@lhttp/lhttp/cloudflare";
 * const error = new EdgeError("unknown_room", 'No room "x"');
 * assert.equal(error.status, 404);
 * assert.equal((await error.toResponse().json()).code, "unknown_room");
 * ```
 */
export class EdgeError extends Error {
  /** The HTTP status of this refusal. */
  readonly status: number;

  /** Creates the error; the status follows from `code`. */
  constructor(readonly code: EdgeErrorCode, message: string) {
    super(message);
    this.name = "EdgeError";
    this.status = STATUS[code];
  }

  /** The JSON answer `{ status, code, reason }`. */
  toResponse(): Response {
    return Response.json(
      { status: this.status, code: this.code, reason: this.message },
      { status: this.status },
    );
  }
}
