// Properties of wildcard matching: the trie agrees with a plain reading of
// NATS token semantics, and so does NATS itself on the mapped subjects, so
// that a node and the cluster never disagree about what a pattern matches.

import assert from "node:assert/strict";
import fc from "fast-check";
import { PatternTrie } from "../../src/internal.ts";
import { channelToSubject } from "../../src/nats/mod.ts";

// NATS semantics, read plainly: `*` one token, a last `>` one or more.
function natsMatches(pattern: string[], subject: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === ">") return i === pattern.length - 1 && subject.length > i;
    if (i >= subject.length) return false;
    if (pattern[i] !== "*" && pattern[i] !== subject[i]) return false;
  }
  return pattern.length === subject.length;
}

const token = fc.constantFrom("", "a", "b", "A", "~", "~7E", "x-y");
const channel = fc.array(token, { minLength: 1, maxLength: 5 }).map((t) => t.join("."))
  .filter((name) => name.length > 0);
const pattern = fc.tuple(
  fc.array(fc.oneof(token, fc.constant("*")), { minLength: 0, maxLength: 4 }),
  fc.boolean(),
).map(([tokens, rest]) => [...tokens, ...(rest || tokens.length === 0 ? [">"] : [])].join("."))
  .filter((p) => p.includes("*") || p.includes(">"));

Deno.test("wildcard property: the trie matches exactly what NATS semantics say", () => {
  fc.assert(
    fc.property(fc.uniqueArray(pattern, { maxLength: 12 }), channel, (patterns, name) => {
      const trie = new PatternTrie<string>();
      for (const p of patterns) trie.add(p, p);
      const got: string[] = [];
      trie.match(name, (subscribers) => got.push(...subscribers));
      const expected = patterns.filter((p) => natsMatches(p.split("."), name.split(".")));
      assert.deepEqual(got.sort(), expected.sort());
    }),
    { numRuns: 2000 },
  );
});

Deno.test("wildcard property: NATS on the mapped subjects agrees with the local match", () => {
  fc.assert(
    fc.property(pattern, channel, (p, name) => {
      const local = natsMatches(p.split("."), name.split("."));
      const remote = natsMatches(channelToSubject(p).split("."), channelToSubject(name).split("."));
      assert.equal(remote, local, `${p} vs ${name}`);
    }),
    { numRuns: 5000 },
  );
});

Deno.test("wildcard property: removing every pattern leaves an empty trie that matches nothing", () => {
  fc.assert(fc.property(fc.uniqueArray(pattern, { maxLength: 12 }), channel, (patterns, name) => {
    const trie = new PatternTrie<number>();
    patterns.forEach((p, i) => trie.add(p, i));
    patterns.forEach((p, i) => assert.ok(trie.remove(p, i)));
    assert.equal(trie.size, 0);
    let called = false;
    trie.match(name, () => called = true);
    assert.equal(called, false);
  }));
});
