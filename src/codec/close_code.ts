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
