/**
 * Crash-safe lifecycle webhooks and cluster-wide presence on NATS KV
 * (PROTOCOL.md sections 16 and 17). On its own subpath, so only a cluster
 * that uses them loads `@nats-io/kv`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClusterLedger, RemoteMembers } from "@lhttp/lhttp/cluster";
 * assert.equal(typeof ClusterLedger.open, "function");
 * assert.equal(typeof RemoteMembers, "function");
 * ```
 *
 * @module
 */

export { ClusterLedger, type ClusterLedgerOptions } from "./webhooks/cluster_ledger.ts";
export { RemoteMembers } from "./presence/remote_members.ts";
export type { ConnectionRecord } from "./webhooks/lost_node_events.ts";
