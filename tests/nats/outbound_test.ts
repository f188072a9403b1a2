// The NATS bus's outbound window with a fake connection: frames go out at
// once while little is unconfirmed, wait in the queue beyond the in-flight
// bound, the oldest are dropped past the pending bound, and an unanswered
// flush marks the window stalled until the server answers.

import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/nats-core";
import { OutboundWindow } from "../../src/nats/_outbound.ts";
import type { BusState } from "../../src/hub/bus.ts";
import { createLogger } from "../../src/telemetry/log.ts";

function fakeLink() {
  const sent: string[] = [];
  const flushes: Array<() => void> = [];
  const nc = {
    info: { max_payload: 1 << 20 },
    publish: (subject: string) => void sent.push(subject),
    flush: () => new Promise<void>((resolve) => flushes.push(resolve)),
  } as unknown as NatsConnection;
  const link = { connection: nc as NatsConnection | undefined, state: "connected" as BusState };
  return { link, sent, flushes };
}

const node = new Uint8Array(8);
const quiet = createLogger("silent");
const frame = (n: number) => `LHTTP/1.0 chat\r\npublish:room\r\n\r\n${"x".repeat(n)}`;
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("outbound window: past the in-flight bound frames wait for the flush's answer", async () => {
  const { link, sent, flushes } = fakeLink();
  const window = new OutboundWindow(link, node, {
    maxPending: 1 << 20,
    maxInFlight: 200,
    stallMs: 60_000,
  }, quiet);
  window.send("a", frame(150));
  window.send("b", frame(150));
  window.send("c", frame(150));
  assert.deepEqual(sent, ["a"], "one frame fills the window");
  assert.equal(window.queuedFrames, 2);
  await turn();
  assert.equal(flushes.length, 1, "one flush covers the batch");
  flushes.shift()!();
  await turn();
  assert.deepEqual(sent, ["a", "b"]);
  await turn();
  flushes.shift()!();
  await turn();
  assert.deepEqual(sent, ["a", "b", "c"]);
  assert.equal(window.counts.published, 3);
  assert.equal(window.counts.dropped, 0);
});

Deno.test("outbound window: past the pending bound the oldest queued frames are dropped", () => {
  const { link, sent } = fakeLink();
  const window = new OutboundWindow(link, node, {
    maxPending: 700,
    maxInFlight: 200,
    stallMs: 60_000,
  }, quiet);
  for (const subject of ["a", "b", "c", "d", "e"]) window.send(subject, frame(150));
  assert.deepEqual(sent, ["a"]);
  assert.ok(window.bufferedBytes <= 700, `${window.bufferedBytes} bytes buffered`);
  assert.ok(window.counts.dropped >= 1, "the oldest went first");
  assert.equal(window.counts.dropped + window.queuedFrames + 1, 5, "every frame is counted once");
});

Deno.test("outbound window: without a connection a frame is dropped and counted", () => {
  const { link } = fakeLink();
  link.connection = undefined;
  link.state = "disconnected";
  const window = new OutboundWindow(link, node, {
    maxPending: 700,
    maxInFlight: 200,
    stallMs: 60_000,
  }, quiet);
  window.send("a", frame(10));
  assert.equal(window.counts.dropped, 1);
  assert.equal(window.bufferedBytes, 0);
});

Deno.test("outbound window: an unanswered flush stalls the window until it is answered", async () => {
  const { link, flushes } = fakeLink();
  const window = new OutboundWindow(link, node, {
    maxPending: 1 << 20,
    maxInFlight: 1 << 20,
    stallMs: 500,
  }, quiet);
  window.send("a", frame(10));
  await turn();
  assert.equal(flushes.length, 1);
  window.check();
  assert.equal(window.stalled, false, "not yet past stallMs");
  await new Promise((resolve) => setTimeout(resolve, 600));
  window.check();
  assert.equal(window.stalled, true);
  assert.equal(window.counts.stalls, 1);
  flushes.shift()!();
  await turn();
  assert.equal(window.stalled, false, "the answer ends the stall");
  assert.equal(window.bufferedBytes, 0, "and confirms what was in flight");
});
