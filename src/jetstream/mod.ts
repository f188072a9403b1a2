/**
 * The JetStream history engine (`@lhttp/lhttp/jetstream`): history that any
 * node of a cluster serves and that survives any node's death. Needs
 * `@nats-io/jetstream` and `@nats-io/nats-core`.
 *
 * @module
 */

export { JetStreamHistory, type JetStreamHistoryOptions } from "./jetstream_history.ts";
export type { ClusterHistory } from "../history/cluster_history.ts";
export type { Continuation, HistoryRule, Position, StoredPublication } from "../history/history.ts";
export type { FrameData } from "../codec/frame.ts";
