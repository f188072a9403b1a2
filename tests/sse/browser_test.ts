// Chromium with WebSocket made to fail: the chat page (the committed browser
// bundle) falls back to SSE by itself and chats with a page on WebSocket.
// Without Chromium these tests are skipped with a notice, unless CI is set.

import assert from "node:assert/strict";
import { type Browser, chromium } from "playwright-core";
import { serveDeno } from "../../src/adapters/deno.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";

const CHROMIUM = Deno.env.get("LHTTP_CHROMIUM") ?? "/usr/bin/chromium";
const STATIC = new URL("../../examples/chat/", import.meta.url).pathname;
const found = await Deno.stat(CHROMIUM).then(() => true, () => false);
if (!found && Deno.env.get("CI")) {
  throw new Error(`Browser tests need Chromium at ${CHROMIUM} (apt-get install chromium)`);
}
if (!found) console.warn(`NOTICE: ${CHROMIUM} not found; skipping the SSE browser test.`);
const WAIT = { timeout: 20_000 };

// Every WebSocket the page makes errors and closes before it opens.
const BLOCK_WEBSOCKET = `
  window.WebSocket = class BlockedWebSocket extends EventTarget {
    constructor(url) {
      super();
      this.url = url; this.readyState = 0; this.binaryType = "blob";
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      window.__blocked = (window.__blocked ?? 0) + 1;
      setTimeout(() => {
        this.readyState = 3;
        this.onerror?.(new Event("error"));
        this.onclose?.(Object.assign(new Event("close"), { code: 1006, reason: "" }));
      }, 5);
    }
    send() { throw new DOMException("not open", "InvalidStateError"); }
    close() {}
  };
`;

async function withBrowser(run: (browser: Browser) => Promise<void>): Promise<void> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  try {
    await run(browser);
  } finally {
    await browser.close();
  }
}

Deno.test({
  name:
    "browser: with WebSocket blocked the chat page falls back to SSE and chats with a WebSocket page",
  ignore: !found,
  async fn() {
    const server = new LhttpServer();
    const running = serveDeno(server, { port: 0, hostname: "127.0.0.1", static: STATIC });
    try {
      await withBrowser(async (browser) => {
        const blocked = await browser.newPage();
        const errors: string[] = [];
        blocked.on("pageerror", (error) => errors.push(String(error)));
        await blocked.addInitScript(BLOCK_WEBSOCKET);
        await blocked.goto(`http://127.0.0.1:${running.port}/?nick=ann&room=s1`);
        await blocked.waitForSelector("body[data-state=open]", WAIT);
        assert.ok(await blocked.evaluate("window.__blocked") as number >= 2);
        const open = await browser.newPage();
        await open.goto(`http://127.0.0.1:${running.port}/?nick=bob&room=s1`);
        await open.waitForSelector("body[data-state=open]", WAIT);
        const peers = [...server.connections.values()].map((c) => c.peer.constructor.name);
        assert.equal(peers.length, 2);
        assert.equal(peers.filter((name) => name === "SsePeer").length, 1, peers.join());

        await blocked.fill("#text", "hello over sse");
        await blocked.press("#text", "Enter");
        await open.waitForSelector("li.msg >> text=hello over sse", WAIT);
        await open.fill("#text", "hi ann, over websocket");
        await open.press("#text", "Enter");
        await blocked.waitForSelector("li.msg >> text=hi ann, over websocket", WAIT);
        await blocked.waitForFunction(
          `document.getElementById("online").textContent === "2 online"`,
          undefined,
          WAIT,
        );
        assert.deepEqual(errors, []);
      });
    } finally {
      await running.shutdown();
    }
  },
});
