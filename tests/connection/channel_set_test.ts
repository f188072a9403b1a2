import assert from "node:assert/strict";
import { ChannelSet } from "../../src/connection/channel_set.ts";

Deno.test("ChannelSet behaves as a Set through one, many and none", () => {
  const channels = new ChannelSet();
  assert.equal(channels.size, 0);
  assert.deepEqual([...channels], []);
  assert.equal(channels.delete("a"), false);
  channels.add("a").add("a");
  assert.equal(channels.size, 1);
  assert.ok(channels.has("a") && !channels.has("b"));
  assert.deepEqual([...channels.entries()], [["a", "a"]]);
  channels.add("b").add("c");
  assert.deepEqual([...channels], ["a", "b", "c"]);
  assert.equal(channels.delete("b"), true);
  assert.equal(channels.delete("b"), false);
  const seen: string[] = [];
  channels.forEach((channel, same, set) => {
    assert.equal(channel, same);
    assert.equal(set, channels);
    seen.push(channel);
  });
  assert.deepEqual(seen, ["a", "c"]);
  assert.deepEqual([...channels.union(new Set(["d"]))], ["a", "c", "d"]);
  assert.ok(channels.isSubsetOf(new Set(["a", "c", "x"])));
  channels.delete("a");
  channels.delete("c");
  assert.equal(channels.size, 0);
  assert.ok(!channels.has("a"));
});

Deno.test("a lone channel deleted leaves an empty set that takes a new one", () => {
  const channels = new ChannelSet().add("x");
  assert.equal(channels.delete("y"), false);
  assert.equal(channels.delete("x"), true);
  assert.deepEqual([...channels.keys()], []);
  channels.add("y");
  assert.deepEqual([...channels.values()], ["y"]);
});
