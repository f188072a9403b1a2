/**
 * Options and handle shared by every runtime adapter.
 *
 * @module
 */

/** How an adapter listens. */
export interface ServeOptions {
  /** TCP port; 8081 by default, 0 for any free port. */
  port?: number;
  /** Interface to bind; `0.0.0.0` by default. */
  hostname?: string;
  /** A folder served at `/` (the chat demo uses this). */
  static?: string;
  /** Accept WebSocket upgrades only on this path; any path by default. */
  path?: string;
  /** Seconds without traffic before a peer is pinged and, if silent, closed (120 by default, 0 off). */
  idleTimeout?: number;
  /**
   * Deno only: `"node"` (default) serves through node:http and ws under Deno's
   * Node compatibility, with batched writes; `"web"` through `Deno.serve` and
   * `Deno.upgradeWebSocket`.
   */
  transport?: "node" | "web";
  /** Called once listening. */
  onListen?: (address: { hostname: string; port: number }) => void;
}

/** A listening server. */
export interface RunningServer {
  /** The port actually bound. */
  readonly port: number;
  /** The interface bound. */
  readonly hostname: string;
  /** Stops accepting, closes every connection with 1001, and resolves when done. */
  shutdown(): Promise<void>;
  /** Resolves when the server has stopped. */
  readonly finished: Promise<void>;
}

export { isWebSocketUpgrade } from "../http/routes.ts";

/** Makes `stop` idempotent: every call after the first returns the first call's promise. */
export function stopOnce(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => stopping ??= stop();
}
