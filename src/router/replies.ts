// The frames a server answers with: acknowledgements, error frames, upstream answers.

import type { FrameData } from "../codec/frame.ts";
import type { LhttpError } from "../codec/errors.ts";
import type { Frame } from "../codec/frame.ts";
import type { UpstreamAnswer } from "./upstream.ts";
import { strictDecoder } from "../codec/_utf8.ts";

/** `status:200` for a frame that asked for an acknowledgement. */
export function ackFrame(command: string, ack: string): Frame {
  return { command, headers: new Map([["ack", ack], ["status", "200"]]), body: "" };
}

/** The status frame of a refused or failed frame (PROTOCOL.md section 7). */
export function errorFrame(command: string, ack: string | undefined, error: LhttpError): Frame {
  const headers = new Map([
    ["status", String(error.status)],
    ["code", error.code],
    ["reason", error.message.replace(/[\r\n]+/g, " ")],
  ]);
  if (ack !== undefined) headers.set("ack", ack);
  return { command, headers, body: "" };
}

/** An upstream answer relayed to its sender: text when the body is UTF-8, else binary. */
export function upstreamFrame(
  command: string,
  ack: string | undefined,
  answer: UpstreamAnswer,
): Frame {
  const headers = new Map([["upstream-status", String(answer.status)]]);
  if (ack !== undefined) headers.set("ack", ack);
  return { command, headers, body: decodeOrBytes(answer.body) };
}

function decodeOrBytes(body: Uint8Array): FrameData {
  try {
    return strictDecoder.decode(body);
  } catch {
    return body;
  }
}
