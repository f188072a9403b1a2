// One lhttp node for the crash-safety test, as its own process: a NATS bus,
// webhooks to the test's receiver and the KV ledger. Prints
// "lhttp listening on http://127.0.0.1:PORT/ node ID" on stderr once it serves.
// deno run -A tests/webhooks/_cluster_node.ts NATS_URL HOOK_URL

import { serveDeno } from "../../src/adapters/deno.ts";
import { connectNats } from "../../src/nats/connect.ts";
import { NatsBus } from "../../src/nats/mod.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { createLogger } from "../../src/telemetry/log.ts";
import { ClusterLedger, RemoteMembers } from "../../src/cluster.ts";

const [natsUrl, hookUrl] = Deno.args;
const node = crypto.randomUUID().slice(0, 8);
const logger = createLogger("warn");
const connection = await connectNats({ servers: natsUrl });
const ledger = await ClusterLedger.open(connection, {
  node,
  emit: (event) => server.webhooks!.emit(event),
  logger,
  heartbeatMs: 500,
  infoOf: (connection) => server.presenceStore?.member(connection).info,
});
const server: LhttpServer = new LhttpServer({
  bus: new NatsBus({ connection, logger }),
  logger,
  upstreamAllow: [hookUrl],
  webhooks: { endpoints: [hookUrl], secret: "cluster-secret", node, vacateDelayMs: 200 },
  lifecycle: ledger,
  presence: { prefixes: ["room"], node },
});
const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
// Presence is cluster-wide: the other nodes' ledger entries join this node's presence.
const remote = new RemoteMembers(server.presenceStore!);
await ledger.watch((id, record) => remote.update(id, record));
console.error(`lhttp listening on http://127.0.0.1:${running.port}/ node ${node}`);
Deno.addSignalListener("SIGTERM", async () => {
  await running.shutdown();
  await ledger.close();
  Deno.exit(0);
});
