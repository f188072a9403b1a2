// An lhttp node with a NATS bus and the JetStream history engine, for the
// real-process tests: `deno run -A tests/history/_js_node.ts NATS_URL`. It
// prints "lhttp listening on http://127.0.0.1:PORT/" on stderr.

import { connectNats, NatsBus } from "../../src/nats/mod.ts";
import { JetStreamHistory } from "../../src/jetstream/mod.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { serveDeno } from "../../src/adapters/deno.ts";

const connection = await connectNats({ servers: Deno.args[0] });
const history = await JetStreamHistory.create({
  connection,
  rules: [{ prefix: "chat.", size: 10_000, ttlMs: 3_600_000 }],
});
const server = new LhttpServer({ bus: new NatsBus({ connection }), history, publishOpen: true });
const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
console.error(`lhttp listening on http://127.0.0.1:${running.port}/`);
Deno.addSignalListener("SIGTERM", async () => {
  await running.shutdown();
  await history.close();
  await connection.close();
  Deno.exit(0);
});
