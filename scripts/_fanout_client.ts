// The JS load generator of `scripts/bench_fanout.ts`, in its own process (Bun
// when available): the fallback of the C generator (scripts/loadgen/) where no
// C compiler works, and the holder of idle sockets for the memory figure. On
// Bun's raw publish it saturates its core (1.00 cores at about 2.0M
// deliveries/s, where the C generator reached 3.6M at 0.48 cores).
//
//   fanout URL SUBSCRIBERS FRAMES BYTES  → prints {"deliveries":n,"seconds":s}
//   idle URL CONNECTIONS [PREFIX]        → each on its own channel PREFIX-<i> (default idle),
//                                          prints READY once all are subscribed,
//                                          then holds them until SIGTERM
//   latency URL CLIENTS RATE SECONDS     → each client publishes to its own channel, RATE frames/s in
//                                          all; prints {"p50":ms,"p99":ms,"samples":n}
// Each result also carries "cpu": this process's CPU time over the run, in cores,
// so the bench can show that the generator was not the bottleneck.

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

function cores(since: NodeJS.CpuUsage, seconds: number): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6 / seconds;
}

if (mode === "fanout") {
  const [subscribers, frames, bytes] = [Number(first), Number(second), Number(third)];
  const sockets = await openMany(subscribers, () => "bench");
  const expected = subscribers * frames;
  let received = 0;
  const cpu = process.cpuUsage();
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
  const result = { deliveries: received, expected, seconds, cpu: cores(cpu, seconds) };
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
} else if (mode === "latency") {
  const [clients, rate, duration] = [Number(first), Number(second), Number(third)];
  const sockets = await openMany(clients, (i) => `lat-${i}`);
  const samples: number[] = [];
  for (const ws of sockets) {
    ws.onmessage = (event) => {
      const text = String(event.data);
      samples.push(performance.now() - Number(text.slice(text.lastIndexOf("\n") + 1)));
    };
  }
  const cpu = process.cpuUsage();
  const start = performance.now();
  // Each client publishes to its own channel; ticks of 1 ms (the finest JS timer)
  // spread the frames, where the C generator spaces every frame evenly.
  const perTick = Math.max(1, Math.round(rate / 1000));
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let i = 0; i < perTick; i++, sent++) {
        const client = sent % clients;
        sockets[client].send(
          `LHTTP/1.0 chat\r\npublish:lat-${client}\r\n\r\n${performance.now()}`,
        );
      }
      if (performance.now() - start >= duration * 1000) {
        clearInterval(timer);
        setTimeout(resolve, 500);
      }
    }, 1);
  });
  const seconds = (performance.now() - start) / 1000;
  const sorted = samples.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const result = {
    p50: at(0.5),
    p99: at(0.99),
    samples: sorted.length,
    sent,
    cpu: cores(cpu, seconds),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
} else if (mode === "idle") {
  const prefix = second ?? "idle";
  await openMany(Number(first), (i) => `${prefix}-${i}`);
  process.stdout.write("READY\n");
  process.once("SIGTERM", () => process.exit(0));
  setInterval(() => {}, 1 << 30);
} else {
  process.stderr.write("usage: _fanout_client.ts fanout|idle URL ...\n");
  process.exit(2);
}
