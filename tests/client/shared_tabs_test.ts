// SharedLhttpClient in Chromium (issue 19 part 3): tabs of one origin share
// one server connection, on the leader path (Web Locks, BroadcastChannel)
// and the SharedWorker path. Each tab gets exactly its own channels' frames,
// acks and errors reach the tab that asked, a leaving or crashed tab releases
// its channels, and when the leading tab closes mid-stream on a channel with
// history the others go on with every publication once, in order.

import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { serveDeno } from "../../src/adapters/deno.ts";
import type { ServerOptions } from "../../src/server/options.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { until } from "../harness/serve_child.ts";

const CHROMIUM = Deno.env.get("LHTTP_CHROMIUM") ?? "/usr/bin/chromium";
const found = await Deno.stat(CHROMIUM).then(() => true, () => false);
if (!found && Deno.env.get("CI")) throw new Error(`Browser tests need Chromium at ${CHROMIUM}`);
const WAIT = { timeout: 20_000 };
const ROOT = new URL("../../", import.meta.url).pathname;

// ?ch=a&ch=b subscribes; ?worker=1 takes the SharedWorker path.
const PAGE = `<!doctype html><script type="module">
import { SharedLhttpClient } from "./shared.mjs";
const query = new URLSearchParams(location.search);
const options = { name: query.get("name") };
if (query.get("worker")) options.workerUrl = "./worker.js";
const client = new SharedLhttpClient("ws://" + location.host + "/", options);
window.client = client;
window.got = [];
window.ready = Promise.all(query.getAll("ch").map((channel) =>
  client.subscribe(channel, (f) => got.push(f.headers.get("publish") + ":" + f.body))
)).then(() => "ok", (e) => String(e));
</script>`;

async function bundle(dir: string, file: string, entry: string, format: string): Promise<void> {
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform=browser", `--format=${format}`, "-o", file, entry],
    cwd: ROOT,
  }).output();
  assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
  await Deno.rename(`${ROOT}${file}`, `${dir}/${file}`);
}

type Open = (query: string) => Promise<Page>;

async function withTabs(
  options: ServerOptions,
  fn: (server: LhttpServer, open: Open) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  await bundle(dir, "shared.mjs", "src/client/shared_client.ts", "esm");
  await bundle(dir, "worker.js", "src/client/_shared_worker_entry.ts", "iife");
  await Deno.writeTextFile(`${dir}/index.html`, PAGE);
  const server = new LhttpServer(options);
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1", static: dir });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox"],
  });
  const name = crypto.randomUUID();
  try {
    const context = await browser.newContext();
    const open: Open = async (query) => {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${running.port}/index.html?name=${name}&${query}`);
      assert.equal(await page.evaluate("window.ready"), "ok");
      return page;
    };
    await fn(server, open);
  } finally {
    await browser.close();
    await running.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

const got = (page: Page) => page.evaluate("got") as Promise<string[]>;

Deno.test({
  name:
    "browser, leader path: three tabs share one connection; the leader's tab closes and another takes over",
  ignore: !found,
  fn: () =>
    withTabs({}, async (server, open) => {
      const [first, second, third] = [await open("ch=a"), await open("ch=b"), await open("ch=a")];
      assert.equal(server.connections.size, 1, "one connection for three tabs");
      assert.equal(server.hub.subscriptionCount, 2, "a and b, a counted once");
      const leaders = await Promise.all(
        [first, second, third].map((p) => p.evaluate("client.leader")),
      );
      assert.deepEqual(leaders, [true, false, false]);

      server.publish("a", { command: "m", body: "one" });
      server.publish("b", { command: "m", body: "two" });
      assert.equal(
        await second.evaluate("client.publish('a', 'from b').then(() => 'acked')"),
        "acked",
      );
      for (const page of [first, third]) {
        await page.waitForFunction("got.length === 2", undefined, WAIT);
        assert.deepEqual(await got(page), ["a:one", "a:from b"]);
      }
      assert.deepEqual(await got(second), ["b:two"]);
      const refused = await third.evaluate(
        "client.publish('bad channel!', 'x').then(() => 'ok', (e) => e.code)",
      );
      assert.equal(refused, "bad_channel", "the error reaches the tab that asked");

      await first.close({ runBeforeUnload: true });
      await until(
        async () =>
          (await second.evaluate("client.leader")) || (await third.evaluate("client.leader")),
        "a new leader",
      );
      await until(
        () => server.connections.size === 1 && server.hub.subscriptionCount === 2,
        "resubscribed",
      );
      server.publish("a", { command: "m", body: "three" });
      server.publish("b", { command: "m", body: "four" });
      await third.waitForFunction("got.length === 3", undefined, WAIT);
      await second.waitForFunction("got.length === 2", undefined, WAIT);
      assert.deepEqual(await got(third), ["a:one", "a:from b", "a:three"]);
      assert.deepEqual(await got(second), ["b:two", "b:four"]);
    }),
});

Deno.test({
  name:
    "browser, leader path: the leader's tab closes mid-stream; with history nothing is lost or repeated",
  ignore: !found,
  fn: () =>
    withTabs(
      { history: [{ prefix: "chat.", size: 1000, ttlMs: 60_000 }] },
      async (server, open) => {
        const tabs = [await open("ch=chat.r"), await open("ch=chat.r"), await open("ch=chat.r")];
        assert.equal(await tabs[0].evaluate("client.leader"), true);
        let sent = 0;
        let stop = false;
        const publishing = (async () => {
          while (!stop) {
            server.publish("chat.r", { command: "m", body: String(sent++) });
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
        })();
        try {
          await tabs[1].waitForFunction("got.length >= 50", undefined, WAIT);
          await tabs[0].close({ runBeforeUnload: true });
          const atClose = sent;
          await tabs[2].waitForFunction(`got.length >= ${atClose + 100}`, undefined, WAIT);
        } finally {
          stop = true;
          await publishing;
        }
        const expected = Array.from({ length: sent }, (_, i) => `chat.r:${i}`);
        for (const tab of tabs.slice(1)) {
          await tab.waitForFunction(`got.length >= ${sent}`, undefined, WAIT);
          assert.deepEqual(await got(tab), expected, "every publication once, in order");
        }
        assert.equal(server.connections.size, 1);
      },
    ),
});

Deno.test({
  name:
    "browser, worker path: one connection in a SharedWorker; closed and silent (crashed) tabs release their channels",
  ignore: !found,
  fn: () =>
    withTabs({}, async (server, open) => {
      const [first, second, third] = [
        await open("worker=1&ch=a&ch=solo"),
        await open("worker=1&ch=b"),
        await open("worker=1&ch=a"),
      ];
      assert.equal(await first.evaluate("client.mode"), "worker");
      assert.equal(server.connections.size, 1, "one connection for three tabs");
      assert.equal(server.hub.subscriptionCount, 3, "a, b and solo, a counted once");

      server.publish("b", { command: "m", body: "two" });
      assert.equal(
        await second.evaluate("client.publish('a', 'from b').then(() => 'acked')"),
        "acked",
        "the ack reaches the tab that asked",
      );
      for (const page of [first, third]) {
        await page.waitForFunction("got.length === 1", undefined, WAIT);
        assert.deepEqual(await got(page), ["a:from b"]);
      }
      assert.deepEqual(await got(second), ["b:two"]);
      const refused = await third.evaluate(
        "client.publish('bad channel!', 'x').then(() => 'ok', (e) => e.code)",
      );
      assert.equal(refused, "bad_channel", "the error reaches the tab that asked");

      await second.close({ runBeforeUnload: true });
      await until(() => server.hub.subscriptionCount === 2, "b released by the closed tab");
      // A tab that dies without a word (a crash: no pagehide, no bye) releases too: its
      // lock frees. (Page.crash would take down the renderer the tabs share.)
      await first.evaluate(`{
        const post = MessagePort.prototype.postMessage;
        MessagePort.prototype.postMessage = function (message) {
          if (message?.t !== "bye") post.call(this, message);
        };
      }`);
      await first.close({ runBeforeUnload: true });
      await until(() => server.hub.subscriptionCount === 1, "solo released by the silent tab");
      server.publish("a", { command: "m", body: "three" });
      await third.waitForFunction("got.length === 2", undefined, WAIT);
      assert.deepEqual(await got(third), ["a:from b", "a:three"]);
      assert.equal(server.hub.subscriptionCount, 1, "the third tab still holds a");
      assert.equal(server.connections.size, 1);
      await third.close({ runBeforeUnload: true });
      await until(
        () => server.connections.size === 0,
        "the last tab's leaving closed the connection",
      );
    }),
});
