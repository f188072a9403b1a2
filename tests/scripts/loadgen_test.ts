// The C load generator of the benches (scripts/loadgen/) counts exactly what
// was delivered: against a real lhttp server (fan-out and POST /publish), and
// against a hand-written server that splits frames at every byte boundary,
// uses all three length encodings, fragments a message and pings.

import assert from "node:assert/strict";
import { LhttpServer, MemoryBroker } from "../../mod.ts";
import { serve } from "../../src/adapters/serve.ts";
import { buildLoadgen } from "../../scripts/loadgen/build.ts";

const binary = await buildLoadgen();
const ignore = binary === undefined;

async function run(
  args: Array<string | number>,
  env: Record<string, string> = {},
): Promise<Record<string, number>> {
  const { code, stdout, stderr } = await new Deno.Command(binary!, {
    args: args.map(String),
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  // The result is the last line (fanout prints START before its timed part).
  return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").pop()!);
}

Deno.test({
  name: "loadgen fanout counts every delivery of a real lhttp server",
  ignore,
  async fn() {
    const running = await serve(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
    try {
      const result = await run(["fanout", running.port, 20, 200, 64]);
      assert.equal(result.expected, 20 * 200);
      assert.equal(result.deliveries, 20 * 200);
      assert.equal(result.closed, 0);
    } finally {
      await running.shutdown();
    }
  },
});

Deno.test({
  name: "loadgen latency samples every frame sent; LG_TIMELINE lists each with its send time",
  ignore,
  async fn() {
    const running = await serve(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
    const timeline = await Deno.makeTempFile();
    try {
      const result = await run(["latency", running.port, 5, 200, 0.5], { LG_TIMELINE: timeline });
      assert.ok(result.sent >= 50, `sent ${result.sent}`);
      assert.equal(result.samples, result.sent);
      assert.ok(0 < result.p50 && result.p50 <= result.p99 && result.p99 <= result.max);
      const lines = (await Deno.readTextFile(timeline)).trim().split("\n");
      assert.equal(lines.length, result.samples);
      const latencies = lines.map((line) => {
        const [sent, ms] = line.split(" ").map(Number);
        assert.ok(sent > 0 && ms >= 0, line);
        return ms;
      });
      assert.equal(Math.max(...latencies).toFixed(4), result.max.toFixed(4));
    } finally {
      await running.shutdown();
      await Deno.remove(timeline);
    }
  },
});

Deno.test({
  name: "loadgen fanout spreads subscribers over the ports of a cluster, publishes on the first",
  ignore,
  async fn() {
    const broker = new MemoryBroker();
    const options = { port: 0, hostname: "127.0.0.1" };
    const one = await serve(new LhttpServer({ bus: broker.connect() }), options);
    const two = await serve(new LhttpServer({ bus: broker.connect() }), options);
    try {
      const result = await run(["fanout", `${one.port},${two.port}`, 10, 50, 16, 50]);
      assert.equal(result.deliveries, 10 * 50);
      // Half the subscribers were on the second node, and only they.
      const metrics = await (await fetch(`http://127.0.0.1:${two.port}/metrics`)).text();
      assert.match(metrics, /^lhttp_connections_total 5$/m);
    } finally {
      await one.shutdown();
      await two.shutdown();
    }
  },
});

Deno.test({
  name: "loadgen http counts 2xx answers of POST /publish and the deliveries they made",
  ignore,
  async fn() {
    const running = await serve(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
    try {
      const result = await run(["http", running.port, 4, 300, 5, 64]);
      assert.equal(result.ok, 300);
      assert.equal(result.failed, 0);
      assert.equal(result.deliveries, 300 * 5);
    } finally {
      await running.shutdown();
    }
  },
});

Deno.test({
  name: "loadgen http counts refusals as failed, not ok",
  ignore,
  async fn() {
    // A token is set and the generator sends none: every POST is a 401.
    const running = await serve(new LhttpServer({ publishToken: "secret" }), {
      port: 0,
      hostname: "127.0.0.1",
    });
    try {
      const result = await run(["http", running.port, 2, 50, 1, 8]);
      assert.equal(result.ok, 0);
      assert.equal(result.failed, 50);
      assert.equal(result.deliveries, 0);
    } finally {
      await running.shutdown();
    }
  },
});

// Server frames as the generator must parse them: unmasked, any length.
function frame(opcode: number, payload: Uint8Array, fin = true): Uint8Array {
  const length = payload.length;
  const head = length < 126 ? [length] : length < 65536 ? [126, length >> 8, length & 0xff] : [
    127,
    0,
    0,
    0,
    0,
    (length >>> 24) & 0xff,
    (length >> 16) & 0xff,
    (length >> 8) & 0xff,
    length & 0xff,
  ];
  return new Uint8Array([(fin ? 0x80 : 0) | opcode, ...head, ...payload]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) out.set(part, (at += part.length) - part.length);
  return out;
}

// The first client frame's payload, unmasked (the frames here are short).
function firstPayload(bytes: Uint8Array): string {
  const length = bytes[1] & 0x7f;
  const mask = bytes.subarray(2, 6);
  const payload = bytes.subarray(6, 6 + length).map((byte, i) => byte ^ mask[i & 3]);
  return new TextDecoder().decode(payload);
}

Deno.test({
  name: "loadgen parses frames split anywhere, of every length encoding, fragmented or pinged",
  ignore,
  async fn() {
    const SUBSCRIBERS = 3, ROUNDS = 4;
    const sizes = [0, 1, 125, 126, 300, 65535, 70000];
    const text = (n: number) => new Uint8Array(n).fill(0x78);
    // One round: each size once, a message in two fragments, and a ping between.
    const round = concat([
      ...sizes.map((size) => frame(1, text(size))),
      frame(1, text(10), false),
      frame(9, text(4)),
      frame(0, text(10)),
    ]);
    const perSubscriber = ROUNDS * (sizes.length + 1);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const subscribers: Deno.Conn[] = [];
    let publish!: () => void;
    const published = new Promise<void>((resolve) => publish = resolve);
    const serving = (async () => {
      for await (const conn of listener) {
        void (async () => {
          const buffer = new Uint8Array(1 << 16);
          let request = "";
          while (!request.includes("\r\n\r\n")) {
            const n = await conn.read(buffer);
            if (n === null) return;
            request += new TextDecoder().decode(buffer.subarray(0, n));
          }
          await conn.write(new TextEncoder().encode(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
          ));
          const n = await conn.read(buffer);
          if (n === null) return;
          if (firstPayload(buffer.subarray(0, n)).includes("subscribe:")) {
            subscribers.push(conn);
            await conn.write(frame(1, new TextEncoder().encode("ack")));
          } else {
            publish();
          }
          // Drain whatever else comes (publish frames, pongs) until closed.
          while (await conn.read(buffer).catch(() => null) !== null) { /* drain */ }
        })();
      }
    })();
    const sending = published.then(async () => {
      const all = concat(Array.from({ length: ROUNDS }, () => round));
      // Chunks of 1 to 13 bytes, so every header and payload boundary is split.
      for (let at = 0, step = 1; at < all.length; at += step, step = (step % 13) + 1) {
        const chunk = all.subarray(at, Math.min(all.length, at + step));
        for (const conn of subscribers) await conn.write(chunk);
        if (at % 4096 < step) await new Promise((resolve) => setTimeout(resolve, 0));
      }
    });
    try {
      const { port } = listener.addr as Deno.NetAddr;
      const result = await run(["fanout", port, SUBSCRIBERS, perSubscriber, 8]);
      assert.equal(result.deliveries, SUBSCRIBERS * perSubscriber);
    } finally {
      await sending;
      listener.close();
      for (const conn of subscribers) conn.close();
      await serving.catch(() => {});
    }
  },
});
