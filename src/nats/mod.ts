/**
 * The NATS bus: run several lhttp nodes as one cluster. Kept on its own
 * subpath so the core never loads NATS code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { channelToSubject, NatsBus } from "@lhttp/lhttp/nats";
 * const bus = new NatsBus({ servers: "nats://127.0.0.1:4222", subjectPrefix: "app" });
 * assert.equal(bus.state, "connecting");
 * assert.equal(channelToSubject("a.b", "app"), "app.a.b");
 * await bus.close();
 * ```
 *
 * @module
 */

export { NatsBus, type NatsBusOptions, type NatsBusStats } from "./bus.ts";
export { type CliBusOptions, createCliBus, webSocketFor } from "./cli_bus.ts";
export {
  connectNats,
  type ConnectNatsOptions,
  isWebSocketServers,
  parseServers,
  type WebSocketConstructor,
} from "./connect.ts";
export { encodeEnvelopes, EnvelopeReader, envelopeSize, type InvalidPayload } from "./envelope.ts";
export { type LinkEvents, NatsLink } from "./link.ts";
export {
  assertSubjectPrefix,
  channelToSubject,
  channelToToken,
  DEFAULT_SUBJECT_PREFIX,
  MAX_MAPPED_LENGTH,
  subjectToChannel,
  tokenToChannel,
} from "./subject.ts";
