import assert from "node:assert/strict";
import { CloseCode, LhttpServer } from "../mod.ts";
import { TokenBucket } from "../src/internal.ts";
import { lhttpRoutes } from "../src/http/routes.ts";
import { FakeClient } from "./harness/fake_peer.ts";

Deno.test("rate limit: a 429 status frame on excess, a 1008 close on sustained abuse", () => {
  const server = new LhttpServer({ rateLimit: { framesPerSecond: 1, burst: 3, closeAfter: 2 } });
  const client = new FakeClient(server);
  for (let i = 0; i < 3; i++) client.send(`LHTTP/1.0 chat\r\nack:${i}\r\n\r\n`);
  assert.deepEqual(client.take().map((f) => f.headers.get("status")), ["200", "200", "200"]);
  client.send("LHTTP/1.0 chat\r\nack:3\r\n\r\n");
  const [limited] = client.take();
  assert.equal(limited.headers.get("status"), "429");
  assert.equal(limited.headers.get("code"), "rate_limited");
  assert.equal(client.closedWith, undefined);
  client.send("LHTTP/1.0 chat\r\n\r\n");
  assert.equal(client.take()[0].headers.get("code"), "rate_limited");
  client.send("LHTTP/1.0 chat\r\n\r\n");
  assert.equal((client.closedWith as { code?: number } | undefined)?.code, CloseCode.policy);
});

Deno.test("token bucket refills at its rate up to its burst", () => {
  let now = 0;
  const bucket = new TokenBucket(100, 5, () => now);
  let taken = 0;
  while (bucket.take()) taken++;
  assert.equal(taken, 5);
  now += 1000;
  taken = 0;
  while (bucket.take()) taken++;
  assert.equal(taken, 5, "never more than the burst");
  now += 20;
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false);
});

Deno.test("GET /metrics counts connections, frames, publishes, errors and drops", async () => {
  const server = new LhttpServer({ maxBufferedBytes: 0, slowConsumer: "drop" });
  const app = lhttpRoutes(server);
  const a = new FakeClient(server);
  const b = new FakeClient(server);
  a.send("LHTTP/1.0 chat\r\nsubscribe:room\r\n\r\n");
  b.send("LHTTP/1.0 chat\r\nsubscribe:room\r\n\r\n");
  b.bufferedAmount = 1;
  a.send("LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello");
  a.send("garbage");
  const response = await app.request("/metrics");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /text\/plain/);
  const text = await response.text();
  const value = (sample: string) => {
    const line = text.split("\n").find((l) => l.startsWith(sample + " "));
    assert.ok(line, `missing ${sample}`);
    return Number(line.slice(sample.length + 1));
  };
  assert.equal(value("lhttp_connections"), 2);
  assert.equal(value("lhttp_connections_total"), 2);
  assert.equal(value("lhttp_channels"), 1);
  assert.equal(value("lhttp_subscriptions"), 2);
  assert.equal(value("lhttp_frames_in_total"), 4);
  assert.equal(value("lhttp_publishes_total"), 1);
  assert.equal(value('lhttp_errors_total{code="not_lhttp"}'), 1);
  assert.equal(value('lhttp_drops_total{reason="slow_consumer"}'), 1);
  assert.equal(value("lhttp_frames_out_total"), 2, "one publish to a, one error frame to a");
  assert.equal(value('lhttp_bus_up{state="local"}'), 1);
});

const upgrade = (headers: Record<string, string>, url = "http://chat.example:8081/") =>
  new Request(url, { headers: { upgrade: "websocket", host: new URL(url).host, ...headers } });

Deno.test("origins: same-origin and origin-less upgrades pass, cross-site ones get 403", async () => {
  const server = new LhttpServer();
  assert.deepEqual(await server.accept(upgrade({})), { data: undefined });
  assert.deepEqual(await server.accept(upgrade({ origin: "http://chat.example:8081" })), {
    data: undefined,
  });
  const refused = await server.accept(upgrade({ origin: "https://evil.example" }));
  assert.ok(refused instanceof Response);
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /evil\.example/);
  const open = new LhttpServer({ allowedOrigins: ["https://app.example"] });
  assert.ok(!((await open.accept(upgrade({ origin: "https://app.example" }))) instanceof Response));
  assert.ok(
    (await open.accept(upgrade({ origin: "http://chat.example:8081" }))) instanceof Response,
  );
  const any = new LhttpServer({ allowedOrigins: ["*"] });
  assert.ok(!((await any.accept(upgrade({ origin: "https://evil.example" }))) instanceof Response));
});

Deno.test("authenticate: connection data from a query token; 401 becomes a socket closed with 4401", async () => {
  const server = new LhttpServer({
    authenticate(request) {
      const token = new URL(request.url).searchParams.get("token");
      return token === "t0k3n"
        ? { user: "alice" }
        : new Response("Unknown token\n", { status: 401 });
    },
  });
  assert.deepEqual(await server.accept(upgrade({}, "http://chat.example/?token=t0k3n")), {
    data: { user: "alice" },
  });
  const refused = await server.accept(upgrade({}, "http://chat.example/?token=nope"));
  assert.deepEqual(refused, { data: undefined, refusal: { code: 4401, reason: "Unknown token" } });
  const closes: unknown[] = [];
  const connection = server.open(
    {
      send() {},
      close: (code, reason) => closes.push([code, reason]),
    },
    undefined,
    { code: 4401, reason: "Unknown token" },
  );
  assert.deepEqual(closes, [[4401, "Unknown token"]]);
  assert.equal(connection.closed, true);
  assert.equal(server.connections.size, 0, "a refused connection is not counted");
  const forbidding = new LhttpServer({ authenticate: () => new Response("", { status: 403 }) });
  assert.deepEqual(await forbidding.accept(upgrade({})), {
    data: undefined,
    refusal: { code: 4403, reason: "forbidden" },
  });
  const limiting = new LhttpServer({ authenticate: () => new Response("", { status: 429 }) });
  const limited = await limiting.accept(upgrade({}));
  assert.ok(limited instanceof Response, "other statuses still refuse the upgrade");
  assert.equal(limited.status, 429);
  const failing = new LhttpServer({
    authenticate: () => Promise.reject(new Error("database down")),
    logger: { enabled: () => false, log: () => {} },
  });
  const failed = await failing.accept(upgrade({}));
  assert.ok(failed instanceof Response);
  assert.equal(failed.status, 500);
  assert.doesNotMatch(await failed.text(), /database/, "internals are not leaked");
});

Deno.test("origins: the scheme counts, an empty Origin is refused, a TLS proxy's scheme is taken", async () => {
  const server = new LhttpServer();
  const status = async (request: Request) => {
    const decision = await server.accept(request);
    return decision instanceof Response ? decision.status : 101;
  };
  assert.equal(await status(upgrade({ origin: "https://chat.example:8081" })), 403);
  assert.equal(await status(upgrade({ origin: "" })), 403);
  assert.equal(
    await status(upgrade({ origin: "https://chat.example:8081", "x-forwarded-proto": "https" })),
    101,
  );
  assert.equal(
    await status(upgrade({ origin: "https://chat.example" }, "https://chat.example/")),
    101,
  );
});

Deno.test("allowed hosts refuse DNS rebinding (Host and Origin both the attacker's)", async () => {
  const server = new LhttpServer({ allowedHosts: ["chat.example", "127.0.0.1:8081"] });
  const status = async (request: Request) => {
    const decision = await server.accept(request);
    return decision instanceof Response ? decision.status : 101;
  };
  assert.equal(
    await status(upgrade({}, "http://chat.example:9999/")),
    101,
    "a name matches any port",
  );
  assert.equal(await status(upgrade({}, "http://127.0.0.1:8081/")), 101);
  assert.equal(await status(upgrade({}, "http://127.0.0.1:8082/")), 421);
  assert.equal(
    await status(upgrade({ origin: "http://evil.example:8081" }, "http://evil.example:8081/")),
    421,
  );
});
