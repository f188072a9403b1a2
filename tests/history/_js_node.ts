// An lhttp node with a NATS bus and the JetStream history engine, for the
// real-process tests and scripts/bench_recovery.ts, on any runtime: Deno runs
// it as is, Bun and Node its bundle (tests/harness/jetstream_nodes.ts).
//
//   <runtime> _js_node.ts NATS_URL [SIZE]
//   <runtime> _js_node.ts memory [SIZE]     the in-memory engine, no NATS (for comparisons)
//
// It prints "lhttp listening on http://127.0.0.1:PORT/ pid PID" on stderr, so
// a test can check that the process it signals is the one holding the sockets.

import process from "node:process";
import { connectNats, NatsBus } from "../../src/nats/mod.ts";
import { JetStreamHistory } from "../../src/jetstream/mod.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { serve } from "../../src/adapters/serve.ts";

const [url, size = "10000"] = process.argv.slice(2);
const rules = [{ prefix: "chat.", size: Number(size), ttlMs: 3_600_000 }];
const connection = url === "memory" ? undefined : await connectNats({ servers: url });
const history = connection ? await JetStreamHistory.create({ connection, rules }) : undefined;
const server = new LhttpServer({
  bus: connection && new NatsBus({ connection }),
  history: history ?? rules,
  publishOpen: true,
});
const running = await serve(server, { port: 0, hostname: "127.0.0.1" });
console.error(`lhttp listening on http://127.0.0.1:${running.port}/ pid ${process.pid}`);
process.on("SIGTERM", async () => {
  await running.shutdown();
  await history?.close();
  await connection?.close();
  process.exit(0);
});
