// Starts real nats-server processes for the cluster tests, each on free ports.
// A missing binary skips the tests locally (with a notice) and fails them in CI.

const CANDIDATES = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];

function findBinary(): string | undefined {
  const fromEnv = Deno.env.get("NATS_SERVER");
  if (fromEnv) return fromEnv;
  for (
    const path of [
      ...CANDIDATES,
      ...(Deno.env.get("PATH") ?? "").split(":").map((dir) => `${dir}/nats-server`),
    ]
  ) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* try the next one */ }
  }
  return undefined;
}

/** The nats-server binary, if installed. */
export const NATS_SERVER_BIN: string | undefined = findBinary();

/** True when the NATS tests must be skipped: no binary, and not in CI. */
export const skipNats: boolean = NATS_SERVER_BIN === undefined && !Deno.env.get("CI");
if (skipNats) {
  console.warn(
    "NOTICE: nats-server not found (install the Debian package nats-server); skipping the NATS cluster tests",
  );
}

/** A free TCP port on 127.0.0.1 (released just before use). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Options of {@linkcode startNatsServer}. */
export interface NatsServerOptions {
  /** Also listen for WebSocket clients. */
  websocket?: boolean;
  /** Join a NATS cluster: routes to these servers' cluster ports. */
  routes?: readonly NatsServer[];
  /** Always open a cluster port (for servers that others route to). */
  cluster?: boolean;
}

/** A running nats-server. */
export interface NatsServer {
  readonly url: string;
  readonly wsUrl?: string;
  readonly clusterPort?: number;
  readonly monitorUrl: string;
  /** Kills the process (SIGKILL, like a crash) and waits for it. */
  kill(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, nothing is read or answered. */
  pause(): void;
  /** Lets a paused process run again (SIGCONT). */
  resume(): void;
  /** Starts it again with the same ports. */
  restart(): Promise<void>;
  /** Stops it and removes its files. */
  stop(): Promise<void>;
  /** Subjects currently subscribed by clients, from the monitoring endpoint. */
  subscriptions(): Promise<string[]>;
}

/** Starts a nats-server and waits until it accepts clients. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  if (!NATS_SERVER_BIN) throw new Error("nats-server is not installed (needed in CI)");
  const port = freePort();
  const monitor = freePort();
  const wsPort = options.websocket ? freePort() : undefined;
  const clusterPort = options.cluster || options.routes ? freePort() : undefined;
  const dir = await Deno.makeTempDir({ prefix: "lhttp-nats-" });
  const lines = [`port: ${port}`, `http_port: ${monitor}`, `host: 127.0.0.1`];
  if (wsPort) lines.push(`websocket { port: ${wsPort}, no_tls: true }`);
  if (clusterPort) {
    const routes = (options.routes ?? []).map((server) =>
      `"nats://127.0.0.1:${server.clusterPort}"`
    );
    lines.push(
      `cluster { name: lhttp_test, host: 127.0.0.1, port: ${clusterPort}, routes: [${
        routes.join(", ")
      }] }`,
    );
  }
  const config = `${dir}/nats.conf`;
  await Deno.writeTextFile(config, lines.join("\n") + "\n");
  const monitorUrl = `http://127.0.0.1:${monitor}`;
  let child: Deno.ChildProcess | undefined;

  const launch = async () => {
    child = new Deno.Command(NATS_SERVER_BIN, {
      args: ["-c", config],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitFor(async () => {
      try {
        const response = await fetch(`${monitorUrl}/healthz`);
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false;
      }
    }, "nats-server to start");
  };
  let paused = false;
  const signal = (name: Deno.Signal) => {
    if (!child) throw new Error("nats-server is not running");
    child.kill(name);
    paused = name === "SIGSTOP";
  };
  const kill = async () => {
    if (!child) return;
    try {
      if (paused) signal("SIGCONT"); // a stopped process still dies, but exits cleaner awake
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    child = undefined;
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    wsUrl: wsPort ? `ws://127.0.0.1:${wsPort}` : undefined,
    clusterPort,
    monitorUrl,
    kill,
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    restart: launch,
    async stop() {
      await kill();
      await Deno.remove(dir, { recursive: true });
    },
    async subscriptions() {
      const response = await fetch(`${monitorUrl}/connz?subs=1`);
      const body = await response.json() as { connections?: { subscriptions_list?: string[] }[] };
      return (body.connections ?? []).flatMap((connection) => connection.subscriptions_list ?? []);
    },
  };
}

/** Polls `condition` until true, failing after `timeoutMs` with `what`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
