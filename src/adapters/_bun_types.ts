import { LhttpError } from "../codec/errors.ts";

// The few Bun types the Bun adapter needs, declared here so that the core does
// not depend on Bun's type package (and type-checks under Deno).

/** Data passed to `Bun.serve` message handlers. */
export type BunMessage = string | Uint8Array;

/** `ServerWebSocket` from `Bun.serve`. */
export interface BunServerWebSocket<T> {
  /** Per-socket data given to `server.upgrade`. */
  data: T;
  /** How binary messages arrive. */
  binaryType?: "nodebuffer" | "arraybuffer" | "uint8array";
  /** Bytes sent, -1 when queued under backpressure, 0 when dropped. */
  send(data: BunMessage, compress?: boolean): number;
  /** Closes with a close frame. */
  close(code?: number, reason?: string): void;
  /** Joins a native topic. */
  subscribe(topic: string): void;
  /** Leaves a native topic. */
  unsubscribe(topic: string): void;
  /** Bytes queued for this socket. */
  getBufferedAmount(): number;
}

/** The server `Bun.serve` returns (and passes to `fetch`). */
export interface BunServer {
  /** Bound port. */
  readonly port: number;
  /** Bound interface. */
  readonly hostname: string;
  /** Upgrades `request`; false when it is not a valid upgrade. */
  upgrade(request: Request, options?: { data?: unknown; headers?: HeadersInit }): boolean;
  /** Sends to every subscriber of `topic`: bytes sent, -1 backpressure, 0 dropped or none. */
  publish(topic: string, data: BunMessage, compress?: boolean): number;
  /** Stops listening; with `true`, closes active connections too. */
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

/** The `websocket` handler object of `Bun.serve`. */
export interface BunWebSocketHandler<T> {
  /** A socket opened. */
  open?(ws: BunServerWebSocket<T>): void;
  /** A message arrived. */
  message(ws: BunServerWebSocket<T>, message: BunMessage): void;
  /** A socket closed. */
  close?(ws: BunServerWebSocket<T>, code: number, reason: string): void;
  /** A socket's backpressure cleared. */
  drain?(ws: BunServerWebSocket<T>): void;
  /** Largest message accepted; larger ones close the socket with 1009. */
  maxPayloadLength?: number;
  /** Seconds without traffic before the socket is closed (Bun pings before). */
  idleTimeout?: number;
  /** Bytes buffered per socket before sends are dropped. */
  backpressureLimit?: number;
  /** Whether Bun itself closes a socket over `backpressureLimit` (abruptly). */
  closeOnBackpressureLimit?: boolean;
  /** Whether Bun sends pings to keep sockets alive. */
  sendPings?: boolean;
  /** Per-message compression. */
  perMessageDeflate?: boolean | { compress?: boolean | string; decompress?: boolean | string };
}

/** Options of `Bun.serve` the adapter uses. */
export interface BunServeOptions<T> {
  /** Port; 0 for any free one. */
  port?: number;
  /** Interface to bind. */
  hostname?: string;
  /**
   * Handlers by exact path and method, matched in Bun's native code before
   * `fetch` (which gets every request they do not match).
   */
  routes?: Record<
    string,
    Record<string, (request: Request, server: BunServer) => Response | Promise<Response>>
  >;
  /** HTTP handler; returns nothing after a successful upgrade. */
  fetch(request: Request, server: BunServer): Response | undefined | Promise<Response | undefined>;
  /** WebSocket handlers. */
  websocket: BunWebSocketHandler<T>;
}

/** The `Bun` global, when running on Bun. */
export interface BunGlobal {
  /** Starts an HTTP server. */
  serve<T>(options: BunServeOptions<T>): BunServer;
}

/** Returns the `Bun` global; throws when not on Bun. */
export function bunGlobal(): BunGlobal {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (!bun) throw new LhttpError("internal", "The Bun adapter needs the Bun runtime");
  return bun;
}
