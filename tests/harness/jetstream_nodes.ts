// A JetStream nats-server with file storage and lhttp nodes on it
// (tests/history/_js_node.ts) on any runtime of `runtimes.ts`: for the history
// fault tests and scripts/bench_recovery.ts.

import { freePort, NATS_SERVER_BIN } from "./nats_server.ts";
import { RUNTIMES } from "./runtimes.ts";
import { type ServeChild, spawnServe } from "./serve_child.ts";

const ENTRY = "tests/history/_js_node.ts";

/** A running `nats-server -js` with file storage. */
export interface JetStream {
  /** `nats://127.0.0.1:PORT`. */
  readonly url: string;
  /** Consumers on the server, from its monitoring endpoint (`/jsz`). */
  consumers(): Promise<number>;
  /** Kills it with SIGKILL and starts it again on the same port and storage. */
  restart(): Promise<void>;
  /** Kills it and removes its storage. */
  stop(): Promise<void>;
}

/** Starts `nats-server -js -sd <temp>` on free ports; resolves once it accepts clients. */
export async function startJetStream(): Promise<JetStream> {
  const bin = NATS_SERVER_BIN;
  if (!bin) throw new Error("nats-server is not installed (needed in CI)");
  const dir = await Deno.makeTempDir({ prefix: "lhttp-js-" });
  const port = freePort();
  const monitor = freePort();
  const args = ["-js", "-sd", dir, "-a", "127.0.0.1", "-p", String(port), "-m", String(monitor)];
  const launch = async () => {
    const child = new Deno.Command(bin, { args, stdout: "null", stderr: "null" })
      .spawn();
    for (let i = 0; i < 200; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    return child;
  };
  let child = await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    async consumers() {
      const jsz = await (await fetch(`http://127.0.0.1:${monitor}/jsz`)).json();
      return jsz.consumers;
    },
    async restart() {
      child.kill("SIGKILL");
      await child.status;
      child = await launch();
    },
    async stop() {
      child.kill("SIGKILL");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** An lhttp node with JetStream history, as a child process. */
export interface JsNode extends ServeChild {
  /** The runtime it runs on (deno, bun, node20, node24). */
  readonly runtime: string;
  /** The pid the node itself printed (the process holding the sockets). */
  readonly reportedPid: number;
  /** Its resident set size now, in bytes (from /proc/PID/status). */
  rss(): number;
}

/** Starts tests/history/_js_node.ts on `runtime` against `natsUrl`. */
export async function startJsNode(
  runtime: string,
  natsUrl: string,
  options: { size?: number; timeoutMs?: number } = {},
): Promise<JsNode> {
  const found = RUNTIMES.find((candidate) => candidate.name === runtime);
  if (!found) throw new Error(`unknown runtime ${runtime}`);
  const [program, ...lead] = await found.command(ENTRY);
  const child = await spawnServe(
    program,
    [...lead, natsUrl, String(options.size ?? 10_000)],
    { timeoutMs: options.timeoutMs ?? 300_000 },
  );
  const reportedPid = Number(/lhttp listening on \S+ pid (\d+)/.exec(child.output())?.[1]);
  return { ...child, runtime, reportedPid, rss: () => rss(child.pid) };
}

/** The resident set size of process `pid`, in bytes. */
export function rss(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb[1]) * 1024;
}
