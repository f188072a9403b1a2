/**
 * How LHTTP frames travel in a Server-Sent Events stream (PROTOCOL.md section
 * 13): a text frame whose line breaks are all CR LF is one `message` event, a
 * `data:` line per frame line (a receiver joins them with CR LF); any other
 * text frame is a `text64` event and a binary frame a `binary` event, both
 * base64. The last delivery's encoding is kept, so a publication to many SSE
 * subscribers is encoded once.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";

const encoder = new TextEncoder();
let last: { data: FrameData; event: Uint8Array } | undefined;

/**
 * The SSE event that carries one frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameEvent } from "./sse_events.ts";
 * const text = new TextDecoder().decode(frameEvent("LHTTP/1.0 chat\r\npublish:a\r\n\r\nhi"));
 * assert.equal(text, "data:LHTTP/1.0 chat\ndata:publish:a\ndata:\ndata:hi\n\n");
 * const bytes = new TextDecoder().decode(frameEvent(new Uint8Array([1, 2])));
 * assert.equal(bytes, "event:binary\ndata:AQI=\n\n");
 * ```
 */
export function frameEvent(data: FrameData): Uint8Array {
  if (last && last.data === data) return last.event;
  let text: string;
  if (typeof data !== "string") text = `event:binary\ndata:${base64(data)}\n\n`;
  else if (/\r(?!\n)|(?<!\r)\n/.test(data)) {
    text = `event:text64\ndata:${base64(encoder.encode(data))}\n\n`;
  } else text = `data:${data.split("\r\n").join("\ndata:")}\n\n`;
  const event = encoder.encode(text);
  last = { data, event };
  return event;
}

/**
 * A named event with a JSON payload (`session`, `close`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonEvent } from "./sse_events.ts";
 * assert.equal(new TextDecoder().decode(jsonEvent("close", { code: 1000 })), 'event:close\ndata:{"code":1000}\n\n');
 * ```
 */
export function jsonEvent(name: string, value: unknown): Uint8Array {
  return encoder.encode(`event:${name}\ndata:${JSON.stringify(value)}\n\n`);
}

/**
 * A heartbeat: an SSE comment, ignored by every receiver.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HEARTBEAT } from "./sse_events.ts";
 * assert.equal(new TextDecoder().decode(HEARTBEAT), ":\n\n");
 * ```
 */
export const HEARTBEAT: Uint8Array = encoder.encode(":\n\n");

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
