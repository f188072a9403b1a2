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
import { type RelayedAnswer, type RelayedPost, relayOf } from "./sse_relay.ts";
import { SseError, type SseSession, type SseSessions } from "./sse_session.ts";

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

  /** Routes into `sessions`; in a cluster, also answers the POSTs other nodes relay here. */
  constructor(readonly sessions: SseSessions) {
    relayOf(sessions.server)?.serve((post) => {
      try {
        return Promise.resolve(this.take(post));
      } catch (error) {
        const known = error instanceof SseError ? error : new SseError(500, "internal", "failed");
        return Promise.resolve({ status: known.status, code: known.code, reason: known.message });
      }
    });
  }

  /** Handles one POST for session `id`; throws an {@linkcode SseError} or `LhttpError`. */
  async handle(request: Request, id: string): Promise<Response> {
    if (!ID.test(id)) {
      throw new SseError(400, "bad_session", `${JSON.stringify(id)} is not an SSE session id`);
    }
    const secret = request.headers.get("authorization")?.match(/^Bearer[ \t]+(.+)$/i)?.[1].trim();
    const binary = (request.headers.get("content-type") ?? "").startsWith(
      "application/octet-stream",
    );
    const relay = relayOf(this.sessions.server);
    const owner = id.slice(0, 8);
    if (relay && owner !== relay.node && !this.sessions.get(id)) {
      // Another node's session: read the body here, let that node decide.
      const body = await this.#read(request);
      let answer: RelayedAnswer;
      try {
        answer = await relay.forward(owner, { session: id, secret, binary, body });
      } catch (error) {
        const timeout = /timeout/i.test(String((error as Error)?.message ?? error));
        if (!timeout) throw unknown(id);
        throw new SseError(
          504,
          "relay_timeout",
          `The node of SSE session ${JSON.stringify(id)} did not answer`,
        );
      }
      return Response.json(answer, { status: answer.status });
    }
    this.#check(id, secret);
    const answer = this.take({ session: id, secret, binary, body: await this.#read(request) });
    return Response.json(answer, { status: answer.status });
  }

  /** Hands a POSTed frame to its session (a local POST, or one relayed from another node). */
  take(post: RelayedPost): RelayedAnswer {
    const session = this.#check(post.session, post.secret);
    let data: string | Uint8Array = post.body;
    if (!post.binary) {
      try {
        data = new TextDecoder("utf-8", { fatal: true }).decode(post.body);
      } catch {
        throw new SseError(400, "invalid_utf8", "A text frame must be UTF-8");
      }
    }
    this.sessions.server.receive(session.connection, data);
    return { status: 202 };
  }

  #check(id: string, secret: string | undefined): SseSession {
    const session = this.sessions.get(id);
    if (!session || session.connection.closed) throw unknown(id);
    if (secret === undefined) {
      throw new SseError(401, "unauthorized", "A POST to an SSE session needs its Bearer secret");
    }
    if (!timingSafeEqual(secret, session.secret)) {
      throw new SseError(
        403,
        "forbidden",
        `Wrong secret for the SSE session ${JSON.stringify(id)}`,
      );
    }
    return session;
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

function unknown(id: string): SseError {
  return new SseError(
    404,
    "unknown_session",
    `The SSE session ${JSON.stringify(id)} does not exist or has ended`,
  );
}
