/**
 * Multipart bodies: parts located by UTF-8 byte offsets (`multipart: 0 14`).
 *
 * @module
 */

import { FrameError, quote } from "./errors.ts";
import { assertHeader, type Frame, type HeadersInit, toHeaderMap } from "./frame.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import { encoder, indexOfBlankLine, strictDecoder, utf8Length } from "./_utf8.ts";
import { parseHeaderLines, type ParseLimits } from "./parse.ts";

/** One part of a multipart body. */
export interface Part {
  /** The part's own headers, lowercase names. */
  headers: Map<string, string>;
  /** Text for text frames, bytes for binary frames. */
  body: string | Uint8Array;
}

/** What {@linkcode buildMultipart} accepts for each part. */
export interface PartInit {
  /** Optional part headers. */
  headers?: HeadersInit;
  /** The part body. */
  body: string | Uint8Array;
}

/**
 * Splits a frame's multipart body along its `multipart` header, or returns
 * `undefined` when the frame has none. Throws a `bad_multipart` {@linkcode FrameError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFrame, splitMultipart } from "@lhttp/lhttp";
 * const frame = parseFrame("LHTTP/1.0 upload\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2");
 * const parts = splitMultipart(frame)!;
 * assert.equal(parts[1].headers.get("k2"), "v2");
 * assert.equal(parts[1].body, "body2");
 * ```
 */
export function splitMultipart(
  frame: Pick<Frame, "headers" | "body">,
  limits: Partial<ParseLimits & Pick<Limits, "maxParts">> = DEFAULT_LIMITS,
): Part[] | undefined {
  const header = frame.headers.get("multipart");
  if (header === undefined) return undefined;
  const binary = typeof frame.body !== "string";
  const bytes = binary ? frame.body as Uint8Array : encoder.encode(frame.body as string);
  const offsets = parseOffsets(header, bytes.length, limits.maxParts ?? DEFAULT_LIMITS.maxParts);
  return offsets.map((start, i) => {
    const end = i + 1 < offsets.length ? offsets[i + 1] : bytes.length;
    return parsePart(bytes.subarray(start, end), binary, i, limits);
  });
}

function parseOffsets(header: string, length: number, maxParts: number): number[] {
  const fields = header.split(/[ \t]+/).filter((field) => field !== "");
  if (fields.length === 0 || fields.length > maxParts) {
    throw new FrameError(
      "bad_multipart",
      `Multipart header ${quote(header)} must list 1 to ${maxParts} offsets`,
    );
  }
  let previous = -1;
  return fields.map((field) => {
    const offset = /^\d{1,10}$/.test(field) ? Number(field) : NaN;
    if (!(offset > previous) || offset > length) {
      throw new FrameError(
        "bad_multipart",
        `Multipart offset ${
          quote(field)
        } must be a whole number, increasing, within the ${length}-byte body`,
      );
    }
    previous = offset;
    return offset;
  });
}

function parsePart(
  bytes: Uint8Array,
  binary: boolean,
  index: number,
  limits: Partial<ParseLimits>,
): Part {
  // A part that starts with CR LF has no headers; otherwise headers run to the blank line.
  const startsBlank = bytes[0] === 13 && bytes[1] === 10;
  const end = startsBlank ? 0 : indexOfBlankLine(bytes);
  const headEnd = end === -1 ? bytes.length : end;
  const bodyStart = startsBlank ? 2 : end === -1 ? bytes.length : end + 4;
  // The head limits of a frame hold for each part (PROTOCOL.md section 10), with their codes.
  const maxHead = limits.maxHeaderBytes ?? DEFAULT_LIMITS.maxHeaderBytes;
  if (headEnd > maxHead) {
    throw new FrameError(
      "headers_too_large",
      `Multipart part ${index} has ${headEnd} bytes of headers; at most ${maxHead} are allowed`,
    );
  }
  const maxHeaders = limits.maxHeaders ?? DEFAULT_LIMITS.maxHeaders;
  try {
    let head = strictDecoder.decode(bytes.subarray(0, headEnd));
    if (head.endsWith("\r\n")) head = head.slice(0, -2);
    const lines = head === "" ? [] : head.split("\r\n");
    if (lines.length > maxHeaders) {
      throw new FrameError(
        "too_many_headers",
        `Multipart part ${index} has ${lines.length} header lines; at most ${maxHeaders} are allowed`,
      );
    }
    const headers = parseHeaderLines(lines, 0, limits, "bad_multipart");
    const bodyBytes = bytes.subarray(bodyStart);
    const body = binary ? bodyBytes : strictDecoder.decode(bodyBytes);
    return { headers, body };
  } catch (error) {
    if (error instanceof FrameError && error.code === "too_many_headers") throw error;
    const reason = error instanceof FrameError ? error.message : "it is not valid UTF-8";
    throw new FrameError("bad_multipart", `Multipart part ${index} is invalid: ${reason}`);
  }
}

/**
 * Builds a multipart body and its `multipart` header value from parts. The body
 * is bytes when any part body is bytes, else text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildMultipart } from "@lhttp/lhttp";
 * const { offsets, body } = buildMultipart([
 *   { headers: { k1: "v1" }, body: "body1" },
 *   { headers: { k2: "v2" }, body: "body2" },
 * ]);
 * assert.equal(offsets, "0 14");
 * assert.equal(body, "k1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2");
 * ```
 */
export function buildMultipart(
  parts: readonly PartInit[],
): { offsets: string; body: string | Uint8Array } {
  const heads = parts.map((part) => {
    let head = "";
    for (const [name, value] of toHeaderMap(part.headers)) {
      assertHeader(name, value);
      head += name + ":" + value + "\r\n";
    }
    return head + "\r\n";
  });
  const offsets: number[] = [];
  let position = 0;
  parts.forEach((part, i) => {
    offsets.push(position);
    const bodyLength = typeof part.body === "string" ? utf8Length(part.body) : part.body.length;
    position += utf8Length(heads[i]) + bodyLength;
  });
  const binary = parts.some((part) => typeof part.body !== "string");
  if (!binary) {
    return {
      offsets: offsets.join(" "),
      body: parts.map((part, i) => heads[i] + part.body).join(""),
    };
  }
  const body = new Uint8Array(position);
  parts.forEach((part, i) => {
    const head = encoder.encode(heads[i]);
    body.set(head, offsets[i]);
    body.set(
      typeof part.body === "string" ? encoder.encode(part.body) : part.body,
      offsets[i] + head.length,
    );
  });
  return { offsets: offsets.join(" "), body };
}
