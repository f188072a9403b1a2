// Every example in examples/ runs as documented: it starts, serves one
// subscribe + publish round trip, and exits on SIGTERM. EXAMPLES says how to
// start each; an example missing from it fails here until it gets a row.
// The chat demo also gives each connection a unique display name: checked over
// the protocol on Deno, Bun and Node, and in headless Chromium (skipped with a
// notice when Chromium is missing, unless CI is set).

import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import type { Context } from "../mod.ts";
import { type Frame, LhttpClient, textOf } from "../src/client/mod.ts";
import { uniqueNames } from "../examples/chat/names.ts";
import { skipNats } from "./harness/nats_server.ts";
import { within } from "./client/_guard.ts";

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
  // README: `deno task start`, the chat demo (examples/chat/server.ts).
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
      await distinctNames(url);
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
  // examples/workers: the chat demo in local workerd (`deno task start:workers`), tested where
  // workerd is installed, with its own launcher: tests/edge/.
  workers: {
    command: ["deno", "task", "start:workers"],
    nodes: 1,
    skip: "tested by tests/edge/ (local workerd)",
  },
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
  const running = await startExample(example);
  try {
    await roundTrip(running.urls, example.channel ?? "room", example.wsPath ?? "/");
    await example.check?.(running.urls);
  } finally {
    await running.stop();
  }
}

/** A started example: its node URLs, and `stop()`, which asserts its exit code. */
interface Started {
  urls: string[];
  stop(): Promise<void>;
}

async function startExample(example: Example): Promise<Started> {
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
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already exited.
      }
      const { code } = await exited;
      clearTimeout(timer);
      await pumps;
      assert.ok((example.exitCodes ?? [0]).includes(code), `exit code ${code}:\n${log}`);
    })();
  const urls = await announced;
  if (urls.length !== example.nodes) {
    await stop().catch(() => {});
    assert.fail(`did not start:\n${log}`);
  }
  return { urls, stop };
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

// The chat demo's server names connections: two pages asking for "ann" come
// back as "ann" and "ann-2" (each learns its name from its own frame's echo).
async function distinctNames(url: string): Promise<void> {
  const channel = "chat.names";
  const clients = [0, 1].map(() =>
    new LhttpClient(url.replace(/^http/, "ws") + "/", { reconnect: false })
  );
  try {
    const echoes = clients.map((client, index) =>
      new Promise<Frame>((resolve) => {
        client.subscribe(channel, (frame) => {
          if (frame.headers.get("id") === `page-${index}`) resolve(frame);
        });
      })
    );
    for (const client of clients) await within(client.subscribe(channel).ready, "subscription");
    // One after the other: the first to ask gets the name.
    for (const [index, client] of clients.entries()) {
      await client.publish(channel, "", {
        command: "presence",
        headers: { presence: "join", nick: "ann", id: `page-${index}` },
      });
      await within(echoes[index], `page ${index}'s echo`);
    }
    const names = await Promise.all(echoes.map(async (echo) => (await echo).headers.get("nick")));
    assert.deepEqual(names, ["ann", "ann-2"]);
  } finally {
    for (const client of clients) await client.close();
  }
}

// Drives the middleware alone (its inputs are the public Context surface), so
// the test does not depend on how adapters feed the server.
Deno.test("examples/chat/names.ts: unique names, kept, released on rename and close", () => {
  const middleware = uniqueNames();
  const connect = () => ({ closed: false });
  // Publishes as `nick` (none: no header); returns the nick the frame goes out with.
  const say = (connection: { closed: boolean }, nick?: string) => {
    const headers = new Map([["publish", "chat.t"]]);
    if (nick !== undefined) headers.set("nick", nick);
    const ctx = {
      connection,
      reply: { headers },
      header: (name: string) => headers.get(name),
      setHeader: (name: string, value: string) => (headers.set(name, value), ctx),
    };
    let passed = false;
    middleware(ctx as unknown as Context, () => void (passed = true));
    assert.ok(passed, "the frame goes on");
    return headers.get("nick");
  };
  const [a, b, c, d, e] = [connect(), connect(), connect(), connect(), connect()];
  assert.equal(say(a, "ann"), "ann");
  assert.equal(say(b, "ann"), "ann-2");
  assert.equal(say(c, " ANN "), "ANN-3", "names collide without case");
  assert.equal(say(a, "ann"), "ann", "a name stays with its connection");
  assert.equal(say(b), "ann-2", "a frame without nick keeps the name");
  assert.equal(say(a, "bob"), "bob");
  assert.equal(say(d, "ann"), "ann", "a rename frees the old name");
  b.closed = true;
  assert.equal(say(e, "ann"), "ann-2", "a closed connection frees its name");
  const long = "x".repeat(40);
  assert.equal(say(c, long), "x".repeat(32));
  assert.equal(say(d, long), "x".repeat(30) + "-2", "the suffix fits in 32 characters");
  assert.equal(say(e, "\u0007 \t"), "guest");
  assert.equal(say(e, "a  \t b"), "a b", "spaces collapse");
});

// The chat page in headless Chromium against `deno task start`: a desktop page
// and a phone-sized page both ask for "ann". LHTTP_SCREENSHOTS=DIR saves what
// they look like.
const CHROMIUM = Deno.env.get("LHTTP_CHROMIUM") ?? "/usr/bin/chromium";
const chromiumFound = await Deno.stat(CHROMIUM).then(() => true, () => false);
if (!chromiumFound && Deno.env.get("CI")) {
  throw new Error(`The chat page test needs Chromium at ${CHROMIUM} (apt-get install chromium)`);
}
if (!chromiumFound) {
  console.warn(`NOTICE: ${CHROMIUM} not found; skipping the chat page test (CI fails instead).`);
}
const SCREENSHOTS = Deno.env.get("LHTTP_SCREENSHOTS");
const WAIT = { timeout: 20_000 };

Deno.test({
  name: "examples/chat in Chromium: two anns get distinct names, both are listed, " +
    "and the count hides while disconnected",
  ignore: !chromiumFound,
  async fn() {
    let running = await startExample(EXAMPLES.chat);
    const port = new URL(running.urls[0]).port;
    const browser = await launchChromium();
    try {
      const desktop = await openChat(browser, port, { width: 1000, height: 640 });
      const phone = await openChat(browser, port, { width: 390, height: 720 });
      for (const { page } of [desktop, phone]) await onlineCount(page, 2);
      assert.deepEqual(await people(desktop.page), ["ann (you)", "ann-2"]);
      assert.deepEqual(await people(phone.page), ["ann-2 (you)", "ann"]);
      await say(phone.page, "hello from the phone");
      await say(desktop.page, "hi phone");
      for (const { page } of [desktop, phone]) {
        await page.waitForSelector("li.msg >> text=hi phone", WAIT);
        assert.deepEqual(await messages(page), ["ann-2: hello from the phone", "ann: hi phone"]);
      }
      await screenshot(desktop.page, "chat-desktop");
      await screenshot(phone.page, "chat-phone");

      await running.stop();
      for (const { page } of [desktop, phone]) {
        await page.waitForSelector("body:not([data-state=open])", WAIT);
        assert.ok(await page.isHidden("#online"), "the online count is hidden");
        assert.ok(await page.isHidden("#people"), "the online list is hidden");
        assert.equal(await page.textContent("#offline"), "offline");
      }
      await screenshot(desktop.page, "chat-desktop-offline");
      await screenshot(phone.page, "chat-phone-offline");

      // Back on the same port: the pages reconnect, ask again, and list each other.
      running = await startExample({
        ...EXAMPLES.chat,
        command: ["deno", "task", "start", "--port", port, "--host", "127.0.0.1"],
      });
      for (const { page } of [desktop, phone]) {
        await page.waitForSelector("body[data-state=open]", WAIT);
        await onlineCount(page, 2);
      }
      const mine = await Promise.all([desktop, phone].map(async ({ page }) => {
        const [self, other] = await people(page);
        return [self.replace(/ \(you\)$/, ""), other];
      }));
      assert.deepEqual(mine.map(([self]) => self).sort(), ["ann", "ann-2"]);
      assert.deepEqual(mine[0], [...mine[1]].reverse(), "each lists the other by its name");
      assert.deepEqual([...desktop.errors, ...phone.errors], []);
    } finally {
      await browser.close();
      await running.stop();
    }
  },
});

function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

async function openChat(
  browser: Browser,
  port: string,
  viewport: { width: number; height: number },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 2 });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`http://127.0.0.1:${port}/?nick=ann&room=names`);
  // Named: the page's own frame came back with the server's name for it.
  await page.waitForSelector("#people .self", WAIT);
  return { page, errors };
}

async function onlineCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    `document.querySelectorAll("#people li").length === ${count}`,
    undefined,
    WAIT,
  );
  assert.equal(await page.textContent("#online"), `${count} online`);
  assert.ok(await page.isVisible("#online"));
  assert.ok(await page.isHidden("#offline"));
}

function people(page: Page): Promise<string[]> {
  return page.$$eval("#people li", (items) => items.map((item) => item.textContent!.trim()));
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.press("#text", "Enter");
}

function messages(page: Page): Promise<string[]> {
  return page.$$eval(
    "#messages li.msg",
    (items) =>
      items.map((item) =>
        item.querySelector(".author")!.textContent + ": " + item.querySelector(".text")!.textContent
      ),
  );
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}
