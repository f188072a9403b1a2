// `POST /publish` answered straight from node:http (as upgrades are, in
// _node_upgrade.ts): no Web `Request`, no body stream, no Hono context per
// request. The body is read from the IncomingMessage within the same bounds as
// the Hono route (frame limit, shared budget, deadline), through the same
// HttpPublish, so answers, codes and headers are the route's.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Buffer } from "node:buffer";
import { type HttpPublish, isBinary, type PublishAnswer } from "../http/publish.ts";

// A refused body still arriving is read and dropped up to this much (within
// the body deadline), so a keep-alive connection stays usable; past it, or
// past the deadline, the socket is destroyed. As @hono/node-server does.
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Answers `POST /publish` on `incoming` with `publish`. The caller checked
 * the method and path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createServer } from "node:http";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { HttpPublish } from "../http/publish.ts";
 * import { answerPublish } from "./_node_publish.ts";
 * const publish = new HttpPublish(new LhttpServer());
 * const http = createServer((incoming, response) => answerPublish(publish, incoming, response));
 * await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
 * const { port } = http.address() as { port: number };
 * const response = await fetch(`http://127.0.0.1:${port}/publish`, {
 *   method: "POST",
 *   body: "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi",
 * });
 * assert.deepEqual(await response.json(), { status: 200, channels: ["room"], delivered: 0 });
 * await new Promise((resolve) => http.close(resolve));
 * ```
 */
export function answerPublish(
  publish: HttpPublish,
  incoming: IncomingMessage,
  response: ServerResponse,
): void {
  const headers = incoming.headers;
  let reserved: number;
  try {
    publish.checkCaller(headers.authorization, incoming.socket.remoteAddress);
    reserved = publish.reserve(headers["content-length"]);
  } catch (error) {
    return refuse(publish, incoming, response, error);
  }
  const max = publish.server.settings.limits.maxFrameBytes;
  // Each chunk is copied at once: a chunk may be a view into a much larger
  // read buffer (Deno's node:http), which a trickled body would pin per byte.
  let buffer: Buffer = Buffer.allocUnsafe(Math.min(reserved, 16 * 1024));
  let size = 0;
  let done = false;
  const settle = () => {
    done = true;
    deadline.cancel();
    publish.release(reserved);
  };
  const fail = (error: unknown) => {
    if (done) return;
    settle();
    refuse(publish, incoming, response, error);
  };
  const deadline = publish.deadlines.start(() => fail(publish.bodyTimeout()));
  incoming.on("data", (chunk: Buffer) => {
    if (done) return;
    if (size + chunk.length > max) return fail(publish.tooLarge());
    if (size + chunk.length > buffer.length) buffer = grow(buffer, size, size + chunk.length, max);
    chunk.copy(buffer, size);
    size += chunk.length;
  });
  incoming.on("end", () => {
    if (done) return;
    settle();
    const type = headers["content-type"];
    let answer: PublishAnswer;
    try {
      answer = publish.publishBody(buffer.subarray(0, size), isBinary(type));
    } catch (error) {
      answer = publish.refusal(error);
    }
    reply(response, answer);
  });
  // The caller went away mid-body: nothing to answer, only the budget to give back.
  incoming.on("error", () => !done && settle());
  incoming.on("close", () => !done && settle());
}

function reply(response: ServerResponse, answer: PublishAnswer): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, {
    ...answer.headers,
    "content-length": Buffer.byteLength(answer.body),
  });
  response.end(answer.body);
}

// Answers a refusal; a body still on its way is drained within bounds.
function refuse(
  publish: HttpPublish,
  incoming: IncomingMessage,
  response: ServerResponse,
  error: unknown,
): void {
  const answer = publish.refusal(error);
  reply(response, answer);
  if (incoming.complete || answer.headers.connection === "close") return;
  let drained = 0;
  const drop = () => {
    incoming.removeAllListeners("data");
    incoming.socket?.destroy();
  };
  const deadline = publish.deadlines.start(drop);
  incoming.removeAllListeners("data");
  incoming.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) {
      deadline.cancel();
      drop();
    }
  });
  incoming.once("end", () => deadline.cancel());
  incoming.once("close", () => deadline.cancel());
  incoming.resume();
}

function grow(buffer: Buffer, size: number, needed: number, max: number): Buffer {
  const grown = Buffer.allocUnsafe(Math.min(max, Math.max(needed, buffer.length * 2)));
  buffer.copy(grown, 0, 0, size);
  return grown;
}
