/**
 * Recovery and history queries with a {@linkcode ClusterHistory}: the same
 * frames as the embedded engine's (PROTOCOL.md section 13), read
 * asynchronously. The connection is subscribed first, then the replay is
 * sent; live copies that cross it are told apart by the client from their
 * offsets (`prev`), so that nothing falls between the read and the subscription.
 *
 * @module
 */

import { LhttpError, quote } from "../codec/errors.ts";
import type { ClusterHistory } from "./cluster_history.ts";
import type { Position, StoredPublication } from "./history.ts";
import type { RecoverRequest } from "./positions.ts";
import { type HistoryQuery, type Recipient, sendHistory } from "./replay.ts";

/**
 * Answers every entry of a `recover` header: the replay (all or none), then the position frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ClusterHistory, recoverFromCluster } from "@lhttp/lhttp/internal";
 * const engine = { top: () => Promise.resolve({ offset: 4, epoch: "e" }) } as unknown as ClusterHistory;
 * const sent: Record<string, string>[] = [];
 * await recoverFromCluster(engine, { deliver() {}, send: (f) => void sent.push(Object.fromEntries(f.headers)) }, new Map([["r", null]]));
 * assert.deepEqual(sent, [{ position: "r", offset: "4", epoch: "e" }]);
 * ```
 */
export async function recoverFromCluster(
  engine: ClusterHistory,
  to: Recipient,
  recover: RecoverRequest,
): Promise<void> {
  for (const [channel, from] of recover) {
    if (/[*>]/.test(channel)) continue;
    const headers = new Map([["position", channel]]);
    let position: Position | undefined;
    let recovered = false;
    try {
      if (from) {
        const continuation = await engine.since(channel, from);
        position = continuation?.top;
        if (continuation?.publications) {
          for (const publication of continuation.publications) to.deliver(publication.data);
          recovered = true;
        }
      } else position = await engine.top(channel);
    } catch {
      position = undefined; // the store cannot be read: say so, never replay a part
    }
    if (from) headers.set("recovered", String(recovered));
    if (position) {
      headers.set("offset", String(position.offset));
      headers.set("epoch", position.epoch);
    }
    to.send({ command: "position", headers });
  }
}

/**
 * Answers a history query from a cluster engine. Rejects with `position_expired`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answerFromCluster, type ClusterHistory } from "@lhttp/lhttp/internal";
 * const engine = { top: () => Promise.resolve(undefined), last: () => Promise.resolve([]) } as unknown as ClusterHistory;
 * const sent: string[] = [];
 * await answerFromCluster(engine, { deliver() {}, send: (f) => void sent.push(f.command) }, { channel: "r", limit: 5 });
 * assert.deepEqual(sent, ["history"]);
 * ```
 */
export async function answerFromCluster(
  engine: ClusterHistory,
  to: Recipient,
  query: HistoryQuery,
): Promise<void> {
  const { channel, limit, since } = query;
  const top = await engine.top(channel);
  let publications: StoredPublication[] = [];
  if (since && top) {
    const after = await engine.since(channel, since, Infinity);
    if (!after?.publications) {
      throw new LhttpError(
        "position_expired",
        `History of ${quote(channel)} after ${since.offset},${since.epoch} is no longer complete`,
      );
    }
    publications = after.publications.slice(0, limit);
  } else if (top) publications = await engine.last(channel, limit);
  sendHistory(to, channel, publications, top);
}
