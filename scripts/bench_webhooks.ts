// Benchmarks of issue 17 (`deno run -A scripts/bench_webhooks.ts`); it prints, it does not assert.
//  1. Sustained webhook events/s through batching, signing and HTTP to a local receiver that
//     checks every signature (the receiver is a child process, so it does not share our thread).
//  2. Presence count and page reads for a channel of 100k members (simulated: connection
//     objects fed to Presence.subscribed, no sockets).
//  3. Subscribe + unsubscribe throughput through LhttpServer with presence off and on.

import { LhttpServer } from "../src/server/lhttp_server.ts";
import { createLogger } from "../src/telemetry/log.ts";
import { resolveWebhooks } from "../src/webhooks/options.ts";
import { webhookEvent } from "../src/webhooks/event.ts";
import { Webhooks } from "../src/webhooks/webhooks.ts";
import { Presence } from "../src/presence/presence.ts";
import { resolvePresence } from "../src/presence/options.ts";

const quiet = createLogger("error", () => {});
const SECRET = "bench-secret";

// A receiver in its own process: verifies each batch, counts events, prints the count on stdin EOF.
const RECEIVER = `
const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(${
  JSON.stringify(SECRET)
}),
  { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
let events = 0, bad = 0;
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log(port) },
  async (request) => {
    if (request.method === "GET") return new Response(JSON.stringify({ events, bad }));
    const body = await request.text();
    const ts = request.headers.get("lhttp-timestamp");
    const hex = request.headers.get("lhttp-signature").slice(7);
    const mac = Uint8Array.from(hex.match(/../g), (b) => parseInt(b, 16));
    if (!await crypto.subtle.verify("HMAC", key, mac, new TextEncoder().encode(ts + "." + body))) bad++;
    events += JSON.parse(body).events.length;
    return new Response(null, { status: 204 });
  });
`;

// Offers `rate` events/s for `seconds` in 10 ms ticks, or everything at once when `rate` is 0.
async function webhookThroughput(
  total: number,
  batchSize: number,
  rate = 0,
): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", RECEIVER],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await reader.read()).value!.trim());
  const url = `http://127.0.0.1:${port}/hooks`;
  const settings = resolveWebhooks(
    { endpoints: [url], secret: SECRET, batchSize, maxQueued: total, node: "bench" },
    [url],
    fetch,
  );
  const webhooks = new Webhooks(settings, quiet);
  const start = performance.now();
  let peak = 0;
  let queued = 0;
  const emit = (from: number, to: number) => {
    const t = performance.now();
    for (let i = from; i < to; i++) {
      webhooks.emit(
        webhookEvent("bench", "subscribe", { connection: `bench-${i}`, channel: "room" }),
      );
    }
    queued += performance.now() - t;
    peak = Math.max(peak, webhooks.stats().queued);
  };
  if (rate === 0) emit(0, total);
  else {
    const perTick = rate / 100;
    for (let sent = 0; sent < total; sent += perTick) {
      emit(sent, Math.min(total, sent + perTick));
      const due = start + ((sent + perTick) / rate) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
  }
  await webhooks.idle();
  const elapsed = (performance.now() - start) / 1000;
  const count = await (await fetch(url)).json();
  webhooks.close();
  child.kill();
  await child.status;
  const stats = webhooks.stats();
  console.log(
    `webhooks  batch ${String(batchSize).padStart(3)}, ${
      rate ? `offered ${rate}/s` : "one burst"
    }: ${total} events in ${elapsed.toFixed(2)} s = ${
      Math.round(total / elapsed)
    } events/s (receiver counted ${count.events}, bad signatures ${count.bad}, dropped ${stats.dropped}, peak queue ${peak}; ` +
      `queuing cost ${((queued * 1e6) / total).toFixed(0)} ns/event)`,
  );
}

function presenceReads(members: number): void {
  const presence = new Presence(
    resolvePresence({ node: "b" }),
    () => ({ presence: true, joinLeave: false }),
    quiet,
  );
  const joinStart = performance.now();
  for (let i = 0; i < members; i++) {
    presence.subscribed({ id: i, data: { user: `u${i % (members / 2)}` } } as never, "big");
  }
  const joinNs = ((performance.now() - joinStart) * 1e6) / members;
  const reads = 1_000_000;
  let sink = 0;
  const start = performance.now();
  for (let i = 0; i < reads; i++) sink += presence.count("big").clients;
  const countNs = ((performance.now() - start) * 1e6) / reads;
  const page = presence.page("big", 0, 100);
  const pages = 1000;
  const pageStart = performance.now();
  let after = 0;
  for (let i = 0; i < pages; i++) {
    const next = presence.page("big", after, 100);
    after = next.next ? presence.after("big", next.next) : 0;
  }
  const pageUs = ((performance.now() - pageStart) * 1000) / pages;
  console.log(
    `presence  ${members} members (${page.users} users): count read ${countNs.toFixed(0)} ns, ` +
      `page of 100 ${pageUs.toFixed(1)} µs (cursor issue + read included), join ${
        joinNs.toFixed(0)
      } ns/member` +
      (sink === reads * members ? "" : " (?)"),
  );
  presence.close();
}

function subscribeThroughput(options: ConstructorParameters<typeof LhttpServer>[0]) {
  const server = new LhttpServer({ ...options, logger: quiet });
  const peer = { send() {}, close() {} };
  const connections = Array.from({ length: 10_000 }, (_, i) => server.open(peer, `u${i}`));
  const rounds = 20;
  const run = () => {
    for (const connection of connections) server.subscribe(connection, "chat.room");
    for (const connection of connections) server.unsubscribe(connection, "chat.room");
  };
  run(); // warm up
  const start = performance.now();
  for (let r = 0; r < rounds; r++) run();
  const seconds = (performance.now() - start) / 1000;
  const ops = (rounds * connections.length * 2) / seconds;
  return ops;
}

await webhookThroughput(100_000, 100);
await webhookThroughput(100_000, 500);
await webhookThroughput(30_000, 100, 10_000);
presenceReads(100_000);
// Off and on alternate, five times each, and the medians are compared (the machine is shared).
const offs: number[] = [];
const ons: number[] = [];
for (let round = 0; round < 5; round++) {
  offs.push(subscribeThroughput({}));
  ons.push(subscribeThroughput({ presence: { prefixes: ["chat."] } }));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[2];
const [off, on] = [median(offs), median(ons)];
console.log(
  `subscribe+unsubscribe (10k connections, median of 5): presence off ${Math.round(off)} ops/s, ` +
    `on ${Math.round(on)} ops/s: presence costs ${((1 - on / off) * 100).toFixed(0)}%`,
);
