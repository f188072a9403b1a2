/**
 * Serializing frames: pure, no I/O. Refuses CR/LF injection.
 *
 * @module
 */

import { assertCommand, assertHeader, type Frame, PROTOCOL_VERSION } from "./frame.ts";
import { encoder } from "./_utf8.ts";

/** The part of a frame serialization reads; the body may be omitted. */
export type SerializableFrame = Pick<Frame, "command" | "headers"> & {
  body?: string | Uint8Array;
};

/**
 * Serializes a frame: a string when the body is text (or absent), bytes when
 * the body is bytes. Throws a {@linkcode FrameError} on a command or header
 * that would break the frame (line breaks, colons in names, spaces in the command).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame, serializeFrame } from "@lhttp/lhttp";
 * const text = serializeFrame(createFrame({ command: "chat", headers: { publish: "room" }, body: "hi" }));
 * assert.equal(text, "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi");
 * ```
 */
export function serializeFrame(
  frame: SerializableFrame & { body?: string },
): string;
/** A frame with a binary body serializes to bytes. */
export function serializeFrame(
  frame: SerializableFrame & { body: Uint8Array },
): Uint8Array;
/** A frame whose body type is not known statically: a string or bytes, like its body. */
export function serializeFrame(frame: SerializableFrame): string | Uint8Array;
export function serializeFrame(frame: SerializableFrame): string | Uint8Array {
  const head = serializeHead(frame);
  const body = frame.body ?? "";
  return typeof body === "string" ? head + body : concat(head, body);
}

/**
 * Serializes a frame to bytes whatever its body, for binary WebSocket frames
 * and HTTP bodies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame, encodeFrame } from "@lhttp/lhttp";
 * const bytes = encodeFrame(createFrame({ command: "ping" }));
 * assert.equal(bytes.length, "LHTTP/1.0 ping\r\n\r\n".length);
 * ```
 */
export function encodeFrame(frame: SerializableFrame): Uint8Array {
  const data = serializeFrame(frame);
  return typeof data === "string" ? encoder.encode(data) : data;
}

/** Serializes the start line, headers and the blank line. */
export function serializeHead(
  frame: Pick<Frame, "command" | "headers">,
): string {
  assertCommand(frame.command);
  let head = PROTOCOL_VERSION + " " + frame.command + "\r\n";
  for (const [name, value] of frame.headers) {
    assertHeader(name, value);
    head += name + ":" + value + "\r\n";
  }
  return head + "\r\n";
}

function concat(head: string, body: Uint8Array): Uint8Array {
  const headBytes = encoder.encode(head);
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes);
  out.set(body, headBytes.length);
  return out;
}
