// SharedReads: concurrent walks of one subject read each key once; the end of
// a channel (null) and failures are read again; other subjects are separate.

import assert from "node:assert/strict";
import { SharedReads } from "../../src/jetstream/shared_reads.ts";

Deno.test("shared reads: concurrent walks read each step once, per subject", async () => {
  const shared = new SharedReads<number>();
  const loads: string[] = [];
  const load = (subject: string, key: string) => () => {
    loads.push(`${subject}/${key}`);
    return new Promise<number>((resolve) => setTimeout(() => resolve(Number(key)), 5));
  };
  const walk = (subject: string) =>
    shared.walk(subject, async () => {
      const got: number[] = [];
      for (const key of ["1", "2", "3"]) {
        got.push((await shared.read(subject, key, load(subject, key)))!);
      }
      return got;
    });
  const results = await Promise.all([walk("a"), walk("a"), walk("a"), walk("b")]);
  assert.deepEqual(results, [[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]);
  assert.deepEqual(loads.sort(), ["a/1", "a/2", "a/3", "b/1", "b/2", "b/3"]);
});

Deno.test("shared reads: the end of a channel and a failure are not kept", async () => {
  const shared = new SharedReads<number>();
  let calls = 0;
  await shared.walk("s", async () => {
    assert.equal(await shared.read("s", "end", () => (calls++, Promise.resolve(null))), null);
    assert.equal(await shared.read("s", "end", () => (calls++, Promise.resolve(7))), 7);
    await assert.rejects(shared.read("s", "bad", () => (calls++, Promise.reject(new Error("x")))));
    assert.equal(await shared.read("s", "bad", () => (calls++, Promise.resolve(8))), 8);
  });
  assert.equal(calls, 4);
});
