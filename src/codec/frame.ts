/**
 * The frame model shared by the codec, the server and the client.
 *
 * @module
 */

import { FrameError, quote } from "./errors.ts";

/**
 * One LHTTP frame. Header names are lowercase; the body is a string for text
 * frames and bytes for binary frames.
 */
export interface Frame {
  /** The command from the start line, `chat` in `LHTTP/1.0 chat`. */
  command: string;
  /** Headers by lowercase name, in first-seen order. */
  headers: Map<string, string>;
  /** Text body (text frame) or bytes (binary frame). */
  body: string | Uint8Array;
}

/** Headers as callers like to write them. Names are lowercased on the way in. */
export type HeadersInit =
  | Record<string, string>
  | Iterable<readonly [string, string]>;

/** What {@linkcode createFrame} accepts. */
export interface FrameInit {
  /** The command of the start line. */
  command: string;
  /** Optional headers; names are lowercased. */
  headers?: HeadersInit;
  /** Optional body, empty text by default. */
  body?: string | Uint8Array;
}

/** The protocol and version of every start line. */
export const PROTOCOL_VERSION = "LHTTP/1.0";

// Commands and header names are tokens: no whitespace, no control characters.
// `u`: the 64 counts characters (code points), not UTF-16 code units.
// deno-lint-ignore no-control-regex -- control characters are exactly what tokens exclude
const TOKEN = /^[^\s\x00-\x1f\x7f]{1,64}$/u;
// deno-lint-ignore no-control-regex -- as above
const HEADER_NAME = /^[^\s:\x00-\x1f\x7f]+$/;
const LINE_BREAK = /[\r\n]/;

/**
 * Builds a {@linkcode Frame}, lowercasing header names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame } from "@lhttp/lhttp";
 * const frame = createFrame({ command: "chat", headers: { Publish: "room" }, body: "hi" });
 * assert.equal(frame.headers.get("publish"), "room");
 * ```
 */
export function createFrame(init: FrameInit): Frame {
  return {
    command: init.command,
    headers: toHeaderMap(init.headers),
    body: init.body ?? "",
  };
}

/** Turns any {@linkcode HeadersInit} into a header map with lowercase names. */
export function toHeaderMap(init?: HeadersInit): Map<string, string> {
  const headers = new Map<string, string>();
  if (!init) return headers;
  const entries = Symbol.iterator in init
    ? init as Iterable<readonly [string, string]>
    : Object.entries(init);
  for (const [name, value] of entries) {
    headers.set(name.toLowerCase(), String(value));
  }
  return headers;
}

/**
 * True when `command` is a token: 1 to 64 characters, no whitespace or control characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCommand } from "@lhttp/lhttp/internal";
 * assert.ok(isCommand("chat"));
 * assert.ok(!isCommand("two words"));
 * ```
 */
export function isCommand(command: string): boolean {
  return TOKEN.test(command);
}

/** Throws a `bad_start_line` {@linkcode FrameError} unless `command` is a token. */
export function assertCommand(command: string): void {
  if (!TOKEN.test(command)) {
    throw new FrameError(
      "bad_start_line",
      `Command ${quote(command)} must be 1 to 64 characters without spaces or control characters`,
    );
  }
}

/** Throws a `bad_header` {@linkcode FrameError} unless the header can be written. */
export function assertHeader(name: string, value: string): void {
  if (!HEADER_NAME.test(name)) {
    throw new FrameError(
      "bad_header",
      `Header name ${quote(name)} must be non-empty without colons, spaces or control characters`,
    );
  }
  if (LINE_BREAK.test(value)) {
    throw new FrameError(
      "bad_header",
      `Header ${quote(name)} has a value with a line break: ${quote(value)}`,
    );
  }
}

/** True when `name` is a valid header name. */
export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}

/** A published frame as it travels: text frames as strings, binary as bytes. */
export type FrameData = string | Uint8Array;
