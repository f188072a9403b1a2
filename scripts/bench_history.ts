// Fan-out with history on against off, in one run (issue 16). Not a test: it
// prints a table. Each variant runs in its own process (interleaved rounds) on an in-process server with 200 subscribers
// (no-op peers, so the server's own cost is what is measured) fed frames of
// ~130 B through the whole path (router, pipeline, PubSub, hub, connections):
//
//   off        no history configured
//   other      history configured for "chat.", publishing on "room" (no history)
//   memory     the in-memory engine on the channel (size 100, one hour)
//
//   deno run -A scripts/bench_history.ts [--subscribers 200] [--frames 2000] [--rounds 5]

import { parseArgs } from "node:util";
import { LhttpServer } from "../mod.ts";
import type { HistoryRule } from "../src/history/history.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    subscribers: { type: "string", default: "200" },
    frames: { type: "string", default: "2000" },
    rounds: { type: "string", default: "5" },
    variant: { type: "string" },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const FRAMES = Number(values.frames);
const ROUNDS = Number(values.rounds);
const RULES: HistoryRule[] = [{ prefix: "chat.", size: 100, ttlMs: 3_600_000 }];
const VARIANTS = {
  off: { history: undefined, channel: "chat.room" },
  other: { history: RULES, channel: "room" },
  memory: { history: RULES, channel: "chat.room" },
} as const;
type Variant = keyof typeof VARIANTS;

let sink = 0;
const peer = { send: (data: string | Uint8Array) => void (sink += data.length), close() {} };

/** Deliveries per second of one run of `variant`. */
function run(variant: Variant): number {
  const { history, channel } = VARIANTS[variant];
  const server = new LhttpServer({ pacing: false, history });
  for (let i = 0; i < SUBSCRIBERS; i++) {
    server.receive(server.open(peer), `LHTTP/1.0 chat\r\nsubscribe:${channel}\r\n\r\n`);
  }
  const publisher = server.open(peer);
  const body = "x".repeat(90);
  const frames = Array.from(
    { length: FRAMES },
    (_, i) => `LHTTP/1.0 chat\r\npublish:${channel}\r\nnick:ann\r\nid:${i}\r\n\r\n${body}`,
  );
  for (let i = 0; i < 200; i++) server.receive(publisher, frames[i]); // warm up
  const start = performance.now();
  for (const frame of frames) server.receive(publisher, frame);
  const seconds = (performance.now() - start) / 1000;
  return (FRAMES * SUBSCRIBERS) / seconds;
}

if (values.variant) {
  // One variant in a fresh process: the JIT sees only its configuration.
  const variant = values.variant as Variant;
  run(variant);
  const rate = run(variant);
  if (sink === 0) throw new Error("nothing was delivered");
  console.log(JSON.stringify(rate));
  Deno.exit(0);
}

const results: Record<Variant, number[]> = { off: [], other: [], memory: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of Object.keys(VARIANTS) as Variant[]) {
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", import.meta.filename!, "--variant", variant, ...Deno.args],
      stderr: "inherit",
    }).output();
    results[variant].push(Number(new TextDecoder().decode(child.stdout).trim()));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const off = median(results.off);
console.log(
  `fan-out, ${SUBSCRIBERS} subscribers × ${FRAMES} frames of ~130 B, in-process, ` +
    `Deno ${Deno.version.deno}, median of ${ROUNDS} interleaved rounds`,
);
console.log("| history | deliveries/s | vs off |\n|---|---|---|");
for (const variant of Object.keys(VARIANTS) as Variant[]) {
  const rate = median(results[variant]);
  console.log(
    `| ${variant} | ${Math.round(rate).toLocaleString("en")} | ${(rate / off).toFixed(2)}× |`,
  );
}
