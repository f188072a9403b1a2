// Every example in examples/ runs as documented: it starts, serves one
// subscribe + publish round trip, and exits on SIGTERM. EXAMPLES says how to
// start each; an example missing from it fails here until it gets a row.

import assert from "node:assert/strict";
import { LhttpClient, textOf } from "../src/client/mod.ts";
import { skipNats } from "./_nats_server.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** How to run one example, from the repository root. */
interface Example {
  /** The documented command (with `--port 0` where it takes one). */
  command: string[];
  /** How many "listening" URLs it prints (one per node). */
  nodes: number;
  /** Channel for the round trip. */
  channel?: string;
  /** More checks while it runs, given each node's `http://host:port`. */
  check?: (urls: string[]) => Promise<void>;
  /** Why it cannot run here, if it cannot. */
  skip?: string | false;
  /** The exit codes a SIGTERM may end it with (a shell script's trap: 143). */
  exitCodes?: number[];
  /** The WebSocket path, "/" by default (examples mounted in a Hono app use /ws). */
  wsPath?: string;
}

// Bun and Node run an example's bundle, as the examples' headers document.
const bundled = (runtime: "bun" | "node", name: string) => [
  "bash",
  "-c",
  `out="\${TMPDIR:-/tmp}/lhttp-example-${name}.mjs" && ` +
  `deno bundle --quiet --platform deno -o "$out" examples/${name}.ts && exec ${runtime} "$out"`,
];

const EXAMPLES: Record<string, Example> = {
  // README: `deno task start`, the chat demo.
  chat: {
    command: ["deno", "task", "start", "--port", "0", "--host", "127.0.0.1"],
    nodes: 1,
    channel: "chat.lobby",
    async check([url]) {
      for (const path of ["/", "/vendor/lhttp.mjs", "/vendor/lhttp.js"]) {
        const response = await fetch(url + path);
        await response.body?.cancel();
        assert.equal(response.status, 200, path);
      }
    },
  },
  // examples/cluster/run.sh: nats-server and two nodes on 8081 and 8082; a
  // frame published on one node reaches a subscriber on the other.
  cluster: {
    command: ["bash", "examples/cluster/run.sh"],
    nodes: 2,
    channel: "chat.lobby",
    skip: skipNats && "nats-server is not installed",
    exitCodes: [0, 143],
  },
  // examples/hono_*.ts: lhttp mounted on /ws in a Hono app, per runtime.
  "hono_deno.ts": {
    command: ["deno", "run", "-A", "examples/hono_deno.ts"],
    nodes: 1,
    wsPath: "/ws",
  },
  "hono_bun.ts": { command: bundled("bun", "hono_bun"), nodes: 1, wsPath: "/ws" },
  "hono_node.ts": { command: bundled("node", "hono_node"), nodes: 1, wsPath: "/ws" },
};

/** Example names: each directory and each `.ts` file directly under examples/. */
async function discover(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}examples`)) {
    if (entry.isDirectory || entry.name.endsWith(".ts")) names.push(entry.name);
  }
  return names.sort();
}

// A TypeScript example file runs with `deno run` unless its row says otherwise.
function exampleFor(name: string): Example | undefined {
  if (EXAMPLES[name]) return EXAMPLES[name];
  if (/_(node|bun)\.ts$/.test(name)) return undefined;
  if (name.endsWith(".ts")) return { command: ["deno", "run", "-A", `examples/${name}`], nodes: 1 };
  return undefined;
}

for (const name of await discover()) {
  const example = exampleFor(name);
  Deno.test({
    name: `examples/${name}: starts, serves a round trip, stops on SIGTERM`,
    ignore: Boolean(example?.skip),
    async fn() {
      assert.ok(example, `add a row for examples/${name} to EXAMPLES in tests/examples_test.ts`);
      await runExample(example);
    },
  });
}

// README: the same chat demo on Bun and Node, from this clone.
for (const task of ["start:bun", "start:node"]) {
  Deno.test(`deno task ${task}: the chat demo on another runtime`, () =>
    runExample({
      ...EXAMPLES.chat,
      command: ["deno", "task", task, "--port", "0", "--host", "127.0.0.1"],
    }));
}

async function runExample(example: Example): Promise<void> {
  const [program, ...args] = example.command;
  const child = new Deno.Command(program === "deno" ? Deno.execPath() : program, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", PORT: "0" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  let announce!: (urls: string[]) => void;
  const announced = new Promise<string[]>((resolve) => announce = resolve);
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      log += chunk;
      const urls = [...log.matchAll(/listening on (http:\/\/[^/\s]+)/g)].map((m) => m[1]);
      if (urls.length >= example.nodes) announce(urls.slice(0, example.nodes));
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then((status) => (announce([]), status));
  // Bounds the whole run: a hung example is killed and fails below.
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  try {
    const urls = await announced;
    assert.equal(urls.length, example.nodes, `did not start:\n${log}`);
    await roundTrip(urls, example.channel ?? "room", example.wsPath ?? "/");
    await example.check?.(urls);
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    const { code } = await exited;
    clearTimeout(timer);
    await pumps;
    assert.ok((example.exitCodes ?? [0]).includes(code), `exit code ${code}:\n${log}`);
  }
}

// Subscribes on the first node and publishes on the last; across a cluster
// the subscription reaches the other node through NATS, so publishing repeats
// until a frame arrives (each try is acknowledged, so this is no sleep loop).
async function roundTrip(urls: string[], channel: string, path: string): Promise<void> {
  const ws = (url: string) => url.replace(/^http/, "ws") + path;
  const subscriber = new LhttpClient(ws(urls[0]), { reconnect: false });
  const publisher = urls.length > 1
    ? new LhttpClient(ws(urls[urls.length - 1]), { reconnect: false })
    : subscriber;
  try {
    let delivered = false;
    const received = new Promise<string>((resolve) => {
      subscriber.subscribe(channel, (frame) => {
        delivered = true;
        resolve(textOf(frame));
      });
    });
    await subscriber.opened();
    for (let attempt = 0; !delivered && attempt < 50; attempt++) {
      await publisher.publish(channel, "hello example", { command: "chat" });
      if (!delivered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(delivered, "no frame crossed");
    assert.equal(await received, "hello example");
  } finally {
    await subscriber.close();
    if (publisher !== subscriber) await publisher.close();
  }
}
