// TabOrder: what one tab of a SharedLhttpClient delivers per channel when
// the hub changes: duplicates dropped, gaps filled from history in order,
// and a gap history cannot fill skipped instead of asked for again.

import assert from "node:assert/strict";
import { createFrame, type Frame } from "../../src/codec/frame.ts";
import { TabOrder } from "../../src/client/_shared_order.ts";
import type { WirePosition } from "../../src/client/_shared_protocol.ts";

const at = (offset: number, epoch = "e", prev?: number) =>
  createFrame({
    command: "m",
    headers: {
      publish: "c",
      offset: String(offset),
      epoch,
      ...(prev === undefined ? {} : { prev: String(prev) }),
    },
    body: String(offset),
  });

function order(fill: (since: WirePosition) => Promise<Frame[]>) {
  const got: string[] = [];
  const asked: WirePosition[] = [];
  const tabOrder = new TabOrder(
    (_, frame) => got.push(String(frame.body)),
    (_, since) => (asked.push(since), fill(since)),
  );
  return { got, asked, tabOrder };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("a channel's top above the held offset fetches the rest; frames meanwhile wait, duplicates drop", async () => {
  let release!: (frames: Frame[]) => void;
  const { got, asked, tabOrder } = order(() => new Promise((resolve) => (release = resolve)));
  tabOrder.frame("c", at(1));
  tabOrder.position("c", 3, "e");
  tabOrder.frame("c", at(3)); // live, while the fill runs
  tabOrder.frame("c", at(4));
  assert.deepEqual(got, ["1"]);
  release([at(2), at(3)]);
  await settle();
  assert.deepEqual(got, ["1", "2", "3", "4"]);
  assert.deepEqual(asked, [{ offset: 1, epoch: "e" }]);
  assert.deepEqual(tabOrder.get("c"), { offset: 4, epoch: "e" });
});

Deno.test("a failed fill (history gone) delivers what waited and does not ask again", async () => {
  const { got, asked, tabOrder } = order(() => Promise.reject(new Error("position_expired")));
  tabOrder.frame("c", at(1));
  tabOrder.frame("c", at(5));
  tabOrder.frame("c", at(6));
  await settle();
  assert.deepEqual(got, ["1", "5", "6"]);
  assert.equal(asked.length, 1);
});

Deno.test("another epoch starts afresh; frames without an offset pass; prev links non-consecutive offsets", async () => {
  const { got, asked, tabOrder } = order(() => Promise.resolve([]));
  tabOrder.frame("c", at(7));
  tabOrder.frame("c", at(2, "f"));
  tabOrder.frame("c", createFrame({ command: "m", headers: { publish: "c" }, body: "plain" }));
  tabOrder.frame("c", at(10, "f", 2));
  tabOrder.position("c", 10, "f");
  await settle();
  assert.deepEqual(got, ["7", "2", "plain", "10"]);
  assert.deepEqual(asked, [], "nothing was missing");
  tabOrder.position("c");
  assert.equal(tabOrder.get("c"), undefined, "no history: nothing held");
});
