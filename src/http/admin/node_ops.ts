/**
 * What one node answers to the admin API: its info, its channels, its
 * connections, and disconnecting one of them. Remote nodes run the same code
 * behind NATS request/reply.
 *
 * @module
 */

import process from "node:process";
import type { LhttpServer } from "../../server/lhttp_server.ts";

/** One node, as the admin page lists it. */
export interface NodeInfo {
  node: string;
  runtime: string;
  version: string;
  uptimeS: number;
  connections: number;
  channels: number;
  subscriptions: number;
  memory: { rssBytes: number; heapUsedBytes: number };
  deliveriesPerS: number;
  bus: string;
  draining: boolean;
}

/** An admin operation refused: unknown connection, bad body, unknown op.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AdminError } from "./node_ops.ts";
 * const error = new AdminError("unknown_connection", "No connection 3", 404);
 * assert.deepEqual([error.code, error.status], ["unknown_connection", 404]);
 * ```
 */
export class AdminError extends Error {
  /** Creates the error with its machine `code` and HTTP `status`. */
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
    this.name = "AdminError";
  }
}

const RUNTIME = typeof (globalThis as { Deno?: unknown }).Deno === "object"
  ? `deno ${process.versions.deno}`
  : process.versions.bun
  ? `bun ${process.versions.bun}`
  : `node ${process.versions.node}`;

/**
 * The admin operations of the local node.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { NodeOps } from "./node_ops.ts";
 * const ops = new NodeOps(new LhttpServer(), "a", "1.0.0");
 * const info = await ops.run("info", {}) as { node: string; connections: number };
 * assert.deepEqual([info.node, info.connections], ["a", 0]);
 * await assert.rejects(ops.run("disconnect", { connection: 99 }), /No connection 99 on node "a"/);
 * ```
 */
export class NodeOps {
  readonly #started = Date.now();
  #sample = { at: Date.now(), framesOut: 0 };
  #rate = 0;

  /** Operations on `server`, named `node`. */
  constructor(readonly server: LhttpServer, readonly node: string, readonly version: string) {}

  /** Runs `op` with its JSON `body`. */
  run(op: string, body: unknown): Promise<unknown> {
    try {
      switch (op) {
        case "info":
          return Promise.resolve(this.info());
        case "channels":
          return Promise.resolve({ node: this.node, channels: this.channels() });
        case "connections":
          return Promise.resolve({ node: this.node, connections: this.connections() });
        case "presence":
          return Promise.resolve(this.presence((body as { channel?: unknown })?.channel));
        case "disconnect":
          return Promise.resolve(this.disconnect((body as { connection?: unknown })?.connection));
        default:
          throw new AdminError("unknown_op", `Unknown admin operation ${JSON.stringify(op)}`, 404);
      }
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Runtime, version, uptime, counts, memory, deliveries per second. */
  info(): NodeInfo {
    const gauges = this.server.gauges();
    const now = Date.now();
    const framesOut = this.server.metrics.framesOut;
    if (now - this.#sample.at >= 1000) {
      this.#rate = Math.round(
        ((framesOut - this.#sample.framesOut) * 1000) / (now - this.#sample.at),
      );
      this.#sample = { at: now, framesOut };
    }
    const memory = process.memoryUsage();
    return {
      node: this.node,
      runtime: `${RUNTIME}${this.server.runtime ? ` (${this.server.runtime} adapter)` : ""}`,
      version: this.version,
      uptimeS: Math.floor((now - this.#started) / 1000),
      connections: gauges.connections,
      channels: gauges.channels,
      subscriptions: gauges.subscriptions,
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      deliveriesPerS: this.#rate,
      bus: gauges.bus,
      draining: this.server.draining,
    };
  }

  /** Channels with their local subscriber counts. */
  channels(): { channel: string; subscribers: number }[] {
    const counts = new Map<string, number>();
    for (const connection of this.server.connections.values()) {
      for (const channel of connection.channels) {
        counts.set(channel, (counts.get(channel) ?? 0) + 1);
      }
    }
    return [...counts].map(([channel, subscribers]) => ({ channel, subscribers }));
  }

  /** Open connections with their user and subscriptions. */
  connections(): { id: number; user?: string; address?: string; channels: string[] }[] {
    const userOf = this.server.options.userOf;
    return [...this.server.connections.values()].map((connection) => {
      const data = connection.data as { user?: unknown; address?: unknown } | string | undefined;
      const user = userOf ? userOf(data) : typeof data === "string" ? data : data?.user;
      const address = typeof data === "object" ? data?.address : undefined;
      return {
        id: connection.id,
        user: typeof user === "string" ? user : undefined,
        address: typeof address === "string" ? address : undefined,
        channels: [...connection.channels],
      };
    });
  }

  /** The presence of `channel` on this node (100 members at most), or `off: true` where it keeps none. */
  presence(
    channel: unknown,
  ): { node: string; channel: string; off?: true } & Record<string, unknown> {
    if (typeof channel !== "string") {
      throw new AdminError(
        "bad_request",
        `"channel" must be a string, got ${JSON.stringify(channel)}`,
      );
    }
    try {
      return { node: this.node, ...this.server.presence(channel, { limit: 100 }) };
    } catch (error) {
      if ((error as { code?: string }).code === "presence_off") {
        return { node: this.node, channel, off: true };
      }
      throw error;
    }
  }

  /** Closes connection `id` with 1008 "disconnected by an administrator". */
  disconnect(id: unknown): { node: string; disconnected: number } {
    if (typeof id !== "number" || !Number.isSafeInteger(id)) {
      throw new AdminError(
        "bad_request",
        `"connection" must be a connection id (a number), got ${JSON.stringify(id)}`,
      );
    }
    for (const connection of this.server.connections.values()) {
      if (connection.id !== id) continue;
      connection.close(1008, "disconnected by an administrator");
      return { node: this.node, disconnected: id };
    }
    throw new AdminError(
      "unknown_connection",
      `No connection ${id} on node ${JSON.stringify(this.node)}`,
      404,
    );
  }
}
