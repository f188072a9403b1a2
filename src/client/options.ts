/**
 * The client's options and the socket surface it needs.
 *
 * @module
 */

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
   * (an `ack` header), so their promises settle on the server's answer. True
   * by default; set false for servers that predate acknowledgements (the
   * promises then resolve once the frame is written to the socket).
   */
  acks?: boolean;
  /** Milliseconds to wait for an acknowledgement once a frame is written; 10 000 by default, 0 for no limit. */
  ackTimeout?: number;
  /** Timers; the global ones by default. */
  clock?: Clock;
  /** Random numbers in [0, 1) for the backoff jitter; `Math.random` by default. */
  random?: () => number;
}

/** {@linkcode ClientOptions} with defaults applied. */
export interface ResolvedOptions {
  /** See {@linkcode ClientOptions.WebSocket}. */
  WebSocket: WebSocketConstructor | undefined;
  /** See {@linkcode ClientOptions.protocols}. */
  protocols: string | string[] | undefined;
  /** See {@linkcode ClientOptions.reconnect}. */
  reconnect: ResolvedReconnect | false;
  /** See {@linkcode ClientOptions.queueSize}. */
  queueSize: number;
  /** See {@linkcode ClientOptions.acks}. */
  acks: boolean;
  /** See {@linkcode ClientOptions.ackTimeout}. */
  ackTimeout: number;
  /** See {@linkcode ClientOptions.clock}. */
  clock: Clock;
  /** See {@linkcode ClientOptions.random}. */
  random: () => number;
}

const globalClock: Clock = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
};

/** Fills in the defaults of {@linkcode ClientOptions}. */
export function resolveOptions(options: ClientOptions = {}): ResolvedOptions {
  const global = globalThis as { WebSocket?: WebSocketConstructor };
  return {
    WebSocket: options.WebSocket ?? global.WebSocket,
    protocols: options.protocols,
    reconnect: options.reconnect === false
      ? false
      : { ...DEFAULT_RECONNECT, ...definedOnly(options.reconnect ?? {}) },
    queueSize: options.queueSize ?? 100,
    acks: options.acks ?? true,
    ackTimeout: options.ackTimeout ?? 10_000,
    clock: options.clock ?? globalClock,
    random: options.random ?? Math.random,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>;
}
