// Anyone who can publish on NATS can publish on `lhttp.<channel>`: payloads
// that are not envelopes of valid LHTTP frames (garbage, invalid UTF-8, an
// empty frame, stray chunks) must never reach a WebSocket client. Real
// nats-server, real lhttp nodes, a raw NATS connection sending the garbage.

import assert from "node:assert/strict";
import { Client, startDenoNode } from "./harness/cluster.ts";
import { type CliNode, startCliNode } from "./harness/cli_node.ts";
import { skipNats, startNatsServer, waitFor } from "./harness/nats_server.ts";
import { connectNats, encodeEnvelopes } from "../src/nats/mod.ts";

const text = (value: string) => new TextEncoder().encode(value);
const peer = new Uint8Array(8).fill(0x5a);
const envelope = (kind: string, ...parts: (string | number[] | Uint8Array)[]) => {
  const bytes = parts.map((part) => typeof part === "string" ? text(part) : Uint8Array.from(part));
  const out = new Uint8Array(9 + bytes.reduce((sum, part) => sum + part.length, 0));
  out[0] = kind.charCodeAt(0);
  out.set(peer, 1);
  let at = 9;
  for (const part of bytes) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const FRAME = "LHTTP/1.0 chat\r\npublish:a\r\n\r\n";

/** Payloads none of which may reach a client. */
const GARBAGE: Record<string, Uint8Array> = {
  "plain garbage": text("garbage, not an lhttp envelope"),
  "empty payload": new Uint8Array(0),
  "shorter than an envelope": text("T1234"),
  "empty text frame": envelope("T"),
  "empty binary frame": envelope("B"),
  "invalid UTF-8 text": envelope("T", [0xff, 0xfe, 0x80]),
  "valid head, invalid UTF-8 body": envelope("T", FRAME, [0xc3, 0x28]),
  "text that is not a frame": envelope("T", "hello, not a frame"),
  "bytes that are not a frame": envelope("B", [0, 1, 2], " garbage"),
  "a header line without a colon": envelope("B", "LHTTP/1.0 chat\r\nno colon\r\n\r\nx"),
  "wrong protocol version": envelope("T", "LHTTP/2.0 chat\r\n\r\nx"),
  "unknown kind byte": envelope("X", FRAME, "x"),
  "a chunk that starts mid-frame": envelope("t", u32(1), u32(5), u32(10), "abcde"),
  "a chunk header cut short": envelope("t", u32(1), u32(0)),
  "a chunked frame of length 0": envelope("b", u32(2), u32(0), u32(0), "x"),
};

async function sendGarbage(servers: string, subject: string, valid: string): Promise<void> {
  const nc = await connectNats({ servers });
  try {
    for (const payload of Object.values(GARBAGE)) nc.publish(subject, payload);
    // Last, on the same connection: NATS keeps one publisher's order, so once it
    // arrives every payload before it has been handled.
    for (const payload of encodeEnvelopes(peer, FRAME + valid, 1 << 20, 1)) {
      nc.publish(subject, payload);
    }
    await nc.flush();
  } finally {
    await nc.close();
  }
}

Deno.test({
  name: "nats payloads: garbage on a channel's subject is dropped and counted, never delivered",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const node = startDenoNode({ servers: nats.url, subjectPrefix: "v1" });
    const clients: Client[] = [];
    try {
      await waitFor(() => node.bus.state === "connected", "bus");
      const client = await Client.open(node.url);
      clients.push(client);
      await client.subscribe("a");
      await waitFor(async () => (await nats.subscriptions()).includes("v1.a"), "subject");

      await sendGarbage(nats.url, "v1.a", "valid");
      await client.waitForCount(1);
      assert.deepEqual(client.texts(), ["valid"]);
      assert.equal(client.received[0].headers.get("publish"), "a");
      assert.equal(node.bus.stats.invalid, Object.keys(GARBAGE).length);
      assert.equal(node.bus.stats.received, 1);
      // Logged, but not once per payload.
      const lines = node.logs.filter((line) => line.includes("not an lhttp frame"));
      assert.equal(lines.length, 1);

      // The channel still works for real frames from another node.
      const other = startDenoNode({ servers: nats.url, subjectPrefix: "v1" });
      try {
        await waitFor(() => other.bus.state === "connected", "second bus");
        other.server.publish("a", { command: "chat", body: "from a node" });
        await client.waitForCount(2);
        assert.deepEqual(client.texts(), ["valid", "from a node"]);
      } finally {
        await other.stop();
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await node.stop();
      await nats.stop();
    }
  },
});

Deno.test({
  name: "nats payloads: lhttp serve --nats on Deno, Bun and Node delivers none of the garbage",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer({ websocket: true });
    const nodes: CliNode[] = [];
    const clients: Client[] = [];
    try {
      const common = ["--nats-prefix", "v2"];
      nodes.push(
        ...await Promise.all([
          startCliNode("deno", ["--nats", nats.url, ...common]),
          startCliNode("bun", ["--nats", nats.url, ...common]),
          startCliNode("node20", ["--nats", nats.wsUrl!, ...common]),
        ]),
      );
      clients.push(...await Promise.all(nodes.map((node) => Client.open(node.url))));
      await Promise.all(clients.map((client) => client.subscribe("a")));
      await waitFor(
        async () => (await nats.subscriptions()).filter((s) => s === "v2.a").length === 3,
        "three NATS subscriptions",
      );
      await sendGarbage(nats.url, "v2.a", "valid");
      for (const [i, client] of clients.entries()) {
        await client.waitForCount(1);
        assert.deepEqual(client.texts(), ["valid"], `on ${nodes[i].runtime}`);
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(nodes.map((node) => node.stop()));
      await nats.stop();
    }
  },
});
