/**
 * Frames that are already their own publication: a text frame of exactly
 * `LHTTP/1.0 <command>\r\npublish:<channel>\r\n\r\n<body>` parses to one
 * `publish` header naming one channel, and the publication on that channel
 * serializes back to the same string. Such a frame can be sent on as it came.
 *
 * @module
 */

import { isChannelName } from "./channels.ts";
import { isCommand } from "./frame.ts";
import type { Limits } from "./limits.ts";
import { exceedsBytes } from "./_utf8.ts";

const START = "LHTTP/1.0 ";
const PUBLISH = "\r\npublish:";

/** The limits a verbatim frame is checked against. */
export type VerbatimLimits = Pick<
  Limits,
  "maxFrameBytes" | "maxHeaderBytes" | "maxHeaders" | "maxChannelLength" | "maxChannelsPerFrame"
>;

/**
 * The channel of a text frame that is its own publication, or undefined for
 * any other frame (which then takes the full parse). Defined only for frames
 * that `parseFrame` accepts under `limits`, so a frame this answers for could
 * never have failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "@lhttp/lhttp";
 * import { verbatimChannel } from "@lhttp/lhttp/internal";
 * assert.equal(verbatimChannel("LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi", DEFAULT_LIMITS), "room");
 * assert.equal(verbatimChannel("LHTTP/1.0 chat\r\npublish: room\r\n\r\nhi", DEFAULT_LIMITS), undefined);
 * assert.equal(verbatimChannel("LHTTP/1.0 chat\r\npublish:a b\r\n\r\nhi", DEFAULT_LIMITS), undefined);
 * ```
 */
export function verbatimChannel(frame: string, limits: VerbatimLimits): string | undefined {
  if (!frame.startsWith(START)) return undefined;
  const commandEnd = frame.indexOf(PUBLISH, START.length);
  if (commandEnd === -1) return undefined;
  const channelStart = commandEnd + PUBLISH.length;
  const headEnd = frame.indexOf("\r\n", channelStart);
  // The head must end there: a blank line, not another header.
  if (headEnd === -1 || !frame.startsWith("\r\n\r\n", headEnd)) return undefined;
  if (limits.maxHeaders < 1 || limits.maxChannelsPerFrame < 1) return undefined;
  // Bounds the full parse would refuse are left to it, with its errors.
  if (exceedsBytes(frame, limits.maxFrameBytes)) return undefined;
  if (headEnd * 3 > limits.maxHeaderBytes) return undefined;
  const command = frame.slice(START.length, commandEnd);
  if (!isCommand(command)) return undefined;
  const channel = frame.slice(channelStart, headEnd);
  return isChannelName(channel, limits.maxChannelLength) ? channel : undefined;
}
