// Access logs: lhttp serve --log-level info writes one line when a connection
// opens and one when it closes, with its reason, duration, frames and bytes.

import assert from "node:assert/strict";
import { LHTTP_MAIN } from "./_lhttp.ts";
import { spawnServe, startServe } from "../harness/serve_child.ts";
import { RUNTIMES } from "../harness/runtimes.ts";
import { Client } from "../harness/cluster.ts";
import { waitFor } from "../harness/nats_server.ts";

Deno.test("lhttp serve --log-level info: an access-log line per connection, open and close, on every runtime", async (t) => {
  for (const { name } of RUNTIMES) await t.step(name, () => accessLogOn(name));
});

async function accessLogOn(runtime: string): Promise<void> {
  const child = await startServe(runtime, ["--log-level", "info"]);
  try {
    const ws = child.url.replace("http", "ws") + "/";
    const client = await Client.open(ws);
    await client.subscribe("room");
    await client.publish("room", "hello");
    await client.waitForCount(1);
    await client.close();
    const closed = () => child.lines().find((line) => line.includes('msg="connection closed"'));
    await waitFor(() => closed() !== undefined, "the access-log close line");
    const opened = child.lines().filter((line) => line.includes('msg="connection opened"'));
    assert.equal(opened.length, 1, child.output());
    assert.match(opened[0], /^time=\S+ level=info msg="connection opened" id=\d+/);
    const line = closed()!;
    const field = (name: string) => line.match(new RegExp(` ${name}=(\\S+)`))?.[1];
    assert.equal(field("reason"), "closed", line);
    assert.equal(field("id"), opened[0].match(/ id=(\d+)/)![1]);
    assert.ok(Number(field("durationMs")) >= 0, line);
    // Two frames in (subscribe, publish); out: two acks and the delivery.
    assert.equal(field("framesIn"), "2", line);
    // Bun too: a channel with one subscriber is sent to directly, not by native topic publish.
    assert.equal(field("framesOut"), "3", line);
    assert.ok(Number(field("bytesIn")) > "hello".length, line);
    assert.ok(Number(field("bytesOut")) > 0, line);
  } finally {
    await child.stop();
  }
  assert.match(child.output(), /msg="connection closed" id=\d+ reason=/);
}

Deno.test("lhttp serve at the default level writes no access log", async () => {
  const child = await spawnServe(Deno.execPath(), [
    "run",
    "-A",
    LHTTP_MAIN,
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
  ]);
  try {
    const client = await Client.open(child.url.replace("http", "ws") + "/");
    await client.subscribe("room");
    await client.close();
  } finally {
    await child.stop();
  }
  assert.doesNotMatch(child.output(), /connection (opened|closed)/);
});
