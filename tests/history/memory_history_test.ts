// The embedded engine: bounds by count and age, epochs, all-or-nothing reads.

import assert from "node:assert/strict";
import { MemoryHistory } from "../../src/history/memory_history.ts";
import { FrameRing } from "../../src/history/frame_ring.ts";

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

Deno.test("stored as bytes: every frame comes back identical through wraps, growth and expiry", () => {
  // A model check: the ring against a plain array, with frames of mixed sizes,
  // text (ASCII and not) and bytes, so that the byte log wraps, grows and empties.
  const runs = [1, 2, 3, 7, 50].flatMap((size) => [{ size, spread: 3 }, { size, spread: 1 }]);
  for (const { size, spread } of runs) {
    const ring = new FrameRing(size);
    const model: { data: string | Uint8Array; at: number }[] = [];
    let seed = size;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      // Mostly small with a long tail (spread 3), or even in 0..400 (spread 1).
      const length = Math.floor(random() ** spread * (spread === 1 ? 400 : 3000));
      const kind = random();
      const data = kind < 0.4
        ? Uint8Array.from({ length }, (_, j) => (i + j) % 256)
        : kind < 0.55
        ? `é${"ü€😀".repeat(length % 40)}#${i}`
        : `LHTTP/1.0 chat\r\npublish:r\r\noffset:${i}\r\n\r\n${"x".repeat(length)}`;
      ring.push(data, i);
      model.push({ data, at: i });
      if (model.length > size) model.shift();
      if (random() < 0.01) {
        // Age out a few, or all of them (the ring then gives its memory back).
        const oldest = random() < 0.3 ? i + 1 : model[Math.floor(model.length / 2)].at;
        const dropped = ring.dropOlderThan(oldest);
        const before = model.length;
        while (model.length && model[0].at < oldest) model.shift();
        assert.equal(dropped, before - model.length);
        if (model.length === 0) assert.equal(ring.capacity, 0, "an empty ring holds no bytes");
      }
      assert.equal(ring.count, model.length);
      for (let j = 0; j < model.length; j++) assert.deepEqual(ring.frame(j), model[j].data);
    }
  }
});

Deno.test("the ring's bytes stay near what it keeps: a big frame that left is not kept twice", () => {
  const ring = new FrameRing(4);
  for (let i = 0; i < 1000; i++) ring.push(`frame ${i} ${"y".repeat(100)}`, i);
  assert.ok(ring.capacity < 4 * 3 * 120 * 4, `capacity ${ring.capacity} for 4 frames of ~110 B`);
  // Wrapping only where the whole frame fits before the oldest one.
  const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);
  const two = new FrameRing(2);
  two.push(bytes(40, 1), 0); // bytes 0..40 of 256
  two.push(bytes(150, 2), 0); // 40..190
  two.push(bytes(70, 3), 0); // the first leaves; 66 free at the end, 40 at the start: neither
  assert.deepEqual([two.frame(0), two.frame(1)], [bytes(150, 2), bytes(70, 3)]);
  two.push(bytes(60, 4), 0);
  assert.deepEqual([two.frame(0), two.frame(1)], [bytes(70, 3), bytes(60, 4)]);
  const copy = new Uint8Array([1, 2, 3]);
  ring.push(copy, 1000);
  copy[0] = 9;
  assert.deepEqual(ring.frame(3), new Uint8Array([1, 2, 3]), "bytes are copied in");
  const out = ring.frame(3) as Uint8Array;
  out[1] = 9;
  assert.deepEqual(ring.frame(3), new Uint8Array([1, 2, 3]), "and copied out");
});
