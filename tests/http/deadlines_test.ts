// Deadlines share one timer: expiry order, cancelling, the kept timer after
// an idle spell. Every wait is for a callback, never a fixed delay.

import assert from "node:assert/strict";
import { Deadlines } from "../../src/http/_deadlines.ts";

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("Deadlines: each live deadline expires once, in start order; cancelled ones never", async () => {
  const deadlines = new Deadlines(20);
  const expired: number[] = [];
  let last!: () => void;
  const done = new Promise<void>((resolve) => last = resolve);
  const started = Array.from(
    { length: 5 },
    (_, i) => deadlines.start(() => (expired.push(i), i === 4 && last())),
  );
  started[1].cancel();
  started[3].cancel();
  started[3].cancel(); // idempotent
  assert.equal(deadlines.pending, 3);
  await done;
  await turn();
  assert.deepEqual(expired, [0, 2, 4]);
  assert.equal(deadlines.pending, 0);
  started[0].cancel(); // after expiry: nothing
  assert.equal(deadlines.pending, 0);
});

Deno.test("Deadlines: started after an idle spell, a deadline still expires (the kept timer re-arms)", async () => {
  const deadlines = new Deadlines(30);
  deadlines.start(() => {}).cancel(); // the timer is kept, unreferenced
  await new Promise((resolve) => setTimeout(resolve, 10));
  const late = await new Promise<string>((resolve) => deadlines.start(() => resolve("expired")));
  assert.equal(late, "expired");
});

Deno.test("Deadlines: many settled in order keep the queue short; one pending among them still expires", async () => {
  const deadlines = new Deadlines(20);
  let cancelledRan = false;
  const kept = new Promise<void>((resolve) => deadlines.start(resolve));
  for (let i = 0; i < 5000; i++) deadlines.start(() => cancelledRan = true).cancel();
  assert.equal(deadlines.pending, 1);
  await kept;
  await turn();
  assert.equal(cancelledRan, false);
  assert.equal(deadlines.pending, 0);
});

Deno.test("Deadlines: a callback that throws does not stop the others", async () => {
  const deadlines = new Deadlines(10);
  deadlines.start(() => {
    throw new Error("boom");
  });
  await new Promise<void>((resolve) => deadlines.start(resolve));
  assert.equal(deadlines.pending, 0);
});
