/**
 * Presence errors: an {@linkcode LhttpError} subclass with presence's own
 * machine codes and statuses, so that error frames and HTTP answers carry them.
 *
 * @module
 */

import { LhttpError } from "../codec/errors.ts";

/** Machine codes of presence faults. */
export type PresenceErrorCode =
  | "bad_presence_info"
  | "bad_cursor"
  | "stale_cursor"
  | "bad_presence_request"
  | "presence_off";

const STATUS: Record<PresenceErrorCode, number> = {
  bad_presence_info: 400,
  bad_cursor: 400,
  stale_cursor: 410,
  bad_presence_request: 400,
  presence_off: 404,
};

/**
 * A refused presence request or value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PresenceError } from "./errors.ts";
 * import { LhttpError } from "../codec/errors.ts";
 * const error = new PresenceError("stale_cursor", 'Cursor "x" is stale');
 * assert.ok(error instanceof LhttpError);
 * assert.equal(error.status, 410);
 * assert.equal(error.code, "stale_cursor");
 * ```
 */
export class PresenceError extends LhttpError {
  /** Creates a presence error with its status. */
  constructor(code: PresenceErrorCode, message: string) {
    // The base class knows the protocol's codes; presence adds its own.
    super("bad_header", message);
    this.name = "PresenceError";
    Object.defineProperty(this, "code", { value: code });
    Object.defineProperty(this, "status", { value: STATUS[code] });
  }
}
