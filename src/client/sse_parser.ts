/**
 * A Server-Sent Events parser (the WHATWG event-stream format) for streamed
 * `fetch` bodies, and the decoding of the events that carry LHTTP frames
 * (PROTOCOL.md section 15).
 *
 * @module
 */

/** One dispatched event: its type (`message` by default) and data. */
export interface SseEvent {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with LF. */
  data: string;
}

/**
 * Feeds text chunks, calls `onEvent` per complete event; comments are skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SseParser } from "./sse_parser.ts";
 * const events: unknown[] = [];
 * const parser = new SseParser((event) => events.push(event));
 * parser.push(":\n\nevent:close\nda");
 * parser.push("ta:{}\r\n\r\ndata: a\ndata:b\n\n");
 * assert.deepEqual(events, [{ event: "close", data: "{}" }, { event: "message", data: "a\nb" }]);
 * ```
 */
export class SseParser {
  #buffer = "";
  #event = "";
  #data: string[] = [];

  /** Calls `onEvent` for every event the stream completes. */
  constructor(readonly onEvent: (event: SseEvent) => void) {}

  /** Adds decoded text. */
  push(text: string): void {
    this.#buffer += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      // A CR at the very end may be the first half of CR LF: wait for more.
      if (!match || (match[0] === "\r" && match.index === this.#buffer.length - 1)) return;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      this.#line(line);
    }
  }

  #line(line: string): void {
    if (line === "") {
      if (this.#data.length > 0) {
        this.onEvent({ event: this.#event || "message", data: this.#data.join("\n") });
      }
      this.#event = "";
      this.#data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.#event = value;
    else if (field === "data") this.#data.push(value);
  }
}

/**
 * The frame an event carries: a `message` event's lines joined with CR LF, a
 * `text64` event's UTF-8, a `binary` event's bytes; undefined for other events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameOfEvent } from "./sse_parser.ts";
 * assert.equal(frameOfEvent({ event: "message", data: "LHTTP/1.0 a\nk:v\n\nhi" }), "LHTTP/1.0 a\r\nk:v\r\n\r\nhi");
 * assert.deepEqual(frameOfEvent({ event: "binary", data: "AQI=" }), new Uint8Array([1, 2]));
 * assert.equal(frameOfEvent({ event: "session", data: "{}" }), undefined);
 * ```
 */
export function frameOfEvent(event: SseEvent): string | Uint8Array | undefined {
  if (event.event === "message") return event.data.replace(/\n/g, "\r\n");
  if (event.event === "binary") return fromBase64(event.data);
  if (event.event === "text64") return new TextDecoder().decode(fromBase64(event.data));
  return undefined;
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
