/**
 * Helpers to build the frames a client sends: binary and multipart frames,
 * and reading an incoming frame's channels and body.
 *
 * @module
 */

import { buildMultipart, type Part, type PartInit, splitMultipart } from "../codec/multipart.ts";
import { createFrame, type Frame, type HeadersInit, toHeaderMap } from "../codec/frame.ts";

/**
 * A binary frame: it is sent as a binary WebSocket message and subscribers
 * receive it as binary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { binaryFrame } from "@lhttp/lhttp/client";
 * const frame = binaryFrame("image", new Uint8Array([1, 2, 3]), { publish: "camera_1" });
 * assert.deepEqual(frame.body, new Uint8Array([1, 2, 3]));
 * assert.equal(frame.headers.get("publish"), "camera_1");
 * ```
 */
export function binaryFrame(
  command: string,
  body: Uint8Array | ArrayBuffer,
  headers?: HeadersInit,
): Frame {
  const bytes = body instanceof Uint8Array ? body : new Uint8Array(body);
  return createFrame({ command, headers, body: bytes });
}

/**
 * A multipart frame: the parts' bytes and the `multipart` offsets header are
 * computed for you. Any part with a bytes body makes a binary frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { multipartFrame, serializeFrame } from "@lhttp/lhttp/client";
 * const frame = multipartFrame("upload", [
 *   { headers: { k1: "v1" }, body: "body1" },
 *   { headers: { k2: "v2" }, body: "body2" },
 * ]);
 * assert.equal(
 *   serializeFrame(frame),
 *   "LHTTP/1.0 upload\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2",
 * );
 * ```
 */
export function multipartFrame(
  command: string,
  parts: readonly PartInit[],
  headers?: HeadersInit,
): Frame {
  const { offsets, body } = buildMultipart(parts);
  const map = toHeaderMap(headers);
  map.set("multipart", offsets);
  return { command, headers: map, body };
}

/**
 * The parts of an incoming multipart frame, or `undefined` when it has none.
 * Throws a `bad_multipart` `FrameError` on a malformed body.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { multipartFrame, partsOf } from "@lhttp/lhttp/client";
 * const parts = partsOf(multipartFrame("upload", [{ body: "a" }, { body: "b" }]))!;
 * assert.equal(parts.length, 2);
 * assert.equal(parts[1].body, "b");
 * ```
 */
export function partsOf(frame: Frame): Part[] | undefined {
  return splitMultipart(frame, { maxParts: 1024, maxHeaders: 1024, maxHeaderBytes: 1 << 20 });
}

/**
 * The channels a delivered frame was published to (its `publish` header).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { channelsOf, createFrame } from "@lhttp/lhttp/client";
 * const frame = createFrame({ command: "chat", headers: { publish: "a  b" } });
 * assert.deepEqual(channelsOf(frame), ["a", "b"]);
 * ```
 */
export function channelsOf(frame: Frame): string[] {
  const value = frame.headers.get("publish");
  return value === undefined ? [] : value.split(/[ \t]+/).filter((name) => name !== "");
}

/**
 * A frame's body as text (bytes are decoded as UTF-8, leniently).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { binaryFrame, textOf } from "@lhttp/lhttp/client";
 * assert.equal(textOf(binaryFrame("x", new TextEncoder().encode("hé"))), "hé");
 * ```
 */
export function textOf(frame: Pick<Frame, "body">): string {
  return typeof frame.body === "string" ? frame.body : new TextDecoder().decode(frame.body);
}
