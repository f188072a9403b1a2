// The client's wildcard subscriptions against a real lhttp server (Deno, in
// process): a pattern's handler gets the channels it matches and no others,
// next to an exact subscription on one of them; a bad pattern throws
// `bad_channel` before anything is sent; unsubscribing the pattern stops it.

import assert from "node:assert/strict";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { serveDeno } from "../../src/adapters/deno.ts";
import { type Frame, LhttpClient } from "../../src/client/mod.ts";
import { within } from "./_guard.ts";

Deno.test("client wildcard subscribe: sensors.* and sensors.> get the channels they match", async () => {
  const running = serveDeno(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
  const url = `ws://127.0.0.1:${running.port}/`;
  const reader = new LhttpClient(url);
  const writer = new LhttpClient(url);
  try {
    const seen = { one: [] as string[], any: [] as string[], exact: [] as string[] };
    const label = (frame: Frame) => `${frame.headers.get("publish")}=${frame.body}`;
    const one = reader.subscribe("sensors.*", (frame) => void seen.one.push(label(frame)));
    const any = reader.subscribe("sensors.>", (frame) => void seen.any.push(label(frame)));
    const exact = reader.subscribe("sensors.attic", (frame) => void seen.exact.push(label(frame)));
    await within(Promise.all([one.ready, any.ready, exact.ready]), "subscriptions");
    assert.throws(() => reader.subscribe("sens*"), { code: "bad_channel" });
    assert.throws(() => reader.subscribe("a.>.b"), { code: "bad_channel" });

    for (const channel of ["sensors.attic", "sensors.attic.temp", "sensors", "other.attic"]) {
      await writer.publish(channel, "1");
    }
    await writer.publish("sensors.cellar", "end");
    await within(
      (async () => {
        while (!seen.any.includes("sensors.cellar=end")) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })(),
      "the last frame",
    );
    assert.deepEqual(seen.one, ["sensors.attic=1", "sensors.cellar=end"]);
    assert.deepEqual(seen.any, ["sensors.attic=1", "sensors.attic.temp=1", "sensors.cellar=end"]);
    assert.deepEqual(seen.exact, ["sensors.attic=1"]);

    await one();
    await writer.publish("sensors.cellar", "after");
    await exact();
    await writer.publish("sensors.attic", "last");
    await within(
      (async () => {
        while (!seen.any.includes("sensors.attic=last")) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })(),
      "the frames after unsubscribing",
    );
    assert.deepEqual(seen.one, ["sensors.attic=1", "sensors.cellar=end"], "unsubscribed");
    assert.deepEqual(seen.exact, ["sensors.attic=1"], "unsubscribed");
    assert.deepEqual(reader.channels, ["sensors.>"]);
  } finally {
    await reader.close();
    await writer.close();
    await running.shutdown();
  }
});
