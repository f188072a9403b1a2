import assert from "node:assert/strict";
import { Connection, Inbox, Metrics } from "../../src/internal.ts";
import type { LhttpError } from "../../mod.ts";

function setup(
  options: {
    maxQueuedFrames?: number;
    rateLimit?: { framesPerSecond: number; burst: number; closeAfter: number };
  } = {},
) {
  const metrics = new Metrics();
  const closes: number[] = [];
  const connection = new Connection({ send() {}, close: (code) => void closes.push(code ?? 0) }, {
    maxBufferedBytes: 1024,
    slowConsumer: "close",
    metrics,
  });
  const handled: unknown[] = [];
  const refused: string[] = [];
  let gate: Promise<void> | undefined;
  const inbox = new Inbox(connection, {
    handle: (_c, data) => {
      handled.push(data);
      return gate;
    },
    refuse: (_c, _data, error: LhttpError) => void refused.push(error.code),
  }, {
    maxQueuedFrames: options.maxQueuedFrames ?? 8,
    maxQueuedBytes: 1 << 20,
    rateLimit: options.rateLimit,
    metrics,
  });
  return { inbox, handled, refused, closes, metrics, setGate: (p?: Promise<void>) => gate = p };
}

Deno.test("frames wait in order while an async handler runs, then drain", async () => {
  const { inbox, handled, setGate } = setup();
  let release!: () => void;
  setGate(new Promise((resolve) => release = resolve));
  inbox.receive("1");
  setGate(undefined);
  inbox.receive("2");
  inbox.receive("3");
  assert.deepEqual(handled, ["1"]);
  assert.equal(inbox.queued, 2);
  assert.equal(inbox.busy, true);
  release();
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(handled, ["1", "2", "3"]);
  assert.equal(inbox.busy, false);
});

Deno.test("a read-ahead past the bound closes with 1008 and drops what waits", () => {
  const { inbox, closes, setGate } = setup({ maxQueuedFrames: 2 });
  setGate(new Promise(() => {}));
  for (let i = 0; i < 4; i++) inbox.receive(String(i));
  assert.deepEqual(closes, [1008]);
  assert.equal(inbox.queued, 0);
});

Deno.test("the rate limit refuses past the burst, then closes after closeAfter refusals", () => {
  const { inbox, handled, refused, closes } = setup({
    rateLimit: { framesPerSecond: 0.001, burst: 2, closeAfter: 2 },
  });
  for (let i = 0; i < 5; i++) inbox.receive(String(i));
  assert.deepEqual(handled, ["0", "1"]);
  assert.deepEqual(refused, ["rate_limited", "rate_limited"]);
  assert.deepEqual(closes, [1008]);
});

Deno.test("a closed connection's inbox takes nothing", () => {
  const { inbox, handled, metrics } = setup();
  inbox.connection.close(1000);
  inbox.receive("late");
  assert.deepEqual(handled, []);
  assert.equal(metrics.framesIn, 0);
});
