// A connection keeps its inbox only while it holds something (a frame in
// progress, frames waiting, a rate-limit bucket): frames must be handled the
// same whether the inbox was kept or made again for each frame.

import assert from "node:assert/strict";
import { Connection, type FrameHandler, Metrics } from "../../src/internal.ts";
import type { FrameData } from "../../src/codec/frame.ts";
import type { LhttpError } from "../../mod.ts";

function setup(rateLimit?: { framesPerSecond: number; burst: number; closeAfter: number }) {
  const metrics = new Metrics();
  const handled: FrameData[] = [];
  const refused: string[] = [];
  const gates: Array<() => void> = [];
  let async = false;
  const handler: FrameHandler = {
    handle: (_connection, data) => {
      handled.push(data);
      return async ? new Promise<void>((resolve) => gates.push(resolve)) : undefined;
    },
    refuse: (_connection, _data, error: LhttpError) => void refused.push(error.code),
  };
  const connection = new Connection({ send() {}, close() {} }, {
    maxBufferedBytes: 1024,
    slowConsumer: "close",
    metrics,
    reader: {
      handler,
      options: { maxQueuedFrames: 8, maxQueuedBytes: 1 << 20, rateLimit, metrics },
    },
  });
  return { connection, handled, refused, gates, metrics, setAsync: (on: boolean) => async = on };
}

Deno.test("frames handled at once, then an async one: later frames wait their turn", async () => {
  const { connection, handled, gates, metrics, setAsync } = setup();
  connection.receive("1");
  connection.receive("2");
  setAsync(true);
  connection.receive("3");
  setAsync(false);
  connection.receive("4");
  connection.receive("5");
  assert.deepEqual(handled, ["1", "2", "3"]);
  assert.equal(connection.inbox?.busy, true);
  assert.equal(connection.inbox?.queued, 2);
  gates.shift()!();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(handled, ["1", "2", "3", "4", "5"]);
  assert.equal(connection.inbox?.busy, false);
  assert.equal(metrics.framesIn, 5);
});

Deno.test("the rate-limit bucket lasts across frames handled at once", () => {
  const { connection, handled, refused } = setup({ framesPerSecond: 1, burst: 2, closeAfter: 5 });
  for (const frame of ["1", "2", "3", "4"]) connection.receive(frame);
  assert.deepEqual(handled, ["1", "2"]);
  assert.deepEqual(refused, ["rate_limited", "rate_limited"]);
});

Deno.test("a connection without a reader has no inbox and ignores what it reads", () => {
  const connection = new Connection({ send() {}, close() {} }, {
    maxBufferedBytes: 1024,
    slowConsumer: "close",
    metrics: new Metrics(),
  });
  connection.receive("1");
  assert.equal(connection.inbox, undefined);
});

Deno.test("a closed connection reads nothing, kept inbox or not", () => {
  const { connection, handled } = setup();
  connection.receive("1");
  connection.close();
  connection.receive("2");
  assert.deepEqual(handled, ["1"]);
});
