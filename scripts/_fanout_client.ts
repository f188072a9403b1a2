// The client side of `scripts/bench_fanout.ts`, in its own process (Bun when
// available: its WebSocket client keeps up with every server measured here).
//
//   fanout URL SUBSCRIBERS FRAMES BYTES  → prints {"deliveries":n,"seconds":s}
//   idle URL CONNECTIONS                 → prints READY once all are subscribed,
//                                          then holds them until SIGTERM

import process from "node:process";

const [mode, url, first, second, third] = process.argv.slice(2);
const WAIT_MS = 120_000;

function open(channel: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onerror = () => reject(new Error(`cannot open ${url}`));
    ws.onopen = () => {
      ws.onmessage = () => {
        ws.onmessage = null;
        resolve(ws);
      };
      ws.send(`LHTTP/1.0 s\r\nsubscribe:${channel}\r\nack:1\r\n\r\n`);
    };
  });
}

async function openMany(count: number, channel: (i: number) => string): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, (_, j) => open(channel(i + j)));
    sockets.push(...await Promise.all(batch));
  }
  return sockets;
}

if (mode === "fanout") {
  const [subscribers, frames, bytes] = [Number(first), Number(second), Number(third)];
  const sockets = await openMany(subscribers, () => "bench");
  const expected = subscribers * frames;
  let received = 0;
  const start = performance.now();
  const done = new Promise<void>((resolve) => {
    for (const ws of sockets) {
      ws.onmessage = () => {
        if (++received === expected) resolve();
      };
    }
    setTimeout(resolve, WAIT_MS);
  });
  const publisher = new WebSocket(url);
  await new Promise((resolve) => publisher.onopen = resolve);
  const frame = `LHTTP/1.0 chat\r\npublish:bench\r\n\r\n${"x".repeat(bytes)}`;
  for (let i = 0; i < frames; i++) publisher.send(frame);
  await done;
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(JSON.stringify({ deliveries: received, expected, seconds }) + "\n");
  process.exit(0);
} else if (mode === "idle") {
  await openMany(Number(first), (i) => `idle-${i}`);
  process.stdout.write("READY\n");
  process.once("SIGTERM", () => process.exit(0));
  setInterval(() => {}, 1 << 30);
} else {
  process.stderr.write("usage: _fanout_client.ts fanout|idle URL ...\n");
  process.exit(2);
}
