/**
 * Recovery and history queries with a {@linkcode ClusterHistory}: the same
 * frames as the embedded engine's (PROTOCOL.md section 13), read
 * asynchronously. The connection is subscribed first, then the replay is
 * sent; live copies that cross it are told apart by the client from their
 * offsets (`prev`), so that nothing falls between the read and the subscription.
 * Latest values are read the same way, after the subscription.
 *
 * @module
 */

import { LhttpError, quote } from "../codec/errors.ts";
import type { ClusterHistory } from "./cluster_history.ts";
import type { Position, StoredPublication } from "./history.ts";
import type { RecoverRequest } from "./positions.ts";
import { type HistoryQuery, sendHistory } from "./history_query.ts";
import type { Recipient } from "./replay.ts";

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
 * The channels of a subscribe that get a latest value (PROTOCOL.md section
 * 13): their rule asks for it, the connection is not subscribed yet, and
 * `recover` names no position for them. Call it before subscribing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ClusterHistory, latestChannels } from "@lhttp/lhttp/internal";
 * const engine = {
 *   rule: (channel: string) => channel.startsWith("state.") ? { prefix: "state.", size: 1, ttlMs: 1, latest: true } : undefined,
 *   latest: () => Promise.resolve(undefined),
 * } as unknown as ClusterHistory;
 * const channels = ["state.a", "state.b", "state.c", "chat.d", "state.*"];
 * const recover = new Map([["state.b", { offset: 3, epoch: "e" }], ["state.c", null]]);
 * assert.deepEqual(latestChannels(engine, new Set(), channels, recover), ["state.a", "state.c"]);
 * assert.deepEqual(latestChannels(engine, new Set(["state.a"]), ["state.a"]), []);
 * ```
 */
export function latestChannels(
  engine: ClusterHistory,
  subscribed: ReadonlySet<string>,
  channels: readonly string[],
  recover?: RecoverRequest,
): string[] {
  if (!engine.latest) return [];
  const out: string[] = [];
  for (const channel of channels) {
    if (subscribed.has(channel) || recover?.get(channel) || /[*>]/.test(channel)) continue;
    if (engine.rule(channel)?.latest) out.push(channel);
  }
  return out;
}

/**
 * Sends the latest value of each of `channels` (subscribed already), then
 * answers `recover` like {@linkcode recoverFromCluster}. A latest value that
 * cannot be read is left out: the live copies follow as usual.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ClusterHistory, replayFromCluster } from "@lhttp/lhttp/internal";
 * const engine = {
 *   latest: (channel: string) => Promise.resolve({ offset: 7, data: `last of ${channel}` }),
 *   top: () => Promise.resolve({ offset: 7, epoch: "e" }),
 * } as unknown as ClusterHistory;
 * const got: unknown[] = [];
 * const to = { deliver: (data: unknown) => void got.push(data), send: (f: { command: string }) => void got.push(f.command) };
 * await replayFromCluster(engine, to, ["state.a"], new Map([["state.a", null]]));
 * assert.deepEqual(got, ["last of state.a", "position"]);
 * ```
 */
export async function replayFromCluster(
  engine: ClusterHistory,
  to: Recipient,
  latest: readonly string[],
  recover?: RecoverRequest,
): Promise<void> {
  for (const channel of latest) {
    let publication: StoredPublication | undefined;
    try {
      publication = await engine.latest?.(channel);
    } catch {
      publication = undefined; // the store cannot be read: the live copies follow anyway
    }
    if (publication) to.deliver(publication.data);
  }
  if (recover) await recoverFromCluster(engine, to, recover);
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
