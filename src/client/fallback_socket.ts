/**
 * The client's transport choice: WebSocket first; after `after` WebSockets in
 * a row closed before they opened (or when the WebSocket constructor refuses,
 * as a blocking policy does), the SSE fallback ({@linkcode SseSocket}). While
 * on SSE, a WebSocket is tried again every `retryWebSocket` ms: once one
 * opens, the SSE session is closed with 1012 and the client reconnects over
 * WebSocket. Internal: `resolveOptions` wraps the WebSocket constructor.
 *
 * @module
 */

import type {
  ClientOptions,
  Clock,
  SocketHandler,
  WebSocketConstructor,
  WebSocketLike,
} from "./options.ts";
import { SseSocket, sseUrl } from "./sse_socket.ts";

/** When the client falls back to SSE, and how it finds WebSocket again (see `ClientOptions.fallback`). */
export type FallbackOptions = Exclude<NonNullable<ClientOptions["fallback"]>, false>;

/** Which transport a socket of {@linkcode withFallback} uses. */
export type Transport = "websocket" | "sse";

/**
 * A WebSocket constructor that falls back to SSE; `WebSocket` may be missing
 * (SSE only). Its instances tell their `transport`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withFallback } from "./fallback_socket.ts";
 * class Refused { constructor() { throw new Error("blocked by policy"); } }
 * const fetch = () => Promise.reject(new Error("offline"));
 * const clock = { setTimeout: () => 0, clearTimeout() {} };
 * const Socket = withFallback(Refused as never, { fetch }, clock);
 * const socket = new Socket("ws://x/");
 * assert.equal((socket as { transport?: string }).transport, "sse");
 * ```
 */
export function withFallback(
  WebSocket: WebSocketConstructor | undefined,
  options: FallbackOptions,
  clock: Clock,
): WebSocketConstructor {
  const after = options.after ?? 2;
  const retry = options.retryWebSocket ?? 60_000;
  let failures = 0;
  let sseSince: number | undefined = WebSocket ? undefined : -Infinity;
  const useSse = () => {
    failures = after;
    sseSince = Date.now();
  };

  return class FallbackSocket implements WebSocketLike {
    onopen: SocketHandler<unknown> = null;
    onmessage: SocketHandler<{ data: unknown }> = null;
    onclose: SocketHandler<{ code: number; reason: string }> = null;
    onerror: SocketHandler<unknown> = null;
    readonly transport: Transport;
    readonly #inner: WebSocketLike;
    #probe?: unknown;

    constructor(url: string, protocols?: string | string[]) {
      let inner: WebSocketLike | undefined;
      const due = sseSince !== undefined && WebSocket && Date.now() - sseSince >= retry;
      if (sseSince === undefined || due) {
        // One failure of a retried WebSocket sends the client back to SSE.
        if (due) (sseSince = undefined, failures = after - 1);
        try {
          inner = new WebSocket!(url, protocols);
        } catch {
          useSse(); // Refused outright (blocked): no point in retrying at once.
        }
      }
      this.transport = inner ? "websocket" : "sse";
      this.#inner = inner ?? new SseSocket(sseUrl(url, options.path), options.fetch);
      let opened = false;
      this.#inner.onopen = (event) => {
        opened = true;
        if (this.transport === "websocket") failures = 0;
        else this.#scheduleProbe(url, protocols);
        this.onopen?.(event);
      };
      this.#inner.onmessage = (event) => this.onmessage?.(event);
      this.#inner.onerror = (event) => this.onerror?.(event);
      this.#inner.onclose = (event) => {
        if (this.#probe !== undefined) clock.clearTimeout(this.#probe);
        this.#probe = undefined;
        if (this.transport === "websocket" && !opened && ++failures >= after) useSse();
        this.onclose?.(event);
      };
    }

    get readyState(): number {
      return this.#inner.readyState;
    }
    get binaryType(): string {
      return this.#inner.binaryType;
    }
    set binaryType(value: string) {
      this.#inner.binaryType = value;
    }
    send(data: string | Uint8Array): void {
      this.#inner.send(data);
    }
    close(code?: number, reason?: string): void {
      this.#inner.close(code, reason);
    }

    // On SSE: try a WebSocket now and then; when one opens, switch back.
    #scheduleProbe(url: string, protocols?: string | string[]): void {
      if (!WebSocket) return;
      this.#probe = clock.setTimeout(() => {
        this.#probe = undefined;
        if (this.#inner.readyState !== 1) return;
        let probe: WebSocketLike;
        try {
          probe = new WebSocket(url, protocols);
        } catch {
          return this.#scheduleProbe(url, protocols);
        }
        let open = false;
        probe.onopen = () => {
          open = true;
          probe.close(1000, "probe");
          sseSince = undefined;
          failures = 0;
          this.#inner.close(1012, "switching to WebSocket");
        };
        probe.onerror = () => {};
        probe.onmessage = () => {};
        probe.onclose = () => {
          if (!open && this.#inner.readyState === 1) this.#scheduleProbe(url, protocols);
        };
      }, retry);
    }
  };
}
