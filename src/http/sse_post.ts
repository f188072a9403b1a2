/**
 * `POST /sse/<session>`: one upstream frame of an SSE session, read within the
 * frame limit, a deadline and a byte budget shared by every caller (as
 * `POST /publish`), checked against the session's secret, then handed to the
 * session's connection like a WebSocket message.
 *
 * @module
 */

import { readLimited } from "../router/_read_body.ts";
import { timingSafeEqual } from "./publish.ts";
import { SseError, type SseSessions } from "./sse_session.ts";

const ID = /^[A-Za-z0-9_-]{22,64}$/;

/**
 * Reads and routes POSTed frames for the sessions of one server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { SsePost } from "./sse_post.ts";
 * import { SseSessions } from "./sse_session.ts";
 * const post = new SsePost(new SseSessions(new LhttpServer(), { heartbeatMs: 0 }));
 * const refused = post.handle(new Request("http://x/sse/nope", { method: "POST" }), "nope");
 * await assert.rejects(refused, { code: "bad_session", status: 400 });
 * ```
 */
export class SsePost {
  #bytesInFlight = 0;

  /** Routes into `sessions`. */
  constructor(readonly sessions: SseSessions) {}

  /** Handles one POST for session `id`; throws an {@linkcode SseError} or `LhttpError`. */
  async handle(request: Request, id: string): Promise<Response> {
    if (!ID.test(id)) {
      throw new SseError(400, "bad_session", `${JSON.stringify(id)} is not an SSE session id`);
    }
    const session = this.sessions.get(id);
    if (!session || session.connection.closed) {
      throw new SseError(
        404,
        "unknown_session",
        `The SSE session ${JSON.stringify(id)} does not exist or has ended`,
      );
    }
    const match = request.headers.get("authorization")?.match(/^Bearer[ \t]+(.+)$/i);
    if (!match) {
      throw new SseError(401, "unauthorized", "A POST to an SSE session needs its Bearer secret");
    }
    if (!timingSafeEqual(match[1].trim(), session.secret)) {
      throw new SseError(
        403,
        "forbidden",
        `Wrong secret for the SSE session ${JSON.stringify(id)}`,
      );
    }
    const bytes = await this.#read(request);
    const binary = (request.headers.get("content-type") ?? "").startsWith(
      "application/octet-stream",
    );
    let data: string | Uint8Array = bytes;
    if (!binary) {
      try {
        data = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        throw new SseError(400, "invalid_utf8", "A text frame must be UTF-8");
      }
    }
    this.sessions.server.receive(session.connection, data);
    return Response.json({ status: 202 }, { status: 202 });
  }

  async #read(request: Request): Promise<Uint8Array> {
    const settings = this.sessions.server.settings;
    const max = settings.limits.maxFrameBytes;
    const tooLarge = () =>
      new SseError(413, "frame_too_large", `A frame may be at most ${max} bytes`);
    const declared = Number(request.headers.get("content-length") ?? NaN);
    if (declared > max) throw tooLarge();
    const reserved = Number.isFinite(declared) && declared >= 0 ? declared : max;
    if (this.#bytesInFlight + reserved > settings.publishMaxBodyBytesInFlight) {
      throw new SseError(503, "server_busy", "Too many POST bodies are being read; retry later");
    }
    this.#bytesInFlight += reserved;
    const slow = new SseError(
      408,
      "body_timeout",
      `A POST body must arrive within ${settings.publishBodyTimeoutMs} ms`,
    );
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(slow), settings.publishBodyTimeoutMs);
    try {
      return await readLimited(request.body, max, tooLarge, deadline.signal);
    } finally {
      clearTimeout(timer);
      this.#bytesInFlight -= reserved;
    }
  }
}
