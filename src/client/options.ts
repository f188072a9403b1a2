/**
 * The client's options and the socket surface it needs.
 *
 * @module
 */

import { ClientError } from "./errors.ts";
import { withFallback } from "./fallback_socket.ts";
import { DEFAULT_RECONNECT, type ReconnectOptions, type ResolvedReconnect } from "./backoff.ts";

/**
 * An `on…` handler property of {@linkcode WebSocketLike}. Checked bivariantly
 * (method syntax), as the DOM's own handlers are: otherwise the real sockets
 * (`globalThis.WebSocket`, `ws`), whose handlers take a specific `Event`,
 * would not be assignable to it.
 */
export type SocketHandler<E> = { bivarianceHack(event: E): void }["bivarianceHack"] | null;

/** The part of a WebSocket the client uses; the browser's, Deno's, Bun's, Node's and `ws` fit. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Set to `"arraybuffer"` so binary frames arrive as bytes. */
  binaryType: string;
  /** Sends a text or binary message. */
  send(data: string | Uint8Array): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Called once open. */
  onopen: SocketHandler<unknown>;
  /** Called per message; `data` is a string or bytes. */
  onmessage: SocketHandler<{ data: unknown }>;
  /** Called once closed (also after a failed connect). */
  onclose: SocketHandler<{ code: number; reason: string }>;
  /** Called on a socket error; a close follows. */
  onerror: SocketHandler<unknown>;
}

/** A WebSocket constructor, such as `globalThis.WebSocket` or `ws`'s default export. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/** Timers, injectable so tests drive reconnect timing without waiting. */
export interface Clock {
  /** Schedules `callback` after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a handle `setTimeout` returned. */
  clearTimeout(handle: unknown): void;
}

/** What `new LhttpClient(url, options)` accepts. */
export interface ClientOptions {
  /** The WebSocket constructor; the global `WebSocket` by default (Node 20: pass `ws`). */
  WebSocket?: WebSocketConstructor;
  /** WebSocket subprotocols to offer. */
  protocols?: string | string[];
  /** Reconnect settings, or `false` to stay closed after the first loss. */
  reconnect?: ReconnectOptions | false;
  /**
   * Frames sent while not open wait in a queue of this many frames (100 by
   * default; 0 turns queueing off). When it is full, the send is rejected with
   * a `queue_full` {@linkcode ClientError} and a `queuefull` event is emitted.
   */
  queueSize?: number;
  /**
   * Ask the server to acknowledge subscribe, unsubscribe and publish frames
   * (an `ack` header), so their promises settle on the server's answer.
   *
   * - `"auto"` (the default): ask, and detect a server that never answers,
   *   such as the original Go lhttp. When the first `ackTimeout` passes
   *   before this client ever got an acknowledgement, it switches to
   *   fire-and-forget for good: the frames waiting resolve, later promises
   *   resolve once written, and one `warning` event (code `no_acks`) is
   *   emitted (printed with `console.warn` when nobody listens).
   * - `true`: ask; a missing answer rejects with `ack_timeout`.
   * - `false`: never ask; promises resolve once the frame is written.
   */
  acks?: boolean | "auto";
  /** Milliseconds to wait for an acknowledgement once a frame is written; 10 000 by default, 0 for no limit. */
  ackTimeout?: number;
  /**
   * Called before every connect (the first and each reconnect); a string it
   * returns (or resolves to) is put in the URL's query as `token=…`, which is
   * what the server's `authenticate` hook reads. When the server refuses the
   * login (close code 4401 or 4403), the client reconnects only if this option
   * is set, to fetch a new token; without it, it closes for good.
   */
  token?: () => string | undefined | null | Promise<string | undefined | null>;
  /** Timers; the global ones by default. */
  clock?: Clock;
  /** Random numbers in [0, 1) for the backoff jitter; `Math.random` by default. */
  random?: () => number;
  /**
   * The SSE fallback (PROTOCOL.md section 15) for networks that block
   * WebSocket: after `after` (2) WebSockets in a row close before they open, or
   * when the WebSocket constructor refuses, the client uses `GET /sse` and
   * POSTs with the same API, and tries WebSocket again every `retryWebSocket`
   * ms (60 000). On by default with the global WebSocket, off by default when
   * a `WebSocket` option is given; `false` turns it off, an object on. `path`
   * is the server's SSE path (`/sse`), `fetch` the fetch used for SSE.
   */
  fallback?: {
    after?: number;
    retryWebSocket?: number;
    path?: string;
    fetch?: typeof fetch;
  } | false;
}

/** {@linkcode ClientOptions} with defaults applied. */
export interface ResolvedOptions {
  /** See {@linkcode ClientOptions.WebSocket}. */
  WebSocket: WebSocketConstructor;
  /** See {@linkcode ClientOptions.protocols}. */
  protocols: string | string[] | undefined;
  /** See {@linkcode ClientOptions.reconnect}. */
  reconnect: ResolvedReconnect | false;
  /** See {@linkcode ClientOptions.queueSize}. */
  queueSize: number;
  /** See {@linkcode ClientOptions.acks}. */
  acks: boolean | "auto";
  /** See {@linkcode ClientOptions.ackTimeout}. */
  ackTimeout: number;
  /** See {@linkcode ClientOptions.token}. */
  token: ClientOptions["token"];
  /** See {@linkcode ClientOptions.clock}. */
  clock: Clock;
  /** See {@linkcode ClientOptions.random}. */
  random: () => number;
}

const globalClock: Clock = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
};

/**
 * Fills in the defaults of {@linkcode ClientOptions}; throws a `no_websocket`
 * {@linkcode ClientError} when there is no WebSocket constructor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveOptions } from "./options.ts";
 * const options = resolveOptions({ queueSize: 5 });
 * assert.equal(options.queueSize, 5);
 * assert.equal(options.acks, "auto");
 * assert.equal(options.ackTimeout, 10_000);
 * assert.equal(resolveOptions({ reconnect: false }).reconnect, false);
 * ```
 */
export function resolveOptions(options: ClientOptions = {}): ResolvedOptions {
  const global = globalThis as { WebSocket?: WebSocketConstructor };
  const clock = options.clock ?? globalClock;
  const fallback = options.fallback ?? (options.WebSocket ? false : {});
  const inner = options.WebSocket ?? global.WebSocket;
  const WebSocket = fallback && (inner || options.fallback)
    ? withFallback(inner, fallback, clock)
    : inner;
  if (!WebSocket) {
    throw new ClientError(
      "no_websocket",
      "No global WebSocket here: pass one as options.WebSocket (on Node 20, from the ws package)",
    );
  }
  return {
    WebSocket,
    protocols: options.protocols,
    reconnect: options.reconnect === false
      ? false
      : { ...DEFAULT_RECONNECT, ...definedOnly(options.reconnect ?? {}) },
    queueSize: options.queueSize ?? 100,
    acks: options.acks ?? "auto",
    ackTimeout: options.ackTimeout ?? 10_000,
    token: options.token,
    clock,
    random: options.random ?? Math.random,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>;
}
