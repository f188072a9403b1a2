/**
 * `SseSocket`: the SSE fallback (PROTOCOL.md section 15) behind the
 * WebSocket surface the client uses. Downstream is one streamed `fetch` of
 * `GET /sse`; each `send` is a `POST /sse/<id>` with the session's secret, one
 * at a time so that frames keep their order. The server's `close` event, a
 * refused login (401/403 become 4401/4403) and a lost stream (1006) arrive as
 * `onclose`, like a WebSocket's.
 *
 * @module
 */

import type { SocketHandler, WebSocketLike } from "./options.ts";
import { frameOfEvent, type SseEvent, SseParser } from "./sse_parser.ts";

/**
 * The SSE URL of a WebSocket URL: `ws`→`http`, `wss`→`https`, path `path`,
 * the query (the token) kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sseUrl } from "./sse_socket.ts";
 * assert.equal(sseUrl("wss://x.org/ws?token=t"), "https://x.org/sse?token=t");
 * ```
 */
export function sseUrl(url: string, path = "/sse"): string {
  const parsed = new URL(url);
  const http = parsed.protocol === "wss:" ? "https:" : "http:";
  return `${http}//${parsed.host}${path}${parsed.search}`;
}

/**
 * A WebSocket-like session over SSE and POSTs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SseSocket } from "./sse_socket.ts";
 * const refused = () => Promise.resolve(new Response('{"reason":"bad token"}', { status: 401 }));
 * const socket = new SseSocket("http://x/sse", refused);
 * const closed = await new Promise((resolve) => (socket.onclose = resolve));
 * assert.deepEqual(closed, { code: 4401, reason: "bad token" });
 * assert.equal(socket.readyState, 3);
 * ```
 */
export class SseSocket implements WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readyState = 0;
  /** Ignored: binary frames always arrive as bytes. */
  binaryType = "arraybuffer";
  /** See {@linkcode WebSocketLike}. */
  onopen: SocketHandler<unknown> = null;
  /** See {@linkcode WebSocketLike}. */
  onmessage: SocketHandler<{ data: unknown }> = null;
  /** See {@linkcode WebSocketLike}. */
  onclose: SocketHandler<{ code: number; reason: string }> = null;
  /** See {@linkcode WebSocketLike}. */
  onerror: SocketHandler<unknown> = null;
  readonly #abort = new AbortController();
  readonly #fetch: typeof fetch;
  readonly #url: string;
  #post = "";
  #secret = "";
  #outbox: Array<string | Uint8Array> = [];
  #posting = false;

  /** Opens `url` (an `http(s)://…/sse` URL) with `fetchImpl`. */
  constructor(url: string, fetchImpl?: typeof fetch) {
    this.#url = url;
    // Called unbound: a browser's fetch refuses any `this` but the window.
    this.#fetch = (input, init) => (fetchImpl ?? globalThis.fetch)(input, init);
    void this.#run();
  }

  /** Queues a frame for POSTing; throws when not open, as a WebSocket does. */
  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error("The SSE session is not open");
    this.#outbox.push(data);
    void this.#pump();
  }

  /** Ends the session (the stream is cancelled, which the server takes as the close). */
  close(code = 1000, reason = ""): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    queueMicrotask(() => this.#closed(code, reason));
  }

  async #run(): Promise<void> {
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        headers: { accept: "text/event-stream" },
        cache: "no-store",
        signal: this.#abort.signal,
      });
    } catch {
      return this.#closed(1006, "");
    }
    if (response.status === 401 || response.status === 403) {
      const text = await response.text().catch(() => "");
      let reason = text;
      try {
        reason = JSON.parse(text).reason ?? text;
      } catch {
        // A plain-text refusal.
      }
      return this.#closed(response.status === 401 ? 4401 : 4403, reason);
    }
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel().catch(() => {});
      return this.#closed(1006, `HTTP ${response.status}`);
    }
    const parser = new SseParser((event) => this.#event(event));
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.readyState >= 2) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch {
      // Cut, or aborted by close().
    }
    reader.cancel().catch(() => {});
    this.#closed(1006, "");
  }

  #event(event: SseEvent): void {
    if (this.readyState >= 2) return;
    if (event.event === "session") {
      const session = JSON.parse(event.data);
      this.#post = new URL(session.post, this.#url).href;
      this.#secret = session.secret;
      this.readyState = 1;
      this.onopen?.({});
      return;
    }
    if (event.event === "close") {
      const { code, reason } = JSON.parse(event.data);
      this.readyState = 2;
      return this.#closed(Number(code) || 1006, String(reason ?? ""));
    }
    const data = frameOfEvent(event);
    if (data !== undefined && this.readyState === 1) this.onmessage?.({ data });
  }

  async #pump(): Promise<void> {
    if (this.#posting) return;
    this.#posting = true;
    while (this.#outbox.length > 0 && this.readyState === 1) {
      const data = this.#outbox[0];
      let status = 0;
      try {
        const response = await this.#fetch(this.#post, {
          method: "POST",
          headers: {
            authorization: `Bearer ${this.#secret}`,
            "content-type": typeof data === "string"
              ? "text/plain;charset=utf-8"
              : "application/octet-stream",
          },
          body: data as BodyInit,
          signal: this.#abort.signal,
        });
        status = response.status;
        await response.body?.cancel().catch(() => {});
      } catch {
        // The network failed: status 0.
      }
      if (status === 202) {
        this.#outbox.shift();
        continue;
      }
      // As on WebSocket: a frame over the limit closes with 1009, anything else is a lost connection.
      this.readyState = 2;
      this.#closed(status === 413 ? 1009 : 1006, status ? `HTTP ${status}` : "");
    }
    this.#posting = false;
  }

  #closed(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.#outbox = [];
    this.#abort.abort();
    this.onclose?.({ code, reason });
  }
}
