// Issue 19 part 3 in Chromium: three tabs of one origin share one server
// connection through SharedLhttpClient (Web Locks leader, BroadcastChannel),
// each tab gets exactly its own channels' frames, a publish from a follower
// tab is acknowledged to it, and closing the leading tab hands the connection
// to another tab, which subscribes again.

import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { serveDeno } from "../../src/adapters/deno.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { until } from "../harness/serve_child.ts";

const CHROMIUM = Deno.env.get("LHTTP_CHROMIUM") ?? "/usr/bin/chromium";
const found = await Deno.stat(CHROMIUM).then(() => true, () => false);
if (!found && Deno.env.get("CI")) throw new Error(`Browser tests need Chromium at ${CHROMIUM}`);
const WAIT = { timeout: 20_000 };

const PAGE = `<!doctype html><script type="module">
import { SharedLhttpClient } from "./shared.mjs";
const client = new SharedLhttpClient("ws://" + location.host + "/");
window.client = client;
window.got = [];
const channel = new URLSearchParams(location.search).get("ch");
window.ready = client.subscribe(channel, (f) => got.push(f.headers.get("publish") + ":" + f.body))
  .then(() => "ok", (e) => String(e));
</script>`;

Deno.test({
  name: "browser: three tabs share one connection; the leader's tab closes and another takes over",
  ignore: !found,
  async fn() {
    const dir = await Deno.makeTempDir();
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform=browser",
        "--format=esm",
        "--output",
        `${dir}/shared.mjs`,
        "src/client/shared_client.ts",
      ],
      cwd: new URL("../../", import.meta.url).pathname,
    }).output();
    assert.equal(bundled.code, 0, new TextDecoder().decode(bundled.stderr));
    await Deno.writeTextFile(`${dir}/index.html`, PAGE);
    const server = new LhttpServer();
    const running = serveDeno(server, { port: 0, hostname: "127.0.0.1", static: dir });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox"],
    });
    try {
      const context = await browser.newContext();
      const open = async (channel: string) => {
        const page = await context.newPage();
        await page.goto(`http://127.0.0.1:${running.port}/index.html?ch=${channel}`);
        assert.equal(await page.evaluate("window.ready"), "ok");
        return page;
      };
      const [first, second, third] = [await open("a"), await open("b"), await open("a")];
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
        assert.deepEqual(await page.evaluate("got"), ["a:one", "a:from b"]);
      }
      assert.deepEqual(await second.evaluate("got"), ["b:two"]);
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
      assert.deepEqual(await third.evaluate("got"), ["a:one", "a:from b", "a:three"]);
      assert.deepEqual(await second.evaluate("got"), ["b:two", "b:four"]);
    } finally {
      await browser.close();
      await running.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
