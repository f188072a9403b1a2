// The admin page in Chromium against two lhttp serve processes joined over
// nats-server: a wrong token refused, log in, two nodes, publish and see the
// frame reach a client on the other node, a live trace, disconnect a client.
// Screenshots at desktop and phone widths go to LHTTP_ADMIN_SCREENSHOTS (a
// temporary folder by default, printed).

import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { spawnServe } from "../harness/serve_child.ts";
import { Client } from "../harness/cluster.ts";
import { skipNats, startNatsServer, waitFor } from "../harness/nats_server.ts";
import { LHTTP_MAIN } from "../cli/_lhttp.ts";

const CHROMIUM = Deno.env.get("LHTTP_CHROMIUM") ?? "/usr/bin/chromium";
const found = await Deno.stat(CHROMIUM).then(() => true, () => false);
if (!found && Deno.env.get("CI")) {
  throw new Error(`The admin page test needs Chromium at ${CHROMIUM}`);
}
const TOKEN = "admin-test-token";
const WAIT = { timeout: 20_000 };

async function shots(page: Page, name: string, dir: string): Promise<void> {
  for (const [label, width, height] of [["desktop", 1280, 900], ["phone", 390, 844]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${dir}/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

Deno.test({
  name:
    "admin page in Chromium: wrong token refused, two nodes, publish reaches a client, trace, disconnect",
  ignore: skipNats || !found,
  async fn() {
    const dir = Deno.env.get("LHTTP_ADMIN_SCREENSHOTS") ??
      await Deno.makeTempDir({ prefix: "lhttp-admin-shots-" });
    await Deno.mkdir(dir, { recursive: true });
    console.log(`admin screenshots: ${dir}`);
    const nats = await startNatsServer();
    const args = [
      "run",
      "-A",
      LHTTP_MAIN,
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--nats",
      nats.url,
      "--admin-token",
      TOKEN,
    ];
    const a = await spawnServe(Deno.execPath(), args);
    const b = await spawnServe(Deno.execPath(), args);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
    const reader = await Client.open(b.url);
    const leaver = new WebSocket(b.url.replace("http", "ws") + "/");
    try {
      await reader.subscribe("news");
      await new Promise((resolve) => leaver.addEventListener("open", resolve, { once: true }));
      const leaverClosed = new Promise<number>((resolve) =>
        leaver.addEventListener("close", (e) => resolve(e.code))
      );
      leaver.send("LHTTP/1.0 chat\r\nsubscribe:bye.room\r\n\r\n");
      await waitFor(
        async () => (await nats.subscriptions()).some((s) => s.endsWith("news")),
        "B's NATS subscription",
      );
      const api = async (base: string) =>
        await (await fetch(`${base}/admin/api/nodes`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })).json();
      const nodeA: string = (await api(a.url)).node;
      const nodeB: string = (await api(b.url)).node;

      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${a.url}/admin`);
      await page.locator("#token").waitFor(WAIT);
      await shots(page, "1-login", dir);
      await page.fill("#token", "not-the-token");
      await page.click("#login-form button");
      await page.locator("#login-error", { hasText: "Wrong admin token" }).waitFor(WAIT);
      assert.ok(await page.locator("#app").isHidden());
      assert.ok(!page.url().includes("not-the-token"), "the token went into the URL");

      await page.fill("#token", TOKEN);
      await page.click("#login-form button");
      await page.locator(`#nodes-body tr[data-node="${nodeB}"] .pill.ok`).waitFor(WAIT);
      await page.locator(`#nodes-body tr[data-node="${nodeA}"] .pill.ok`).waitFor(WAIT);
      assert.equal(await page.locator("#nodes-body tr").count(), 2);
      assert.ok(!page.url().includes(TOKEN), "the token went into the URL");
      await page.locator("#channels-body tr", { hasText: "news" }).click();
      await page.locator("#presence", { hasText: "no presence kept for this channel" }).waitFor(
        WAIT,
      );

      await page.fill("#trace-channel", "news");
      await page.click("#trace-toggle");
      await page.locator("#trace-status", { hasText: "Tracing news" }).waitFor(WAIT);
      await page.fill("#pub-channel", "news");
      await page.fill("#pub-body", "hello from the admin page");
      await page.click("#publish-form button[type=submit]");
      await page.locator("#publish-result", { hasText: "Published to news" }).waitFor(WAIT);
      await reader.waitForCount(1);
      assert.deepEqual(reader.texts(), ["hello from the admin page"]);
      await page.locator("#trace-log", { hasText: "hello from the admin page" }).waitFor(WAIT);

      await page.selectOption("#conn-node", nodeB);
      const row = page.locator("#conn-body tr", { hasText: "bye.room" });
      await row.waitFor(WAIT);
      await page.fill("#channel-search", "ne");
      await shots(page, "2-dashboard", dir);
      await row.locator("button[data-disconnect]").click();
      assert.equal(await leaverClosed, 1008);
      await page.locator("#conn-body tr", { hasText: "bye.room" }).waitFor({
        state: "detached",
        ...WAIT,
      });
      assert.equal(await page.locator("#conn-body tr").count(), 1, "the other client stays");
      // A node that stops answering is shown as such, the page goes on.
      Deno.kill(b.pid, "SIGSTOP");
      try {
        await page.locator(`#nodes-body tr[data-node="${nodeB}"] .pill.bad`, {
          hasText: "no answer",
        })
          .waitFor(WAIT);
        await page.locator(`#nodes-body tr[data-node="${nodeA}"] .pill.ok`).waitFor(WAIT);
        await shots(page, "3-node-not-answering", dir);
      } finally {
        Deno.kill(b.pid, "SIGCONT");
      }
      await page.close();
    } finally {
      await reader.close().catch(() => {});
      await browser.close();
      await a.stop();
      await b.stop();
      await nats.stop();
    }
  },
});
