/**
 * A live trace of a channel: the frames as they pass, as server-sent events,
 * at most `rate` per second (the rest counted as skipped), and never more
 * than the stream can take (a slow reader skips too, it never buffers).
 *
 * @module
 */

import type { FrameData } from "../../codec/frame.ts";
import type { LhttpServer } from "../../server/lhttp_server.ts";

/** Most traces open at once per node.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_TRACES } from "./trace.ts";
 * assert.equal(MAX_TRACES, 8);
 * ```
 */
export const MAX_TRACES = 8;
let open = 0;

/** Traces open on this process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openTraces } from "./trace.ts";
 * assert.equal(openTraces(), 0);
 * ```
 */
export function openTraces(): number {
  return open;
}

/**
 * A `text/event-stream` Response tracing `channel` on `server`: one `frame`
 * event per forwarded frame (`{"frame": text or base64, "binary", "skipped"}`,
 * `skipped` counting frames dropped since the last event).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { traceResponse } from "./trace.ts";
 * const server = new LhttpServer();
 * const response = traceResponse(server, "room", 1);
 * const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
 * assert.match((await reader.read()).value!, /event: open/);
 * server.publish("room", { command: "chat", body: "one" });
 * server.publish("room", { command: "chat", body: "two" }); // over the cap of 1/s
 * assert.match((await reader.read()).value!, /one/);
 * await reader.cancel();
 * ```
 */
export function traceResponse(server: LhttpServer, channel: string, rate: number): Response {
  let tokens = rate;
  let refilled = Date.now();
  let skipped = 0;
  const subscriber = {
    channels: new Set<string>(),
    deliver(data: FrameData) {
      const now = Date.now();
      tokens = Math.min(rate, tokens + ((now - refilled) * rate) / 1000);
      refilled = now;
      if (tokens < 1 || (controller.desiredSize ?? 0) <= 0) return void skipped++;
      tokens--;
      const binary = typeof data !== "string";
      const frame = binary ? btoa(String.fromCharCode(...data)) : data;
      send("frame", { frame, binary, skipped });
      skipped = 0;
    },
  };
  const hub = server.hub as unknown as {
    subscribe(s: typeof subscriber, channel: string): boolean;
    unsubscribeAll(s: typeof subscriber): void;
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const encoder = new TextEncoder();
  const send = (event: string, data: unknown) =>
    controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  let closed = false;
  const stop = () => {
    if (closed) return;
    closed = true;
    open--;
    hub.unsubscribeAll(subscriber);
  };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      open++;
      hub.subscribe(subscriber, channel);
      send("open", { channel, rate });
    },
    cancel: stop,
  }, { highWaterMark: 64 });
  return new Response(body, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
  });
}
