// Two lhttp nodes on one NATS, no sticky sessions: a POST for a session sent
// to the other node is relayed over NATS request/reply to the node holding its
// stream, checked there like a local POST (wrong secret 403, unknown 404), and
// publications cross nodes both ways.

import assert from "node:assert/strict";
import { serveDeno } from "../../src/adapters/deno.ts";
import { type NatsRequester, natsSseRelay, useSseRelay } from "../../src/http/sse_relay.ts";
import { connectNats } from "../../src/nats/connect.ts";
import { NatsBus } from "../../src/nats/bus.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { skipNats, startNatsServer, waitFor } from "../harness/nats_server.ts";
import { openSession } from "./_sse.ts";

Deno.test({
  name: "sse cluster: a POST to another node reaches the session over NATS; checks apply there",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const nodes = await Promise.all([0, 1].map(async () => {
      const bus = new NatsBus({ servers: nats.url, subjectPrefix: "sc" });
      const server = new LhttpServer({ bus, publishOpen: true });
      const nc = await connectNats({ servers: nats.url });
      useSseRelay(server, natsSseRelay(nc as unknown as NatsRequester, { prefix: "sc" }));
      const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
      return { bus, server, nc, running, url: `http://127.0.0.1:${running.port}` };
    }));
    const [a, b] = nodes;
    try {
      await waitFor(() => a.bus.state === "connected" && b.bus.state === "connected", "buses");
      const session = await openSession(`${a.url}/sse?channel=room`);
      const viaB = (frame: string, secret = session.secret) =>
        fetch(`${b.url}${session.post}`, {
          method: "POST",
          headers: { authorization: `Bearer ${secret}` },
          body: frame,
        });
      const answer = await viaB("LHTTP/1.0 ping\r\nack:r1\r\n\r\n");
      assert.equal(answer.status, 202, await answer.clone().text());
      assert.equal(await session.nextFrame(), "LHTTP/1.0 ping\r\nack:r1\r\nstatus:200\r\n\r\n");

      const wrong = await viaB("LHTTP/1.0 ping", "x".repeat(43));
      assert.deepEqual([wrong.status, (await wrong.json()).code], [403, "forbidden"]);
      const forged = await fetch(`${b.url}/sse/${session.id.slice(0, 8)}${"A".repeat(22)}`, {
        method: "POST",
        headers: { authorization: `Bearer ${session.secret}` },
        body: "LHTTP/1.0 ping",
      });
      assert.deepEqual([forged.status, (await forged.json()).code], [404, "unknown_session"]);
      const nowhere = await fetch(`${b.url}/sse/ZZZZZZZZ${"A".repeat(22)}`, {
        method: "POST",
        body: "LHTTP/1.0 ping",
      });
      assert.deepEqual([nowhere.status, (await nowhere.json()).code], [404, "unknown_session"]);

      // A publication posted through node b, from the session on node a, to a
      // subscriber on node b (over the bus), and back to the session.
      const other = await openSession(`${b.url}/sse?channel=room`);
      await waitFor(async () => (await nats.subscriptions()).includes("sc.room"), "subjects");
      assert.equal((await viaB("LHTTP/1.0 chat\r\npublish:room\r\n\r\nacross")).status, 202);
      assert.equal(await other.nextFrame(), "LHTTP/1.0 chat\r\npublish:room\r\n\r\nacross");
      assert.equal(await session.nextFrame(), "LHTTP/1.0 chat\r\npublish:room\r\n\r\nacross");
      await session.close();
      await other.close();
      const gone = await viaB("LHTTP/1.0 ping");
      assert.equal(gone.status, 404);
    } finally {
      for (const node of nodes) {
        await node.running.shutdown();
        await node.nc.close();
      }
      await nats.stop();
    }
  },
});
