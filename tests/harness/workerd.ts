// Runs a Worker with its Durable Objects in local workerd: bundles the entry
// (deno bundle, esbuild underneath, resolving deno.json's import map), writes
// a workerd config, starts `workerd serve` and reads the port it listens on
// from its control messages (--control-fd=1, stdout).
//
// workerd comes from npm (`@cloudflare/workerd-linux-64`, installed by .ci/run
// into ~/.cache/lhttp-edge); LHTTP_WORKERD names another binary. A test that
// needs it skips locally with a notice when it is missing and fails in CI.

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

const HOME = Deno.env.get("HOME") ?? "/root";
const CACHE = `${Deno.env.get("XDG_CACHE_HOME") ?? `${HOME}/.cache`}/lhttp-edge`;
const INSTALL = `npm i --prefix ${CACHE} workerd@1.20260426.1`;

/** The workerd binary, or undefined when none is installed. */
export const WORKERD: string | undefined = await findWorkerd();

async function findWorkerd(): Promise<string | undefined> {
  const candidates = [
    Deno.env.get("LHTTP_WORKERD"),
    `${CACHE}/node_modules/@cloudflare/workerd-linux-64/bin/workerd`,
  ];
  for (const path of candidates) {
    if (path && await Deno.stat(path).then((s) => s.isFile, () => false)) return path;
  }
  return undefined;
}

if (!WORKERD && !Deno.env.get("CI")) {
  console.error(`edge tests need workerd and are skipped (${INSTALL})`);
}

/** A test that runs workerd: skipped locally without it, failed in CI. */
export function workerdTest(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  Deno.test({
    name,
    ignore: !WORKERD && !Deno.env.get("CI"),
    async fn(t) {
      assert.ok(WORKERD, `workerd is missing: ${INSTALL}`);
      await fn(t);
    },
  });
}

/** A running workerd. */
export interface Workerd {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** What workerd and the Worker printed. */
  output(): string;
  stop(): Promise<void>;
}

/** Options of {@linkcode startWorkerd}. */
export interface WorkerdOptions {
  /** Text bindings of the Worker. */
  vars?: Record<string, string>;
  /** Durable Object classes the entry exports, by binding (default `{ LHTTP: "LhttpObject" }`). */
  objects?: Record<string, string>;
  /** The address to listen on (default `127.0.0.1:0`, a free port). */
  address?: string;
  /** A directory served read-only to the Worker as the service binding `ASSETS`. */
  assets?: string;
}

/**
 * Bundles a Worker entry (a path from the repository root) into one ES module
 * at `output`: `deno bundle` (esbuild) resolves deno.json's import map and
 * inlines npm packages; `node:` built-ins stay imports (workerd's nodejs_compat).
 */
export async function bundleWorker(entry: string, output: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "browser", "-o", output, entry],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle ${entry} failed:\n${new TextDecoder().decode(stderr)}`);
  }
}

/** Bundles `entry` (from the repository root) and serves it in workerd. */
export async function startWorkerd(entry: string, options: WorkerdOptions = {}): Promise<Workerd> {
  assert.ok(WORKERD, `workerd is missing: ${INSTALL}`);
  const dir = await Deno.makeTempDir({ prefix: "lhttp-workerd-" });
  // On disk: in-memory storage would be lost with an evicted (hibernated) object.
  await Deno.mkdir(`${dir}/storage`);
  await bundleWorker(entry, `${dir}/worker.js`);
  const objects = Object.entries(options.objects ?? { LHTTP: "LhttpObject" });
  const bindings = Object.entries(options.vars ?? {}).map(([name, text]) =>
    `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`
  );
  for (const [binding, className] of objects) {
    bindings.push(
      `(name = ${JSON.stringify(binding)}, durableObjectNamespace = ${JSON.stringify(className)})`,
    );
  }
  const assets = options.assets === undefined
    ? ""
    : `(name = "assets", disk = (path = ${JSON.stringify(options.assets)})),`;
  if (assets) bindings.push(`(name = "ASSETS", service = "assets")`);
  const namespaces = objects.map(([, className]) =>
    `(className = ${JSON.stringify(className)}, uniqueKey = ${
      JSON.stringify(`lhttp-${className}`)
    })`
  );
  const address = JSON.stringify(options.address ?? "127.0.0.1:0");
  await Deno.writeTextFile(
    `${dir}/config.capnp`,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
    (name = "storage", disk = (path = ${JSON.stringify(`${dir}/storage`)}, writable = true)),
    ${assets}
  ],
  sockets = [ (name = "http", address = ${address}, http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2026-04-01",
  compatibilityFlags = ["nodejs_compat"],
  durableObjectNamespaces = [ ${namespaces.join(", ")} ],
  durableObjectStorage = (localDisk = "storage"),
  bindings = [ ${bindings.join(", ")} ],
);
`,
  );
  const child = new Deno.Command(WORKERD, {
    args: ["serve", `${dir}/config.capnp`, "--control-fd=1", "--verbose"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const decoder = new TextDecoder();
  const drained = child.stderr.pipeTo(
    new WritableStream({ write: (chunk) => void (stderr += decoder.decode(chunk)) }),
  ).catch(() => {});
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let port = 0;
  while (!port) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`workerd exited before listening:\n${stderr}`);
    buffered += value;
    for (const line of buffered.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const event = JSON.parse(line) as { event?: string; port?: number };
        if (event.event === "listen" && event.port) port = event.port;
      } catch {
        // A partial line: read on.
      }
    }
  }
  // What the Worker logs (console.*) arrives on stdout after the control messages.
  const rest = (async () => {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      stderr += read.value;
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => stderr,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
      await Promise.all([drained, rest]);
      await Deno.remove(dir, { recursive: true });
    },
  };
}
