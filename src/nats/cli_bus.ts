/**
 * The bus `lhttp serve --nats` builds. The CLI imports this module only when
 * `--nats` is given, so a plain `lhttp serve` never loads NATS code.
 *
 * @module
 */

import type { Logger } from "../telemetry/log.ts";
import { NatsBus } from "./bus.ts";
import { isWebSocketServers, parseServers, type WebSocketConstructor } from "./connect.ts";

/** What the CLI knows when it builds the bus. */
export interface CliBusOptions {
  /** `--nats` / `LHTTP_NATS`: comma-separated server URLs. */
  servers: string;
  /** `--nats-prefix` / `LHTTP_NATS_PREFIX`. */
  subjectPrefix?: string;
  /** The server's logger. */
  logger: Logger;
  /** The server's frame limit, so large frames from other nodes are accepted. */
  maxFrameBytes?: number;
}

/**
 * Builds the NATS bus of `lhttp serve`; for `ws://` servers on a runtime
 * without a global WebSocket (Node 20) it loads the `ws` package.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createLogger } from "@lhttp/lhttp";
 * import { createCliBus } from "@lhttp/lhttp/nats";
 * const bus = await createCliBus({ servers: "nats://127.0.0.1:4222", logger: createLogger("silent") });
 * assert.equal(bus.state, "connecting");
 * await bus.close();
 * ```
 */
export async function createCliBus(options: CliBusOptions): Promise<NatsBus> {
  const servers = parseServers(options.servers);
  const webSocket = await webSocketFor(servers);
  return new NatsBus({
    servers,
    subjectPrefix: options.subjectPrefix,
    logger: options.logger,
    maxFrameBytes: options.maxFrameBytes,
    webSocket,
  });
}

/**
 * The WebSocket constructor NATS needs for `servers`: none for `nats://`
 * servers or where the runtime has a global one, else the `ws` package's
 * (Node 20).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { webSocketFor } from "@lhttp/lhttp/nats";
 * assert.equal(await webSocketFor(["nats://127.0.0.1:4222"]), undefined);
 * ```
 */
export async function webSocketFor(
  servers: readonly string[],
): Promise<WebSocketConstructor | undefined> {
  if (!isWebSocketServers(servers) || typeof globalThis.WebSocket === "function") return undefined;
  return (await import("ws")).WebSocket as unknown as WebSocketConstructor;
}
