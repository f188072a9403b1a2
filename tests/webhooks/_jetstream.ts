// A nats-server with JetStream for the KV tests (tests/harness/nats_server.ts starts core NATS only).

import { freePort, NATS_SERVER_BIN, waitFor } from "../harness/nats_server.ts";

/** A running JetStream nats-server. */
export interface JetStreamServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts `nats-server -js` on free ports, with its store in a temporary directory. */
export async function startJetStream(): Promise<JetStreamServer> {
  if (!NATS_SERVER_BIN) throw new Error("nats-server is not installed");
  const port = freePort();
  const monitor = freePort();
  const dir = await Deno.makeTempDir({ prefix: "lhttp-js-" });
  const child = new Deno.Command(NATS_SERVER_BIN, {
    args: ["-a", "127.0.0.1", "-p", String(port), "-m", String(monitor), "-js", "-sd", dir],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitFor(async () => {
    try {
      const response = await fetch(`http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`);
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }, "nats-server with JetStream");
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      child.kill("SIGKILL");
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
