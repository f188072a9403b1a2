// Benchmark of wildcard fan-out (issue 18): deliveries/s to 200 subscribers of
// `sensors.*` against 200 subscribers of the exact channel `sensors.t`, with
// 10 000 other patterns registered in both cases (`o<i>.*`, `o<i>.>`,
// `*.o<i>`: they share the trie's root and its `*` branch). Publications go
// from a client frame through the whole server path (parse, pipeline, pub/sub,
// hub, Connection.deliver) to peers that only count, so what differs between
// the two cases is the matching. Goal: wildcard ≥ 0.8× exact. Prints; not a test.
// With --sockets the same runs over real WebSockets: the server in this
// process, the 200 subscribers and the publisher in a child Deno process.
//
//   deno run -A scripts/bench_wildcards.ts [--rounds 7] [--frames 20000] [--sockets]

import { parseArgs } from "node:util";
import { LhttpServer } from "../mod.ts";
import { serve } from "../src/adapters/serve.ts";

const { values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    rounds: { type: "string", default: "7" },
    frames: { type: "string", default: "20000" },
    sockets: { type: "boolean", default: false },
    client: { type: "string" },
  },
});
const ROUNDS = Number(values.rounds);
const FRAMES = Number(values.frames);
const SUBSCRIBERS = 200;
const OTHER_PATTERNS = 10_000;
const PER_HOLDER = 250;

// The other patterns, held by connections that are never published to.
function holdOtherPatterns(server: LhttpServer): void {
  const idle = { send() {}, close() {} };
  for (let held = 0; held < OTHER_PATTERNS; held += PER_HOLDER) {
    const holder = server.open(idle);
    const patterns = [];
    for (let i = held; i < held + PER_HOLDER; i++) {
      patterns.push(i % 3 === 0 ? `o${i}.*` : i % 3 === 1 ? `o${i}.>` : `*.o${i}`);
    }
    // A list names at most 40 channels.
    for (let i = 0; i < patterns.length; i += 40) {
      server.subscribe(holder, patterns.slice(i, i + 40));
    }
  }
}

function setUp(subscription: string, others = true) {
  const server = new LhttpServer({ pacing: false, limits: { maxSubscriptions: PER_HOLDER } });
  let delivered = 0;
  const counting = {
    send() {
      delivered++;
    },
    close() {},
  };
  const idle = { send() {}, close() {} };
  if (others) holdOtherPatterns(server);
  for (let i = 0; i < SUBSCRIBERS; i++) {
    server.receive(server.open(counting), `LHTTP/1.0 chat\r\nsubscribe:${subscription}\r\n\r\n`);
  }
  const publisher = server.open(idle);
  const frame = "LHTTP/1.0 chat\r\npublish:sensors.t\r\n\r\n" + "x".repeat(100);
  return {
    patterns: server.hub.channelCount,
    run(): number {
      delivered = 0;
      const start = performance.now();
      for (let i = 0; i < FRAMES; i++) server.receive(publisher, frame);
      const seconds = (performance.now() - start) / 1000;
      if (delivered !== FRAMES * SUBSCRIBERS) throw new Error(`delivered ${delivered}`);
      return delivered / seconds;
    },
  };
}

// The child process of --sockets: SUBSCRIBERS sockets on `pattern`, one
// publisher, FRAMES frames to sensors.t; prints {"rate": deliveries/s}.
async function client(url: string, pattern: string): Promise<void> {
  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onerror = () => reject(new Error(`cannot open ${url}`));
      ws.onopen = () => resolve(ws);
    });
  const sockets = await Promise.all(Array.from({ length: SUBSCRIBERS }, open));
  await Promise.all(sockets.map((ws) =>
    new Promise<void>((resolve) => {
      ws.onmessage = () => resolve();
      ws.send(`LHTTP/1.0 s\r\nsubscribe:${pattern}\r\nack:1\r\n\r\n`);
    })
  ));
  const publisher = await open();
  const expected = SUBSCRIBERS * FRAMES;
  let received = 0;
  const done = new Promise<void>((resolve) => {
    for (const ws of sockets) ws.onmessage = () => void (++received === expected && resolve());
  });
  const start = performance.now();
  const frame = "LHTTP/1.0 chat\r\npublish:sensors.t\r\n\r\n" + "x".repeat(100);
  for (let i = 0; i < FRAMES; i++) publisher.send(frame);
  await done;
  console.log(JSON.stringify({ rate: expected / ((performance.now() - start) / 1000) }));
  Deno.exit(0);
}

async function overSockets(subscription: string): Promise<number> {
  const server = new LhttpServer({ limits: { maxSubscriptions: PER_HOLDER } });
  const running = await serve(server, { port: 0, hostname: "127.0.0.1" });
  holdOtherPatterns(server); // after serve: the adapter attaches before first use
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-check",
      import.meta.filename!,
      "--client",
      subscription,
      "--frames",
      String(FRAMES),
      `ws://127.0.0.1:${running.port}/`,
    ],
    stdout: "piped",
  }).output();
  await running.shutdown();
  return JSON.parse(new TextDecoder().decode(child.stdout)).rate;
}

if (values.client) await client(Deno.args.at(-1)!, values.client);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
if (values.sockets) {
  const rates = { exact: [] as number[], wildcard: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    rates.exact.push(await overSockets("sensors.t"));
    rates.wildcard.push(await overSockets("sensors.*"));
  }
  const [e, w] = [median(rates.exact), median(rates.wildcard)];
  console.log(
    `over WebSockets, Deno ${Deno.version.deno}: ${SUBSCRIBERS} subscribers, ${OTHER_PATTERNS} other patterns, ${FRAMES} frames × ${ROUNDS} rounds, median`,
  );
  console.log(`exact    sensors.t  ${(e / 1e3).toFixed(0)} k deliveries/s`);
  console.log(`wildcard sensors.*  ${(w / 1e3).toFixed(0)} k deliveries/s`);
  console.log(`ratio    ${(w / e).toFixed(2)}× (goal ≥ 0.8×) ${w / e >= 0.8 ? "met" : "NOT met"}`);
  Deno.exit(0);
}

const exact = setUp("sensors.t");
const wildcard = setUp("sensors.*");
const bare = setUp("sensors.t", false); // what the 10 000 patterns cost an exact channel
exact.run();
wildcard.run();
bare.run(); // warm up all three
const rates = { exact: [] as number[], wildcard: [] as number[], bare: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  rates.exact.push(exact.run());
  rates.wildcard.push(wildcard.run());
  rates.bare.push(bare.run());
}
const [e, w, b] = [median(rates.exact), median(rates.wildcard), median(rates.bare)];
console.log(
  `Deno ${Deno.version.deno}: ${SUBSCRIBERS} subscribers, ${OTHER_PATTERNS} other patterns ` +
    `(${exact.patterns} channels+patterns on the exact hub, ${wildcard.patterns} on the wildcard hub), ` +
    `${FRAMES} frames × ${ROUNDS} rounds, median`,
);
console.log(`exact    sensors.t  ${(e / 1e6).toFixed(2)} M deliveries/s`);
console.log(`wildcard sensors.*  ${(w / 1e6).toFixed(2)} M deliveries/s`);
console.log(`ratio    ${(w / e).toFixed(2)}× (goal ≥ 0.8×) ${w / e >= 0.8 ? "met" : "NOT met"}`);
console.log(`exact, no other patterns  ${(b / 1e6).toFixed(2)} M deliveries/s`);
