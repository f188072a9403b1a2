// The client against a stand-in for the original Go lhttp server, which never
// acknowledges and forwards a publisher's ack header to every subscriber.

import assert from "node:assert/strict";
import { type ClientError, type Frame, LhttpClient } from "../../src/client/mod.ts";
import { ManualClock } from "./_fake_ws.ts";
import { within } from "./_guard.ts";
import { originalServer } from "./_stand_ins.ts";

function next(client: LhttpClient, command: string): Promise<Frame> {
  return new Promise((resolve) => {
    const off = client.on("frame", (frame) => frame.command === command && (off(), resolve(frame)));
  });
}

Deno.test("original server: forwarded ack headers are deliveries; no acks switches to fire-and-forget once", async () => {
  const server = originalServer();
  const aliceClock = new ManualClock();
  const bobClock = new ManualClock();
  const alice = new LhttpClient(server.url, { clock: aliceClock });
  const bob = new LhttpClient(server.url, { clock: bobClock });
  const warnings: ClientError[] = [];
  alice.on("warning", (warning) => warnings.push(warning));
  const printed: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void printed.push(args.join(" "));
  try {
    const aliceSub = alice.subscribe("room"); // ack 1
    const bobSub = bob.subscribe("room"); // ack 1
    const bobPing = bob.send({ command: "ping" }, { ack: true }); // ack 2
    await within(server.subscriptions(2), "both subscriptions");
    const atBob = next(bob, "chat");
    const atAlice = next(alice, "chat");
    const published = alice.publish("room", "hello", { command: "chat" }); // ack 2
    const [toBob, toAlice] = await within(Promise.all([atBob, atAlice]), "deliveries");
    // The original forwards "ack:2" with the publication: to bob, whose ping
    // is ack 2, and back to alice, whose publish is ack 2. Neither is an answer.
    assert.equal(toBob.headers.get("ack"), "2");
    assert.equal(toBob.body, "hello");
    assert.equal(toAlice.body, "hello", "self-delivery is not swallowed as an acknowledgement");
    assert.equal(alice.queued, 0);

    // The first timeout passes without any acknowledgement ever.
    assert.ok(aliceClock.fire());
    await within(Promise.all([aliceSub.ready, published]), "alice's frames resolve");
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].code, "no_acks");
    assert.equal(aliceClock.timers.size, 0, "every waiting acknowledgement was settled");
    // From now on alice asks for nothing and resolves once written.
    await alice.publish("room", "fire and forget", { command: "chat" });
    await alice.subscribe("news").ready;
    await within(server.subscriptions(3), "the news subscription");
    const later = server.received.filter((text) => /fire and forget|subscribe:news/.test(text));
    assert.equal(later.length, 2);
    assert.ok(later.every((text) => !text.includes("ack:")), "no ack header asked");
    assert.equal(warnings.length, 1, "warned once");

    assert.ok(bobClock.fire());
    await within(Promise.all([bobSub.ready, bobPing]), "bob's frames resolve");
    assert.equal(printed.length, 1, "no warning listener: printed once with console.warn");
    assert.match(printed[0], /no acknowledgement/);
  } finally {
    console.warn = warn;
    await Promise.all([alice.close(), bob.close()]);
    await server.shutdown();
  }
});

Deno.test("original server: acks: true keeps rejecting with ack_timeout", async () => {
  const server = originalServer();
  const clock = new ManualClock();
  const client = new LhttpClient(server.url, { clock, acks: true });
  try {
    const sub = client.subscribe("room");
    await within(server.subscriptions(1), "the subscription");
    assert.ok(clock.fire());
    await assert.rejects(sub.ready, { code: "ack_timeout" });
  } finally {
    await client.close();
    await server.shutdown();
  }
});
