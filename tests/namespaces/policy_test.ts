// Namespace policy enforced on client frames, through a real server.

import assert from "node:assert/strict";
import { LhttpServer } from "../../mod.ts";
import { FakeClient, settle } from "../harness/fake_peer.ts";
import { frame } from "./_frames.ts";

const errorOf = (client: FakeClient) => {
  const reply = client.take().at(-1)!;
  return { code: reply.headers.get("code"), reason: reply.headers.get("reason") };
};

Deno.test("namespaces: publish and subscribe refused for clients, server code still may", () => {
  const server = new LhttpServer({
    namespaces: [{ prefix: "feed.", publish: false }, { prefix: "admin.", subscribe: false }],
  });
  const client = new FakeClient(server);
  client.send(frame("m", { subscribe: "feed.a", ack: "1" }));
  assert.equal(client.take()[0].headers.get("status"), "200");
  client.send(frame("m", { publish: "feed.a", ack: "2" }, "x"));
  assert.deepEqual(errorOf(client), {
    code: "forbidden",
    reason: 'Not allowed to publish to "feed.a": clients may not publish in namespace "feed."',
  });
  client.send(frame("m", { subscribe: "other admin.x", ack: "3" }));
  assert.equal(errorOf(client).code, "forbidden");
  assert.deepEqual(
    [...client.connection.channels],
    ["feed.a"],
    "nothing of a refused frame applies",
  );
  server.subscribe(client.connection, "admin.x");
  assert.equal(server.publish("feed.a", { command: "m", body: "from server" }), 1);
});

Deno.test("namespaces: requireUser needs connection data", () => {
  const server = new LhttpServer({ namespaces: [{ prefix: "private.", requireUser: true }] });
  const anonymous = new FakeClient(server);
  anonymous.send(frame("m", { subscribe: "private.a" }));
  assert.match(errorOf(anonymous).reason!, /"private\.a": it needs an authenticated user/);
  const known = new FakeClient(server, { user: "bob" });
  known.send(frame("m", { subscribe: "private.a", ack: "1" }));
  assert.equal(known.take()[0].headers.get("status"), "200");
});

Deno.test("namespaces: maxSubscribers per channel; leaving frees a place", () => {
  const server = new LhttpServer({ namespaces: [{ prefix: "duel.", maxSubscribers: 2 }] });
  const [a, b, c] = [0, 1, 2].map(() => new FakeClient(server));
  a.send(frame("m", { subscribe: "duel.1" }));
  b.send(frame("m", { subscribe: "duel.1" }));
  a.send(frame("m", { subscribe: "duel.1", ack: "again" }));
  assert.equal(a.take()[0].headers.get("status"), "200", "re-subscribing counts once");
  c.send(frame("m", { subscribe: "duel.1" }));
  assert.deepEqual(errorOf(c), {
    code: "subscription_limit",
    reason: 'Channel "duel.1" already has its maximum of 2 subscribers',
  });
  c.send(frame("m", { subscribe: "duel.2", ack: "1" }));
  assert.equal(c.take()[0].headers.get("status"), "200", "the limit is per channel");
  b.disconnect();
  c.send(frame("m", { subscribe: "duel.1", ack: "2" }));
  assert.equal(c.take()[0].headers.get("status"), "200");
});

Deno.test("namespaces: a rule picks its authorizer, or none; each hook sees its channels", async () => {
  const asked: string[] = [];
  const server = new LhttpServer({
    authorize: ({ target }) => (asked.push(`default:${target}`), true),
    authorizers: {
      admins: (
        { target, connection },
      ) => (asked.push(`admins:${target}`), connection.data === "root"),
    },
    namespaces: [{ prefix: "admin.", authorize: "admins" }, { prefix: "open.", authorize: false }],
  });
  const user = new FakeClient(server, "alice");
  user.send(frame("m", { subscribe: "a open.x admin.y b" }));
  await settle();
  assert.deepEqual(asked, ["default:a b", "admins:admin.y"]);
  assert.equal(errorOf(user).reason, 'Not allowed to subscribe "admin.y"');
  const root = new FakeClient(server, "root");
  root.send(frame("m", { subscribe: "admin.y", ack: "1" }));
  await settle();
  assert.equal(root.take()[0].headers.get("status"), "200");
});

Deno.test("namespaces: resolve() is there for the history and presence features", () => {
  const server = new LhttpServer({
    namespaces: [{
      prefix: "chat.",
      historySize: 100,
      historyAgeMs: 60_000,
      latest: true,
      presence: true,
      joinLeave: true,
    }],
  });
  const policy = server.namespaces.resolve("chat.lobby");
  assert.deepEqual(
    [policy.historySize, policy.historyAgeMs, policy.latest, policy.presence, policy.joinLeave],
    [100, 60_000, true, true, true],
  );
});
