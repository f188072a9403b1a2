// `lhttp serve --nats` wires the SSE relay: a POST for a session held by one
// node, sent to another node (a Deno and a Node process here), reaches the
// session over NATS. Plus the requester's behaviour without a connection.

import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/nats-core";
import { LinkedRequester } from "../../src/cli/_sse_relay.ts";
import { healthBus } from "../harness/cluster.ts";
import { type CliNode, startCliNode } from "../harness/cli_node.ts";
import { skipNats, startNatsServer, waitFor } from "../harness/nats_server.ts";
import { openSession } from "../sse/_sse.ts";

Deno.test("sse relay requester: refuses requests without NATS, resubscribes on a new connection", async () => {
  const requester = new LinkedRequester();
  await assert.rejects(
    requester.request("x", new Uint8Array(), { timeout: 10 }),
    /NATS is not connected/,
  );
  const subscribed: string[] = [];
  const unsubscribed: string[] = [];
  const fake = (name: string) =>
    ({
      subscribe(subject: string) {
        subscribed.push(`${name}:${subject}`);
        return { unsubscribe: () => void unsubscribed.push(`${name}:${subject}`) };
      },
      request: () => Promise.resolve({ data: new Uint8Array([1]) }),
    }) as unknown as NatsConnection;
  const handle = requester.subscribe("lhttp-sse.AAAAAAAA", { callback() {} });
  assert.deepEqual(subscribed, [], "nothing to subscribe on yet");
  requester.attach(fake("one"));
  assert.deepEqual(
    (await requester.request("x", new Uint8Array(), { timeout: 10 })).data,
    new Uint8Array([1]),
  );
  requester.detach();
  requester.attach(fake("two"));
  assert.deepEqual(subscribed, ["one:lhttp-sse.AAAAAAAA", "two:lhttp-sse.AAAAAAAA"]);
  handle.unsubscribe();
  assert.deepEqual(unsubscribed, ["two:lhttp-sse.AAAAAAAA"]);
  requester.attach(fake("three"));
  assert.equal(subscribed.length, 2, "an unsubscribed subject is not made again");
});

Deno.test({
  name: "lhttp serve --nats: an SSE POST sent to another node reaches the session (Deno and Node)",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const nodes: CliNode[] = [];
    try {
      const common = ["--nats", nats.url, "--nats-prefix", "relay"];
      nodes.push(
        ...await Promise.all([startCliNode("deno", common), startCliNode("node20", common)]),
      );
      const [a, b] = nodes;
      const connected = async () =>
        (await Promise.all(nodes.map((node) => healthBus(node.url)))).every((s) =>
          s === "connected"
        );
      await waitFor(connected, "both buses connected");
      const session = await openSession(`${a.url}/sse?channel=room`);
      const viaB = (frame: string, secret = session.secret) =>
        fetch(`${b.url}${session.post}`, {
          method: "POST",
          headers: { authorization: `Bearer ${secret}` },
          body: frame,
        });
      // The relay connects in the background: retry until node a's relay subscription is there.
      let answer: Response | undefined;
      await waitFor(async () => {
        answer = await viaB("LHTTP/1.0 ping\r\nack:r1\r\n\r\n");
        if (answer.status === 202) return true;
        await answer.body?.cancel();
        return false;
      }, "a relayed POST accepted");
      assert.equal(answer!.status, 202);
      await answer!.body?.cancel();
      assert.equal(await session.nextFrame(), "LHTTP/1.0 ping\r\nack:r1\r\nstatus:200\r\n\r\n");
      const wrong = await viaB("LHTTP/1.0 ping", "x".repeat(43));
      assert.deepEqual([wrong.status, (await wrong.json()).code], [403, "forbidden"]);
      await session.close();
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
      await nats.stop();
    }
  },
});
