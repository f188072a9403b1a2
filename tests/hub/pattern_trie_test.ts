// The wildcard trie: NATS token semantics, and the hub's delivery through it.

import assert from "node:assert/strict";
import { Hub, PatternTrie } from "../../src/internal.ts";

const matches = <S>(trie: PatternTrie<S>, channel: string) => {
  const got: S[] = [];
  trie.match(channel, (subscribers) => got.push(...subscribers));
  return got.sort();
};

Deno.test("trie: * is one token, > one or more, literal tokens exact, case-sensitive", () => {
  const trie = new PatternTrie<string>();
  for (const pattern of ["a.*", "a.>", "*.b", "a.*.c", ">", "A.*", "a..*"]) {
    trie.add(pattern, pattern);
  }
  assert.deepEqual(matches(trie, "a"), [">"]);
  assert.deepEqual(matches(trie, "a.b"), ["*.b", ">", "a.*", "a.>"]);
  assert.deepEqual(matches(trie, "a.x.c"), [">", "a.*.c", "a.>"]);
  assert.deepEqual(matches(trie, "a.x.c.d"), [">", "a.>"]);
  assert.deepEqual(matches(trie, "A.b"), ["*.b", ">", "A.*"]);
  assert.deepEqual(matches(trie, "a..b"), [">", "a..*", "a.>"]);
  assert.deepEqual(matches(trie, "a."), [">", "a.*", "a.>"], "an empty token is a token");
  assert.deepEqual(matches(trie, "ab"), [">"]);
});

Deno.test("trie: user-limited channels (#) are never matched", () => {
  const trie = new PatternTrie<string>();
  trie.add(">", "all");
  trie.add("user.*", "users");
  assert.deepEqual(matches(trie, "user.inbox#alice"), []);
  assert.deepEqual(matches(trie, "user.inbox"), ["all", "users"]);
});

Deno.test("trie: add and remove count once; emptied patterns leave no nodes behind", () => {
  const trie = new PatternTrie<string>();
  assert.equal(trie.add("a.*.c", "x"), true);
  assert.equal(trie.add("a.*.c", "x"), false);
  trie.add("a.*.c", "y");
  trie.add("a.>", "z");
  assert.equal(trie.size, 2);
  assert.equal(trie.remove("a.*.c", "x"), true);
  assert.equal(trie.remove("a.*.c", "x"), false);
  assert.deepEqual(matches(trie, "a.b.c"), ["y", "z"]);
  trie.remove("a.*.c", "y");
  trie.remove("a.>", "z");
  assert.equal(trie.size, 0);
  trie.add("a.*.c", "again");
  assert.deepEqual(matches(trie, "a.b.c"), ["again"]);
});

Deno.test("trie: 10 000 unrelated patterns do not change what matches", () => {
  const trie = new PatternTrie<number>();
  for (let i = 0; i < 10_000; i++) trie.add(`other${i}.*.x`, i);
  trie.add("sensors.*", -1);
  assert.deepEqual(matches(trie, "sensors.t"), [-1]);
  assert.deepEqual(matches(trie, "other7.a.x"), [7]);
  assert.deepEqual(matches(trie, "other7.a.y"), []);
});

Deno.test("hub: one copy per subscriber across exact and wildcard subscriptions", () => {
  const hub = new Hub();
  const inbox = (name: string) => {
    const got: unknown[] = [];
    return { name, got, channels: new Set<string>(), deliver: (data: unknown) => got.push(data) };
  };
  const [a, b, c] = [inbox("a"), inbox("b"), inbox("c")];
  hub.subscribe(a, "sensors.t");
  hub.subscribe(a, "sensors.*");
  hub.subscribe(b, "sensors.*");
  hub.subscribe(b, "sensors.>");
  hub.subscribe(c, "other.*");
  assert.equal(hub.channelCount, 4);
  assert.equal(hub.subscriberCount("sensors.*"), 2);
  assert.equal(hub.broadcast("sensors.t", "frame"), 2);
  assert.deepEqual([a.got, b.got, c.got], [["frame"], ["frame"], []]);
  hub.unsubscribeAll(b);
  assert.equal(hub.broadcast("sensors.t", "two"), 1);
  assert.equal(hub.subscriptionCount, 3);
});

Deno.test("hub: pattern subscribers go through a set-based fan-out, one by one past a topic-based one", () => {
  const make = (name: string) => ({
    name,
    got: 0,
    channels: new Set<string>(),
    deliver() {
      this.got++;
    },
  });
  type Sub = ReturnType<typeof make>;
  const sets: string[][] = [];
  const setBased = {
    fanOut: (_c: string, _d: unknown, subs: ReadonlySet<Sub>) => {
      sets.push([...subs].map((s) => s.name));
      for (const s of subs) s.deliver();
    },
  };
  const hub = new Hub<Sub>({ fanout: setBased });
  const [a, b] = [make("a"), make("b")];
  hub.subscribe(a, "t.x");
  hub.subscribe(a, "t.*");
  hub.subscribe(b, "t.*");
  assert.equal(hub.deliver("t.x", "d"), 2);
  assert.deepEqual(sets, [["a"], ["b"]], "exact first, then the pattern's set without a");
  const topics: string[] = [];
  const topicBased = {
    subscribe: (_s: Sub, channel: string) => void topics.push(channel),
    fanOut: (_c: string, _d: unknown, subs: ReadonlySet<Sub>) => {
      for (const s of subs) s.deliver();
    },
  };
  const native = new Hub<Sub>({ fanout: topicBased });
  const c = make("c");
  native.subscribe(c, "t.*");
  assert.deepEqual(topics, ["t.*"], "the hook hears of patterns too");
  assert.equal(native.deliver("t.y", "d"), 1);
  assert.equal(c.got, 1);
});
