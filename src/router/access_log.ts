/**
 * Access logs: one `info` line per connection when it closes (its id, user,
 * reason, duration, frames and bytes each way), and one when it opens. A
 * lifecycle observer, so the core pays nothing unless `info` is logged.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";
import type { Connection } from "../connection/connection.ts";
import type { Logger } from "../telemetry/log.ts";
import type { Disconnect, LifecycleObserver } from "./lifecycle.ts";

interface Tally {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

/**
 * The access-log observer of `logger`, or `undefined` when `info` is off.
 * Frames are counted as `/metrics` counts them (text in UTF-16 code units,
 * binary in bytes); on Bun, frames fanned out natively by topic bypass the
 * connection and are not in its `framesOut`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createLogger } from "@lhttp/lhttp";
 * import { accessLog } from "./access_log.ts";
 * const lines: string[] = [];
 * const log = accessLog(createLogger("info", (line) => lines.push(line)))!;
 * const connection = { id: 7, data: { user: "ann" }, receive(_: string) {}, peer: { send(_: string) {} } };
 * log.connected!(connection as never);
 * connection.receive("ping");
 * connection.peer.send("pong!");
 * log.disconnected!(connection as never, { reason: "closed", durationMs: 12 });
 * assert.match(lines[1], /msg="connection closed" id=7 user=ann reason=closed durationMs=12 framesIn=1 bytesIn=4 framesOut=1 bytesOut=5/);
 * assert.equal(accessLog(createLogger("warn")), undefined);
 * ```
 */
export function accessLog(
  logger: Logger,
  userOf?: (data: unknown) => string | undefined,
): LifecycleObserver | undefined {
  if (!logger.enabled("info")) return undefined;
  const tallies = new WeakMap<Connection, Tally>();
  const user = (connection: Connection) => {
    const data = connection.data;
    const named = userOf
      ? userOf(data)
      : typeof data === "string"
      ? data
      : (data as { user?: unknown })?.user;
    return typeof named === "string" ? named : undefined;
  };
  return {
    connected(connection) {
      const tally: Tally = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };
      tallies.set(connection, tally);
      // Counted on the instance: the core's hot path has no access-log branch.
      const receive = connection.receive.bind(connection);
      connection.receive = (data: FrameData) => {
        tally.framesIn++;
        tally.bytesIn += data.length;
        receive(data);
      };
      const peer = connection.peer;
      const send = peer.send.bind(peer);
      peer.send = (data: FrameData) => {
        tally.framesOut++;
        tally.bytesOut += data.length;
        return send(data);
      };
      logger.log("info", "connection opened", { id: connection.id, ...named(user(connection)) });
    },
    disconnected(connection, disconnect: Disconnect) {
      const tally = tallies.get(connection);
      logger.log("info", "connection closed", {
        id: connection.id,
        ...named(user(connection)),
        reason: disconnect.reason,
        durationMs: disconnect.durationMs,
        ...tally,
      });
    },
  };
}

// The user field, only when there is a user.
function named(user: string | undefined): { user?: string } {
  return user === undefined ? {} : { user };
}
