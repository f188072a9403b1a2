// The chat demo in a real headless Chromium driven by playwright-core: two
// pages chat both ways, a page reconnects and keeps its room across a server
// restart, and a page written against the original SDK API works.
// Without Chromium these tests are skipped with a notice, unless CI is set.

import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { serveDeno } from "../../src/adapters/deno.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import type { RunningServer } from "../../src/adapters/serve_options.ts";
import { type Frame, LhttpClient } from "../../src/client/mod.ts";
import { within } from "./_guard.ts";

const CHROMIUM = Deno.env.get("LHTTP_CHROMIUM") ?? "/usr/bin/chromium";
const STATIC = new URL("../../examples/chat/", import.meta.url).pathname;
const found = await Deno.stat(CHROMIUM).then(() => true, () => false);
if (!found && Deno.env.get("CI")) {
  throw new Error(`Browser tests need Chromium at ${CHROMIUM} (apt-get install chromium)`);
}
if (!found) {
  console.warn(`NOTICE: ${CHROMIUM} not found; skipping the browser tests (CI fails instead).`);
}
const WAIT = { timeout: 20_000 };

function start(port = 0): RunningServer {
  return serveDeno(new LhttpServer(), { port, hostname: "127.0.0.1", static: STATIC });
}

async function withBrowser(run: (browser: Browser) => Promise<void>): Promise<void> {
  const browser = await chromium.launch({
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
  try {
    await run(browser);
  } finally {
    await browser.close();
  }
}

async function openChat(browser: Browser, port: number, nick: string, room: string) {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`http://127.0.0.1:${port}/?nick=${nick}&room=${room}`);
  await page.waitForSelector("body[data-state=open]", WAIT);
  return { page, errors };
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

Deno.test({
  name: "browser: two chat pages exchange messages both ways and see each other online",
  ignore: !found,
  async fn() {
    const running = start();
    try {
      await withBrowser(async (browser) => {
        const ann = await openChat(browser, running.port, "ann", "t1");
        const bob = await openChat(browser, running.port, "bob", "t1");
        await say(ann.page, "hello from ann");
        await bob.page.waitForSelector("li.msg >> text=hello from ann", WAIT);
        await say(bob.page, "hi ann, bob here");
        await ann.page.waitForSelector("li.msg >> text=hi ann, bob here", WAIT);
        const expected = ["ann: hello from ann", "bob: hi ann, bob here"];
        assert.deepEqual(await messages(ann.page), expected);
        assert.deepEqual(await messages(bob.page), expected);
        await ann.page.waitForFunction(
          `document.getElementById("online").textContent === "2 online"`,
          undefined,
          WAIT,
        );
        assert.equal(await ann.page.textContent("li.mine .author"), "ann");
        assert.deepEqual([...ann.errors, ...bob.errors], []);
      });
    } finally {
      await running.shutdown();
    }
  },
});

Deno.test({
  name: "browser: a chat page reconnects and keeps its room after the server restarts",
  ignore: !found,
  async fn() {
    let running = start();
    const port = running.port;
    let other: LhttpClient | undefined;
    try {
      await withBrowser(async (browser) => {
        const { page, errors } = await openChat(browser, port, "ann", "t2");
        await running.shutdown();
        await page.waitForSelector("body:not([data-state=open])", WAIT);
        running = start(port);
        await page.waitForSelector("body[data-state=open]", WAIT);
        other = new LhttpClient(`ws://127.0.0.1:${port}/`);
        const heard = new Promise<Frame>((resolve) => {
          other!.subscribe("chat.t2", (frame) => frame.command === "chat" && resolve(frame));
        });
        await within(other.subscribe("chat.t2").ready, "subscription");
        // The page's subscription went out before its message on the same
        // socket: once its message comes back, its room is restored.
        await say(page, "back again");
        assert.equal((await within(heard, "the page's message")).body, "back again");
        await page.waitForSelector("li.msg >> text=back again", WAIT);
        await other.publish("chat.t2", "welcome back", {
          command: "chat",
          headers: { nick: "bob" },
        });
        await page.waitForSelector("li.msg >> text=welcome back", WAIT);
        assert.deepEqual(await messages(page), ["ann: back again", "bob: welcome back"]);
        assert.deepEqual(errors, []);
      });
    } finally {
      await other?.close();
      await running.shutdown();
    }
  },
});

Deno.test({
  name: "browser: a page written for the original SDK API chats unchanged",
  ignore: !found,
  async fn() {
    const running = start();
    try {
      await withBrowser(async (browser) => {
        const pages = [await browser.newPage(), await browser.newPage()];
        const errors: string[] = [];
        for (const page of pages) {
          page.on("pageerror", (error) => errors.push(String(error)));
          await page.goto(`http://127.0.0.1:${running.port}/original.html`);
          await page.waitForFunction(
            () =>
              (globalThis as unknown as { ws: { client: { state: string } } }).ws.client.state ===
                "open",
            undefined,
            WAIT,
          );
        }
        const [first, second] = pages;
        // on_open subscribed; a connection's frames are processed in order, so
        // once a later ping is acknowledged the subscription is applied.
        for (const page of pages) {
          await page.evaluate(`window.ws.client.send({ command: "ping" }, { ack: true })`);
        }
        await first.fill("#message", "hello mike, I am jack");
        await first.click("#send");
        await second.waitForSelector("#list li >> text=hello mike, I am jack", WAIT);
        await second.fill("#message", "hi jack");
        await second.click("#send");
        await first.waitForSelector("#list li >> text=hi jack", WAIT);
        const list = await first.$$eval(
          "#list li",
          (items) => items.map((item) => item.textContent),
        );
        assert.deepEqual(list, ["hello mike, I am jack", "hi jack"]);
        assert.deepEqual(errors, []);
      });
    } finally {
      await running.shutdown();
    }
  },
});

Deno.test({
  name: "browser: a refused login (4401) reaches the page as unauthorized; a token option gets in",
  ignore: !found,
  async fn() {
    const server = new LhttpServer({
      authenticate: (request) => {
        const token = new URL(request.url).searchParams.get("token");
        return token === "good" ? {} : new Response("bad token", { status: 401 });
      },
    });
    const running = serveDeno(server, { port: 0, hostname: "127.0.0.1", static: STATIC });
    try {
      await withBrowser(async (browser) => {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(String(error)));
        await page.goto(`http://127.0.0.1:${running.port}/original.html`);
        const result = await page.evaluate(`(async () => {
          const { LhttpClient } = await import("/vendor/lhttp.mjs");
          const url = "ws://" + location.host + "/";
          const plain = new LhttpClient(url);
          const refused = new Promise((resolve) => plain.on("unauthorized", resolve));
          const queued = plain.publish("room", "x").catch((error) => error.code);
          const event = await refused;
          const tokens = ["stale", "good"];
          const renewing = new LhttpClient(url, {
            token: () => tokens.shift(),
            reconnect: { initialDelay: 1, maxDelay: 1 },
          });
          const seen = [];
          renewing.on("unauthorized", ({ code }) => seen.push(code));
          await renewing.opened();
          await renewing.subscribe("room").ready;
          await renewing.close();
          return {
            code: event.code,
            reason: event.reason,
            reconnecting: event.reconnecting,
            state: plain.state,
            queued: await queued,
            seen,
          };
        })()`);
        assert.deepEqual(result, {
          code: 4401,
          reason: "bad token",
          reconnecting: false,
          state: "closed",
          queued: "unauthorized",
          seen: [4401],
        });
        assert.deepEqual(errors, []);
      });
    } finally {
      await running.shutdown();
    }
  },
});
