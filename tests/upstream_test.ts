import assert from "node:assert/strict";
import { LhttpServer } from "../mod.ts";
import { FakeClient, settle } from "./harness/fake_peer.ts";

async function withUpstream(
  run: (base: string, server: LhttpServer, client: FakeClient) => Promise<void>,
  options: { upstreamTimeoutMs?: number; allow?: (base: string) => string[] } = {},
) {
  const controller = new AbortController();
  const target = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: controller.signal, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      switch (url.pathname) {
        case "/echo":
          return Response.json({
            method: request.method,
            body: await request.text(),
            trace: request.headers.get("x-trace"),
            cookie: request.headers.get("cookie"),
          });
        case "/slow":
          await settle(300);
          return new Response("late");
        case "/fail":
          return new Response("broken", { status: 500 });
        case "/big":
          return new Response("x".repeat(2 * 1024 * 1024));
        case "/binary":
          return new Response(new Uint8Array([0xff, 0xfe, 0x00]));
        case "/redirect-in":
          return Response.redirect(new URL("/echo", url), 302);
        case "/redirect-out":
          return Response.redirect("http://example.invalid/steal", 302);
        case "/redirect-broken":
          return new Response(null, { status: 302, headers: { location: "http://[not a url" } });
        default:
          return new Response("not found", { status: 404 });
      }
    },
  );
  const base = `http://127.0.0.1:${target.addr.port}`;
  const server = new LhttpServer({
    upstreamAllow: options.allow?.(base) ?? [base + "/"],
    upstreamTimeoutMs: options.upstreamTimeoutMs ?? 2000,
    upstreamMaxResponseBytes: 1024 * 1024,
  });
  const client = new FakeClient(server);
  try {
    await run(base, server, client);
  } finally {
    controller.abort();
    await target.finished;
  }
}

async function next(client: FakeClient) {
  for (let i = 0; i < 400 && client.sent.length === 0; i++) await settle(5);
  return client.take();
}

const upstream = (value: string, body = "", extra = "") =>
  `LHTTP/1.0 record\r\nupstream:${value}\r\nx-trace:t1\r\ncookie:secret\r\n${extra}\r\n${body}`;

Deno.test("upstream POST sends the reply frame and relays the answer", async () => {
  await withUpstream(async (base, server, client) => {
    server.processor("record", { onMessage: (ctx) => void ctx.setHeader("seen", "yes") });
    client.send(upstream(`POST ${base}/echo`, "hello mike", "ack:9\r\n"));
    const [ack] = await next(client);
    assert.equal(ack.headers.get("status"), "200");
    const [answer] = await next(client);
    assert.equal(answer.command, "record");
    assert.equal(answer.headers.get("upstream-status"), "200");
    assert.equal(answer.headers.get("ack"), "9");
    const echoed = JSON.parse(answer.body as string);
    assert.equal(echoed.method, "POST");
    assert.match(echoed.body, /^LHTTP\/1\.0 record\r\n/);
    assert.match(echoed.body, /seen:yes/);
    assert.match(echoed.body, /hello mike$/);
    assert.equal(echoed.trace, "t1", "frame headers travel as HTTP headers");
    assert.equal(echoed.cookie, null, "forbidden headers do not");
  });
});

Deno.test("upstream GET sends no body; redirects inside the allowlist are followed", async () => {
  await withUpstream(async (base, _server, client) => {
    client.send(upstream(`GET ${base}/redirect-in`, "ignored"));
    const [answer] = await next(client);
    assert.equal(JSON.parse(answer.body as string).method, "GET");
    assert.equal(JSON.parse(answer.body as string).body, "");
  });
});

Deno.test("upstream answers: 500 relayed, binary as binary", async () => {
  await withUpstream(async (base, _server, client) => {
    client.send(upstream(`GET ${base}/fail`));
    const [failed] = await next(client);
    assert.equal(failed.headers.get("upstream-status"), "500");
    assert.equal(failed.body, "broken");
    client.send(upstream(`GET ${base}/binary`));
    const [binary] = await next(client);
    assert.deepEqual([...(binary.body as Uint8Array)], [0xff, 0xfe, 0x00]);
  });
});

Deno.test("upstream refusals and failures each get their status", async () => {
  await withUpstream(async (base, _server, client) => {
    const cases: [string, string, string][] = [
      [`GET http://127.0.0.1:1/`, "upstream_forbidden", "403"],
      [`GET ${base}/redirect-out`, "upstream_forbidden", "403"],
      [`GET ${base}/redirect-broken`, "upstream_unreachable", "502"],
      [`GET ${base}/slow`, "upstream_timeout", "504"],
      [`GET ${base}/big`, "upstream_too_large", "502"],
      [`FETCH ${base}/echo`, "bad_upstream", "400"],
      [`GET notaurl`, "bad_upstream", "400"],
      [`GET file:///etc/passwd`, "bad_upstream", "400"],
    ];
    for (const [value, code, status] of cases) {
      client.send(upstream(value));
      const [error] = await next(client);
      assert.equal(error.headers.get("code"), code, value);
      assert.equal(error.headers.get("status"), status, value);
    }
  }, { upstreamTimeoutMs: 100 });
});

Deno.test("upstream to an unreachable host is 502", async () => {
  const probe = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const deadPort = (probe.addr as Deno.NetAddr).port;
  probe.close();
  await withUpstream(async (_base, _server, client) => {
    client.send(upstream(`GET http://127.0.0.1:${deadPort}/x`));
    const [error] = await next(client);
    assert.equal(error.headers.get("code"), "upstream_unreachable");
    assert.equal(error.headers.get("status"), "502");
  }, { allow: () => [`http://127.0.0.1:${deadPort}/`] });
});

Deno.test("an allowlist prefix does not match a longer host name", async () => {
  await withUpstream(async (_base, _server, client) => {
    client.send(upstream(`GET http://127.0.0.10/echo`));
    const [error] = await next(client);
    assert.equal(error.headers.get("code"), "upstream_forbidden");
  }, { allow: () => ["http://127.0.0.1"] });
});

Deno.test("no allowlist: upstream is refused", () => {
  const server = new LhttpServer();
  const client = new FakeClient(server);
  client.send(upstream("GET http://127.0.0.1:8080/v1/user/10000/reports?AlgID=1"));
  const [error] = client.take();
  assert.equal(error.headers.get("code"), "upstream_forbidden");
  assert.match(error.headers.get("reason")!, /allowlist/);
});

Deno.test("at most 4 upstream requests in flight per connection", async () => {
  await withUpstream(async (base, _server, client) => {
    for (let i = 0; i < 5; i++) client.send(upstream(`GET ${base}/slow`));
    const [busy] = client.take();
    assert.equal(busy.headers.get("code"), "upstream_busy");
    for (let i = 0; i < 200 && client.sent.length < 4; i++) await settle(10);
    assert.equal(client.take().length, 4);
  });
});

Deno.test("the upstream service gets the reply frame without the sender's ack or upstream header", async () => {
  await withUpstream(async (base, _server, client) => {
    client.send(upstream(`POST ${base}/echo?secret=abc`, "body", "ack:41\r\n"));
    await next(client); // the ack
    const [answer] = await next(client);
    const echoed = JSON.parse(answer.body as string);
    assert.doesNotMatch(echoed.body, /\r\nack:/);
    assert.doesNotMatch(echoed.body, /upstream:/);
    assert.doesNotMatch(echoed.body, /secret=abc/);
  });
});
