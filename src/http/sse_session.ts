/**
 * Opening an SSE session (`GET /sse`): admission as for an upgrade, the
 * `channel` query's subscriptions authorized like a client's `subscribe`, a
 * connection on an {@linkcode SsePeer}, and the `session` event that gives the
 * stream's owner, and only it, the session's secret.
 *
 * @module
 */

import { parseFrame } from "../codec/parse.ts";
import type { Connection } from "../connection/connection.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";
import { jsonEvent } from "./sse_events.ts";
import { nodeId, relayOf } from "./sse_relay.ts";
import { SsePositions } from "./sse_positions.ts";
import { SsePeer, type SsePeerOptions } from "./sse_peer.ts";

/** One open session: its connection and the secret its POSTs must carry. */
export interface SseSession {
  readonly id: string;
  readonly secret: string;
  readonly connection: Connection;
}

/**
 * An SSE fault with its HTTP status and machine code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SseError } from "./sse_session.ts";
 * const error = new SseError(404, "unknown_session", 'No SSE session "x"');
 * assert.equal(error.status, 404);
 * assert.ok(error instanceof Error);
 * ```
 */
export class SseError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The machine code. */
  readonly code: string;
  /** An error answered with `status` and `code`. */
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "SseError";
    this.status = status;
    this.code = code;
  }
}

/**
 * `bytes` random bytes (16: 128 bits) from the platform's CSPRNG, base64url.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomToken } from "./sse_session.ts";
 * assert.match(randomToken(), /^[A-Za-z0-9_-]{22}$/);
 * assert.notEqual(randomToken(), randomToken());
 * ```
 */
export function randomToken(bytes = 16): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/**
 * The open SSE sessions of one server, by id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { SseSessions } from "./sse_session.ts";
 * const server = new LhttpServer();
 * const sessions = new SseSessions(server, { heartbeatMs: 0 });
 * const response = await sessions.open(new Request("http://x/sse?channel=room"));
 * assert.equal(response.headers.get("content-type"), "text/event-stream");
 * assert.equal(server.hub.subscriptionCount, 1);
 * await response.body!.cancel();
 * assert.equal(server.connections.size, 0);
 * ```
 */
export class SseSessions {
  readonly #sessions = new Map<string, SseSession>();
  /** The node prefix of this server's session ids (the relay's node id in a cluster). */
  readonly node: string;

  /** Sessions of `server`, with the stream timing of `options`. */
  constructor(readonly server: LhttpServer, readonly options: SsePeerOptions = {}) {
    this.node = relayOf(server)?.node ?? nodeId();
  }

  /** Open sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The session `id`, if open. */
  get(id: string): SseSession | undefined {
    return this.#sessions.get(id);
  }

  /** Answers `GET /sse`: a refusal with its status, or the event stream. */
  async open(request: Request, headers: Record<string, string> = {}): Promise<Response> {
    const server = this.server;
    const decision = await server.accept(request);
    if (decision instanceof Response) return decision;
    if (decision.refusal) {
      const status = decision.refusal.code === 4401 ? 401 : 403;
      const code = status === 401 ? "unauthorized" : "forbidden";
      throw new SseError(status, code, decision.refusal.reason);
    }
    const url = new URL(request.url);
    const channels = url.searchParams.getAll("channel").join(" ").trim();
    const id = this.node + randomToken();
    const peer = new SsePeer({ ...this.options, onGone: () => this.#gone(id) });
    const connection = server.open(peer, decision.data);
    const session = { id, secret: randomToken(32), connection };
    this.#sessions.set(id, session);
    const post = `${url.pathname.replace(/\/$/, "")}/${id}`;
    peer.write(jsonEvent("session", { session: id, secret: session.secret, post }));
    try {
      const last = request.headers.get("last-event-id") ?? url.searchParams.get("lastEventId");
      if (channels) await this.#subscribe(connection, peer, channels, last);
    } catch (error) {
      connection.close(1000, "refused");
      throw error;
    }
    return new Response(peer.stream, {
      headers: {
        ...headers,
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  }

  // The subscription goes through the pipeline as a client's subscribe frame
  // (validation, namespaces, authorize, limits); its answer becomes the status.
  #subscribe(
    connection: Connection,
    peer: SsePeer,
    channels: string,
    lastEventId: string | null,
  ): Promise<void> {
    const token = `sse-open-${randomToken()}`;
    return new Promise((resolve, reject) => {
      peer.intercept = (data) => {
        if (typeof data !== "string" || !data.includes(token)) return false;
        peer.intercept = undefined;
        const answer = parseFrame(data);
        const status = Number(answer.headers.get("status") ?? 500);
        if (status === 200) resolve();
        else {
          reject(
            new SseError(
              status,
              answer.headers.get("code") ?? "internal",
              answer.headers.get("reason") ?? "",
            ),
          );
        }
        return true;
      };
      const list = channels.replace(/[\r\n]+/g, " ");
      // After a reconnect, the positions the stream's ids carried: replay what was missed.
      const recover = lastEventId === null ? "" : `recover:${
        SsePositions.recover(
          lastEventId.replace(/[\r\n]+/g, " "),
          list.split(/[ \t]+/).filter(Boolean),
        )
      }\r\n`;
      this.server.receive(
        connection,
        `LHTTP/1.0 subscribe\r\nsubscribe:${list}\r\n${recover}ack:${token}\r\n\r\n`,
      );
    });
  }

  #gone(id: string): void {
    const session = this.#sessions.get(id);
    this.#sessions.delete(id);
    if (session) this.server.release(session.connection);
  }
}
