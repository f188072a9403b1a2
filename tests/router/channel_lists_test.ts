import assert from "node:assert/strict";
import { DEFAULT_LIMITS } from "../../mod.ts";
import { ChannelLists } from "../../src/router/_channel_lists.ts";

Deno.test("ChannelLists: a publish list is parsed once per text, and cannot be changed", () => {
  const lists = new ChannelLists(DEFAULT_LIMITS);
  const first = lists.parse("a b a", false);
  assert.deepEqual(first, ["a", "b"]);
  assert.equal(lists.parse("a b a", false), first);
  assert.ok(Object.isFrozen(first));
});

Deno.test("ChannelLists: subscribe lists and refused lists are not remembered", () => {
  const lists = new ChannelLists(DEFAULT_LIMITS);
  const subscribe = lists.parse("a.* b", true);
  assert.deepEqual(subscribe, ["a.*", "b"]);
  assert.notEqual(lists.parse("a.* b", true), subscribe);
  for (let i = 0; i < 2; i++) {
    assert.throws(() => lists.parse("a.*", false), { code: "bad_channel" });
  }
  assert.throws(() => lists.parse("two  bad!", false), { code: "bad_channel" });
});

Deno.test("ChannelLists: memory is bounded: past the cap it starts again", () => {
  const lists = new ChannelLists(DEFAULT_LIMITS);
  const first = lists.parse("c-0", false);
  for (let i = 1; i <= 1024; i++) lists.parse(`c-${i}`, false);
  // The 1025th distinct list dropped the first ones: parsed again, a new array.
  assert.notEqual(lists.parse("c-0", false), first);
  assert.deepEqual(lists.parse("c-0", false), ["c-0"]);
});
