// Assertions shared by the conformance steps.

import assert from "node:assert/strict";
import type { Received } from "../harness/ws_client.ts";

/** Asserts `frame` is the error frame PROTOCOL.md section 7 describes. */
export function assertError(
  frame: Received,
  expected: { command: string; status: number; code: string; ack?: string },
): void {
  assert.equal(frame.command, expected.command, `command of ${JSON.stringify(frame.raw)}`);
  assert.equal(frame.headers.status, String(expected.status), `status of ${frame.raw}`);
  assert.equal(frame.headers.code, expected.code);
  assert.ok((frame.headers.reason ?? "").length > 0, "an error frame has a reason");
  if (expected.ack !== undefined) assert.equal(frame.headers.ack, expected.ack);
}

/** GET /healthz as JSON. */
export async function health(url: string): Promise<{ connections: number; channels: number }> {
  const response = await fetch(`${url}/healthz`);
  assert.equal(response.status, 200);
  return await response.json();
}
