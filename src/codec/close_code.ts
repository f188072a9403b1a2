/**
 * WebSocket close codes lhttp sends (PROTOCOL.md, "Close codes").
 *
 * @module
 */

/** Close codes lhttp uses (PROTOCOL.md, "Close codes"). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  invalidPayload: 1007,
  policy: 1008,
  tooBig: 1009,
  serviceRestart: 1012,
  slowConsumer: 4008,
  idle: 4009,
} as const;

const REASONS: Readonly<Record<number, string>> = {
  [CloseCode.normal]: "closed",
  [CloseCode.goingAway]: "shutdown",
  [CloseCode.protocolError]: "protocol_error",
  [CloseCode.invalidPayload]: "invalid_payload",
  [CloseCode.policy]: "policy",
  [CloseCode.tooBig]: "too_big",
  [CloseCode.serviceRestart]: "restart",
  [CloseCode.slowConsumer]: "slow_consumer",
  [CloseCode.idle]: "idle",
};

/**
 * Why the server closed a connection with `code`, as lifecycle observers and
 * webhooks name it (`disconnect` events, PROTOCOL.md section 17): `closed`
 * for 1000, a word for each code lhttp sends, `close_<code>` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CloseCode, closeReason } from "./close_code.ts";
 * assert.equal(closeReason(CloseCode.slowConsumer), "slow_consumer");
 * assert.equal(closeReason(1000), "closed");
 * assert.equal(closeReason(4999), "close_4999");
 * ```
 */
export function closeReason(code: number): string {
  return REASONS[code] ?? `close_${code}`;
}
