// The admin API in-process: tokens, sessions, brute force, bad bodies, unknown
// connections, and a trace of a flooded channel; none of it disturbs the rest.

import assert from "node:assert/strict";
import { Hono } from "hono";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { adminRoutes } from "../../src/http/admin/admin_routes.ts";
import { lhttpRoutes } from "../../src/http/routes.ts";
import { FakeClient } from "../harness/fake_peer.ts";

function setup(address = "10.1.1.1") {
  const server = new LhttpServer({ admin: { token: "right-token", node: "a", traceRate: 5 } });
  const app = new Hono().route("/admin", adminRoutes(server, () => address));
  const call = (path: string, init: RequestInit = {}) => app.request(`/admin${path}`, init);
  const json = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    call(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { server, call, json };
}
const BEARER = { authorization: "Bearer right-token" };

Deno.test("admin API: 404 unless configured; 401 without or with a wrong token; a session after login", async () => {
  const off = lhttpRoutes(new LhttpServer());
  assert.equal((await off.request("/admin")).status, 404);
  assert.equal((await off.request("/admin/api/nodes")).status, 404);
  const { call, json } = setup();
  const page = await call("");
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<form id="login-form"/);
  const none = await call("/api/nodes");
  assert.equal(none.status, 401);
  assert.deepEqual(await none.json(), {
    status: 401,
    code: "unauthorized",
    reason: "Log in first",
  });
  const wrong = await call("/api/nodes", { headers: { authorization: "Bearer wrong" } });
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).reason, "Wrong admin token");
  const badLogin = await json("/api/login", { token: "wrong" });
  assert.equal(badLogin.status, 401);
  assert.equal(badLogin.headers.get("set-cookie"), null);
  const login = await json("/api/login", { token: "right-token" });
  assert.equal(login.status, 200);
  const cookie = login.headers.get("set-cookie")!;
  assert.match(
    cookie,
    /^lhttp_admin=[\w-]+; HttpOnly; SameSite=Strict; Path=\/admin; Max-Age=\d+$/,
  );
  const session = cookie.split(";")[0];
  const nodes = await call("/api/nodes", { headers: { cookie: session } });
  assert.equal(nodes.status, 200);
  assert.equal((await nodes.json()).nodes[0].node, "a");
  await json("/api/logout", {}, { cookie: session });
  assert.equal((await call("/api/nodes", { headers: { cookie: session } })).status, 401);
});

Deno.test("admin API: brute force is rate-limited per address; other addresses and sessions go on", async () => {
  const { call, json } = setup("10.6.6.6");
  for (let i = 0; i < 5; i++) {
    assert.equal((await json("/api/login", { token: `guess${i}` })).status, 401);
  }
  const limited = await json("/api/login", { token: "right-token" });
  assert.equal(limited.status, 429);
  assert.equal((await limited.json()).code, "rate_limited");
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  // Wrong bearer tokens count too.
  assert.equal((await call("/api/nodes", { headers: { authorization: "Bearer x" } })).status, 429);
  const other = setup("10.7.7.7");
  assert.equal((await other.call("/api/nodes", { headers: BEARER })).status, 200);
});

Deno.test("admin API: malformed bodies and unknown targets get one clear error each", async () => {
  const { server, call, json } = setup();
  const peer = new FakeClient(server);
  const connection = peer.connection;
  server.subscribe(connection, "room");
  const cases: [string, unknown, number, string, RegExp][] = [
    ["/api/publish", "{not json", 400, "bad_request", /The body is not JSON/],
    ["/api/publish", "[1,2]", 400, "bad_request", /must be a JSON object/],
    [
      "/api/publish",
      { channel: 3, body: "x" },
      400,
      "bad_request",
      /"channel" must be a string, got 3/,
    ],
    [
      "/api/publish",
      { channel: "room", body: null },
      400,
      "bad_request",
      /"body" must be a string/,
    ],
    ["/api/publish", { channel: "two words!", body: "x" }, 400, "bad_channel", /Channel "words!"/],
    [
      "/api/publish",
      { channel: "room", body: "x", command: "a b" },
      400,
      "bad_request",
      /"command" must be a word/,
    ],
    ["/api/disconnect", { connection: "1" }, 400, "bad_request", /must be a connection id/],
    [
      "/api/disconnect",
      { connection: 987654 },
      404,
      "unknown_connection",
      /No connection 987654 on node "a"/,
    ],
    ["/api/disconnect", { node: "zz", connection: 1 }, 404, "unknown_node", /No node "zz"/],
  ];
  for (const [path, body, status, code, reason] of cases) {
    const response = await json(path, body, BEARER);
    const answer = await response.json();
    assert.equal(response.status, status, JSON.stringify(body));
    assert.equal(answer.code, code, JSON.stringify(body));
    assert.match(answer.reason, reason);
  }
  const huge = await json("/api/publish", { channel: "room", body: "x".repeat(300_000) }, BEARER);
  assert.equal(huge.status, 413);
  assert.match((await huge.json()).reason, /The body is over 262144 bytes/);
  const text = await call("/api/publish", { method: "POST", headers: BEARER, body: "{}" });
  assert.equal(text.status, 415);
  assert.equal((await call("/api/nope", { headers: BEARER })).status, 404);
  // Nothing else was affected: the connection is open and subscribed, nothing was delivered.
  assert.equal(connection.closed, false);
  assert.deepEqual([...connection.channels], ["room"]);
  assert.equal(peer.sent.length, 0);
  const ok = await json("/api/publish", { channel: "room", body: "hi" }, BEARER);
  assert.deepEqual(await ok.json(), { status: 200, channels: ["room"], delivered: 1 });
  const gone = await json("/api/disconnect", { connection: connection.id }, BEARER);
  assert.equal(gone.status, 200);
  assert.equal(connection.closed, true);
  assert.equal(peer.closedWith?.code, 1008);
});

Deno.test("admin API: a trace of a flooded channel holds its rate cap and counts what it skipped", async () => {
  const { server, call } = setup();
  const refused = await call("/api/trace?channel=" + encodeURIComponent("bad channel"), {
    headers: BEARER,
  });
  assert.equal(refused.status, 400);
  const trace = await call("/api/trace?channel=flood", { headers: BEARER });
  assert.equal(trace.status, 200);
  assert.equal(trace.headers.get("content-type"), "text/event-stream");
  const reader = trace.body!.pipeThrough(new TextDecoderStream()).getReader();
  assert.match((await reader.read()).value!, /event: open\ndata: {"channel":"flood","rate":5}/);
  const peer = new FakeClient(server);
  server.subscribe(peer.connection, "flood");
  // 10 000 frames in one turn: the trace forwards at most its burst (5), a real subscriber gets all.
  for (let i = 0; i < 10_000; i++) server.publish("flood", { command: "chat", body: `n${i}` });
  assert.equal(peer.sent.length, 10_000);
  let events = "";
  while ((events.match(/event: frame/g) ?? []).length < 5) events += (await reader.read()).value;
  assert.equal((events.match(/event: frame/g) ?? []).length, 5);
  server.publish("flood", { command: "chat", body: "after" });
  await reader.cancel();
  assert.equal(server.hub.subscriberCount("flood"), 1, "the trace left the channel");
});

Deno.test("ClusterView: a node that stops answering is listed as no_answer; asking it is a 504", async () => {
  const { ClusterView } = await import("../../src/http/admin/cluster_view.ts");
  const { NodeOps } = await import("../../src/http/admin/node_ops.ts");
  const server = new LhttpServer();
  let bAnswers = true;
  const cluster = {
    gather: () =>
      Promise.resolve(bAnswers ? [{ ok: { node: "b", connections: 3 } }, "junk", { ok: {} }] : []),
    ask: (node: string) =>
      bAnswers && node === "b"
        ? Promise.resolve({
          error: {
            code: "unknown_connection",
            message: 'No connection 5 on node "b"',
            status: 404,
          },
        })
        : Promise.reject(new Error("timeout")),
    serve: () => {},
  };
  const view = new ClusterView(new NodeOps(server, "a", "1"), cluster, 50);
  assert.deepEqual((await view.nodes()).map((n) => [n.node, n.status]), [["a", "ok"], ["b", "ok"]]);
  await assert.rejects(
    view.disconnect("b", 5),
    (e: Error & { code?: string }) => e.code === "unknown_connection",
  );
  bAnswers = false;
  assert.deepEqual((await view.nodes()).map((n) => [n.node, n.status]), [["a", "ok"], [
    "b",
    "no_answer",
  ]]);
  assert.deepEqual((await view.channels()).missing, ["b"]);
  await assert.rejects(
    view.connections("b"),
    (e: Error & { code?: string; status?: number }) =>
      e.code === "node_timeout" && e.status === 504 &&
      /did not answer within 50 ms/.test(e.message),
  );
});

Deno.test("admin API: a channel's presence where it is kept; off elsewhere; a bad name is a 400", async () => {
  const server = new LhttpServer({
    admin: { token: "right-token", node: "a" },
    presence: { prefixes: ["chat."] },
  });
  const app = new Hono().route("/admin", adminRoutes(server, () => "10.1.1.1"));
  const get = async (path: string) => {
    const response = await app.request(`/admin/api${path}`, { headers: BEARER });
    return { status: response.status, body: await response.json() };
  };
  const ann = new FakeClient(server, "ann");
  server.subscribe(ann.connection, ["chat.room", "news"]);
  const kept = await get("/channels/chat.room/presence");
  assert.equal(kept.status, 200);
  assert.equal(kept.body.nodes[0].node, "a");
  assert.equal(kept.body.nodes[0].clients, 1);
  assert.equal(kept.body.nodes[0].members[0].user, "ann");
  assert.deepEqual((await get("/channels/news/presence")).body.nodes, [{
    node: "a",
    channel: "news",
    off: true,
  }]);
  const bad = await get(`/channels/${encodeURIComponent("a#b#c")}/presence`);
  assert.deepEqual([bad.status, bad.body.code], [400, "bad_channel"]);
  await server.shutdown();
});
