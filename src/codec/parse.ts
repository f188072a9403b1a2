/**
 * Parsing frames from WebSocket messages: pure, no I/O.
 *
 * @module
 */

import { FrameError, type LhttpErrorCode, quote } from "./errors.ts";
import { assertCommand, type Frame, isHeaderName } from "./frame.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import { exceedsBytes, indexOfBlankLine, strictDecoder } from "./_utf8.ts";

/** The limits the parser applies. */
export type ParseLimits = Pick<
  Limits,
  "maxFrameBytes" | "maxHeaders" | "maxHeaderBytes"
>;

const BLANK_LINE = "\r\n\r\n";

/**
 * Parses one frame. A string is a text frame (body stays a string); bytes are a
 * binary frame (head must be UTF-8, body stays bytes, viewing the input).
 * Throws only {@linkcode FrameError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFrame } from "@lhttp/lhttp";
 * const frame = parseFrame("LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello room");
 * assert.equal(frame.command, "chat");
 * assert.equal(frame.headers.get("publish"), "room");
 * assert.equal(frame.body, "hello room");
 * ```
 */
export function parseFrame(
  input: string | Uint8Array,
  limits: Partial<ParseLimits> = DEFAULT_LIMITS,
): Frame {
  const max = limits.maxFrameBytes ?? DEFAULT_LIMITS.maxFrameBytes;
  if (typeof input === "string") {
    if (exceedsBytes(input, max)) throw tooLarge(max);
    const end = input.indexOf(BLANK_LINE);
    const head = end === -1 ? stripTrailingCrlf(input) : input.slice(0, end);
    return parseHead(head, limits, end === -1 ? "" : input.slice(end + 4));
  }
  if (!(input instanceof Uint8Array)) {
    throw new FrameError("not_lhttp", "A frame must be a string or bytes");
  }
  if (input.length > max) throw tooLarge(max);
  const end = indexOfBlankLine(input);
  const headBytes = input.subarray(0, end === -1 ? input.length : end);
  const maxHead = limits.maxHeaderBytes ?? DEFAULT_LIMITS.maxHeaderBytes;
  if (headBytes.length > maxHead + 2) throw headersTooLarge(maxHead);
  let head: string;
  try {
    head = strictDecoder.decode(headBytes);
  } catch {
    throw new FrameError(
      "invalid_utf8",
      "The start line and headers of a binary frame must be UTF-8",
    );
  }
  const body = end === -1 ? new Uint8Array(0) : input.subarray(end + 4);
  return parseHead(stripTrailingCrlf(head), limits, body);
}

function parseHead(head: string, limits: Partial<ParseLimits>, body: string | Uint8Array): Frame {
  if (!head.startsWith("LHTTP/")) {
    throw new FrameError(
      "not_lhttp",
      `A frame must start with "LHTTP/", got ${quote(head.slice(0, 20))}`,
    );
  }
  const maxHead = limits.maxHeaderBytes ?? DEFAULT_LIMITS.maxHeaderBytes;
  if (exceedsBytes(head, maxHead)) throw headersTooLarge(maxHead);
  const lines = head.split("\r\n");
  const startLine = lines[0];
  const space = startLine.indexOf(" ");
  const version = startLine.slice(6, space === -1 ? undefined : space);
  if (version !== "1.0") {
    throw new FrameError(
      "bad_version",
      `Protocol version ${quote(version)} is not supported; use "LHTTP/1.0"`,
    );
  }
  const command = space === -1 ? "" : startLine.slice(space + 1);
  try {
    assertCommand(command);
  } catch (error) {
    throw new FrameError(
      "bad_start_line",
      `Start line ${quote(startLine)} is invalid: ${(error as Error).message}`,
    );
  }
  const headers = parseHeaderLines(lines, 1, limits, "bad_header");
  return { command, headers, body };
}

/**
 * Parses header lines `lines[from..]` into a map. Shared with multipart parts,
 * which report faults under their own code.
 */
export function parseHeaderLines(
  lines: string[],
  from: number,
  limits: Partial<ParseLimits>,
  code: LhttpErrorCode,
): Map<string, string> {
  const headers = new Map<string, string>();
  const maxHeaders = limits.maxHeaders ?? DEFAULT_LIMITS.maxHeaders;
  if (lines.length - from > maxHeaders) {
    throw new FrameError(
      code === "bad_header" ? "too_many_headers" : code,
      `A frame may carry at most ${maxHeaders} headers, got ${lines.length - from}`,
    );
  }
  for (let i = from; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    if (colon === -1) {
      throw new FrameError(code, `Header line ${quote(line)} has no colon`);
    }
    if (line.includes("\n") || line.includes("\r")) {
      throw new FrameError(
        code,
        `Header line ${quote(line)} contains a bare CR or LF`,
      );
    }
    const name = trimBlanks(line.slice(0, colon)).toLowerCase();
    if (!isHeaderName(name)) {
      throw new FrameError(
        code,
        `Header name ${quote(name)} must be non-empty without spaces or control characters`,
      );
    }
    headers.set(name, trimBlanks(line.slice(colon + 1)));
  }
  return headers;
}

/**
 * The `ack` token of a frame that failed to parse (or was refused unparsed), so
 * that its error frame can carry it (PROTOCOL.md section 7). Header lines are
 * read in order up to the first one that cannot be parsed; the last `ack` among
 * them counts. Only the first `maxHeaderBytes` of the frame are looked at.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { salvageAck } from "@lhttp/lhttp/internal";
 * assert.equal(salvageAck("LHTTP/2.0 chat\r\nack:7\r\n\r\n"), "7");
 * assert.equal(salvageAck("LHTTP/1.0 chat\r\nbroken\r\nack:7\r\n\r\n"), undefined);
 * ```
 */
export function salvageAck(
  input: string | Uint8Array,
  maxHeaderBytes: number = DEFAULT_LIMITS.maxHeaderBytes,
): string | undefined {
  let head = typeof input === "string"
    ? input.slice(0, maxHeaderBytes + 4)
    : new TextDecoder().decode(input.subarray(0, maxHeaderBytes + 4));
  const end = head.indexOf(BLANK_LINE);
  if (end !== -1) head = head.slice(0, end);
  const lines = head.split("\r\n");
  let ack: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    if (colon === -1 || line.includes("\n") || line.includes("\r")) break;
    const name = trimBlanks(line.slice(0, colon)).toLowerCase();
    if (!isHeaderName(name)) break;
    if (name === "ack") ack = trimBlanks(line.slice(colon + 1));
  }
  return ack === "" ? undefined : ack;
}

/** Trims spaces and tabs only, the blanks PROTOCOL.md allows around values. */
export function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

function stripTrailingCrlf(text: string): string {
  return text.endsWith("\r\n") ? text.slice(0, -2) : text;
}

function tooLarge(max: number): FrameError {
  return new FrameError(
    "frame_too_large",
    `A frame may be at most ${max} bytes`,
  );
}

function headersTooLarge(max: number): FrameError {
  return new FrameError(
    "headers_too_large",
    `The start line and headers may be at most ${max} bytes`,
  );
}
