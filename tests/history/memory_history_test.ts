// The embedded engine: bounds by count and age, epochs, all-or-nothing reads.

import assert from "node:assert/strict";
import { MemoryHistory } from "../../src/history/memory_history.ts";

function engine(size = 3, ttlMs = 100) {
  const clock = { now: 0 };
  const history = new MemoryHistory({
    rules: [{ prefix: "", size: 1000, ttlMs: 1e9 }, { prefix: "chat.", size, ttlMs }],
    recoveryLimit: 10,
    now: () => clock.now,
  });
  const publish = (channel: string, body: string) => {
    const position = history.next(channel)!;
    history.append(channel, position, body);
    return position;
  };
  return { history, clock, publish };
}

Deno.test("offsets grow by 1 per channel; the longest prefix wins", () => {
  const { history, publish } = engine();
  assert.deepEqual([publish("chat.a", "1").offset, publish("chat.a", "2").offset], [1, 2]);
  assert.equal(publish("chat.b", "x").offset, 1, "each channel counts on its own");
  assert.equal(history.rule("chat.a")!.size, 3);
  assert.equal(history.rule("news")!.size, 1000);
  assert.notEqual(history.top("chat.a")!.epoch, history.top("chat.b")!.epoch);
});

Deno.test("bounded by count: older publications leave, recovery past them is refused", () => {
  const { history, publish } = engine(3);
  for (let i = 1; i <= 10; i++) publish("chat.a", `m${i}`);
  const { epoch } = history.top("chat.a")!;
  assert.deepEqual(history.last("chat.a", 99).map((p) => p.offset), [8, 9, 10]);
  assert.equal(history.since("chat.a", { offset: 6, epoch })!.publications, undefined);
  assert.deepEqual(
    history.since("chat.a", { offset: 7, epoch })!.publications!.map((p) => p.data),
    [
      "m8",
      "m9",
      "m10",
    ],
  );
});

Deno.test("bounded by age; an idle channel is forgotten and its next life has a new epoch", () => {
  const { history, clock, publish } = engine(3, 100);
  publish("chat.a", "old");
  const first = history.top("chat.a")!;
  clock.now = 50;
  publish("chat.a", "new");
  clock.now = 120;
  assert.deepEqual(history.last("chat.a", 9).map((p) => p.data), ["new"], "the old one aged out");
  assert.equal(history.since("chat.a", { offset: 0, epoch: first.epoch })!.publications, undefined);
  assert.deepEqual(
    history.since("chat.a", { offset: 1, epoch: first.epoch })!.publications!.length,
    1,
  );
  clock.now = 400;
  const later = history.top("chat.a")!;
  assert.notEqual(later.epoch, first.epoch, "history lost: new epoch");
  assert.equal(later.offset, 0);
  assert.equal(history.since("chat.a", { offset: 2, epoch: first.epoch })!.publications, undefined);
});

Deno.test("idle channels are swept by appends elsewhere: memory stays bounded", () => {
  const { history, clock, publish } = engine(3, 100);
  for (let i = 0; i < 100; i++) publish(`chat.${i}`, "x");
  assert.equal(history.channelCount, 100);
  clock.now = 1000;
  for (let i = 0; i < 300; i++) publish("other", "y");
  assert.equal(history.channelCount, 1, "only the live channel is left");
  assert.equal(history.last("other", 5000).length, 300);
});

Deno.test("the recovery limit bounds a recovery; a stale position is ignored on append", () => {
  const { history, publish } = engine(100, 1e9);
  for (let i = 0; i < 20; i++) publish("chat.a", "x");
  const { epoch } = history.top("chat.a")!;
  assert.equal(history.since("chat.a", { offset: 9, epoch })!.publications, undefined, "11 > 10");
  assert.equal(history.since("chat.a", { offset: 10, epoch })!.publications!.length, 10);
  history.append("chat.a", { offset: 5, epoch }, "stale");
  assert.equal(history.top("chat.a")!.offset, 20);
  assert.throws(
    () => new MemoryHistory({ rules: [{ prefix: "", size: 1, ttlMs: 0 }] }),
    RangeError,
  );
  assert.throws(() => new MemoryHistory({ rules: [], recoveryLimit: 0 }), RangeError);
});

Deno.test("rules with a bus are refused at construction: one node's numbering only", async () => {
  const { LhttpServer } = await import("../../src/server/lhttp_server.ts");
  const { MemoryBroker } = await import("../../src/hub/bus.ts");
  const bus = new MemoryBroker().connect();
  assert.throws(
    () => new LhttpServer({ bus, history: [{ prefix: "", size: 1, ttlMs: 1 }] }),
    { name: "HistoryConfigError", code: "history_needs_cluster_engine" },
  );
  assert.equal(new LhttpServer({ history: [] }).history, undefined);
});
