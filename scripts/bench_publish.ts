// Micro benchmark of the hot path (`deno task bench`): nanoseconds per publish of
// one frame from a client to 10 local subscribers, for 64 B, 1 KiB and 16 KiB
// bodies, and each as a ratio to `parseFrame` of the same frame. Goal: a 16 KiB
// publish costs at most 1.5× a 64 B one. A benchmark, not a test: it prints.

import { LhttpServer, parseFrame } from "../mod.ts";

const SUBSCRIBERS = 10;
const peer = { send() {}, close() {} };

function nsPer(run: () => void, iterations: number): number {
  for (let i = 0; i < Math.min(iterations, 2000); i++) run(); // warm up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run();
  return ((performance.now() - start) * 1e6) / iterations;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const rows: Array<{ body: string; publish: number; parse: number }> = [];
for (const [label, size] of [["64 B", 64], ["1 KiB", 1024], ["16 KiB", 16 * 1024]] as const) {
  const server = new LhttpServer({ pacing: false });
  for (let i = 0; i < SUBSCRIBERS; i++) {
    server.receive(server.open(peer), "LHTTP/1.0 chat\r\nsubscribe:room\r\n\r\n");
  }
  const publisher = server.open(peer);
  const frame = "LHTTP/1.0 chat\r\npublish:room\r\n\r\n" + "x".repeat(size);
  const iterations = size > 4096 ? 50_000 : 200_000;
  const publish = median(
    [0, 1, 2, 3, 4].map(() => nsPer(() => server.receive(publisher, frame), iterations)),
  );
  const parse = median([0, 1, 2, 3, 4].map(() => nsPer(() => parseFrame(frame), iterations)));
  rows.push({ body: label, publish, parse });
}

const base = rows[0].publish;
console.log(`publish to ${SUBSCRIBERS} local subscribers, Deno ${Deno.version.deno}, median of 5`);
console.log("body     ns/publish  ns/parseFrame  publish/parse  publish/publish(64 B)");
for (const row of rows) {
  console.log(
    `${row.body.padEnd(8)} ${row.publish.toFixed(0).padStart(10)} ${
      row.parse.toFixed(0).padStart(14)
    } ${(row.publish / row.parse).toFixed(1).padStart(14)}× ${
      (row.publish / base).toFixed(2).padStart(20)
    }×`,
  );
}
