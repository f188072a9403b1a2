/**
 * The JetStream history engine (`@lhttp/lhttp/jetstream`): history that any
 * node of a cluster serves and that survives any node's death. Needs
 * `@nats-io/jetstream` and `@nats-io/nats-core`.
 *
 * @module
 */

export { JetStreamHistory, type JetStreamHistoryOptions } from "./jetstream_history.ts";
