// SharedLhttpClient in Chromium (issue 19 part 3). Not a test: it prints numbers.
//
// 1. Fan-out to 3 tabs of one origin holding one channel, per sharing mode,
//    interleaved rounds: `none` (a connection per tab), `leader` (one
//    connection in the leader tab, BroadcastChannel to the others) and
//    `worker` (one connection in a SharedWorker, a MessagePort per tab).
//    The server publishes N frames at once; the time is until every tab has
//    all N.
// 2. Leader handover on a history channel while the server publishes every
//    2 ms: from closing the leader's tab to the server seeing the new
//    connection subscribed, and to the followers having every publication
//    published until then (those of the gap come from history); each
//    follower's count is checked to equal what was published.
//
//   deno run -A scripts/bench_shared_tabs.ts [--frames 2000] [--rounds 3] [--handovers 5]

import { parseArgs } from "node:util";
import { chromium, type Page } from "playwright-core";
import { serveDeno } from "../src/adapters/deno.ts";
import { LhttpServer } from "../src/server/lhttp_server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    frames: { type: "string", default: "2000" },
    rounds: { type: "string", default: "3" },
    handovers: { type: "string", default: "5" },
  },
});
const FRAMES = Number(values.frames);
const ROOT = new URL("../", import.meta.url).pathname;
const PAGE = `<!doctype html><script type="module">
import { SharedLhttpClient } from "./shared.mjs";
const query = new URLSearchParams(location.search);
const options = { name: query.get("name"), share: query.get("share") };
if (options.share === "worker") options.workerUrl = "./worker.js";
window.client = new SharedLhttpClient("ws://" + location.host + "/", options);
window.count = 0;
window.ready = client.subscribe("chat.r", () => count++).then(() => "ok");
</script>`;

const dir = await Deno.makeTempDir();
for (
  const [file, entry, format] of [
    ["shared.mjs", "src/client/shared_client.ts", "esm"],
    ["worker.js", "src/client/_shared_worker_entry.ts", "iife"],
  ]
) {
  const args = [
    "bundle",
    "--quiet",
    "--minify",
    `--format=${format}`,
    "-o",
    `${dir}/${file}`,
    entry,
  ];
  const built = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT }).output();
  if (built.code !== 0) throw new Error(new TextDecoder().decode(built.stderr));
}
await Deno.writeTextFile(`${dir}/index.html`, PAGE);
const server = new LhttpServer({ history: [{ prefix: "chat.", size: 10_000, ttlMs: 60_000 }] });
const running = serveDeno(server, { port: 0, hostname: "127.0.0.1", static: dir });
const browser = await chromium.launch({
  executablePath: Deno.env.get("LHTTP_CHROMIUM") ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox"],
});

async function tabs(share: string): Promise<Page[]> {
  const context = await browser.newContext();
  const name = crypto.randomUUID();
  const pages: Page[] = [];
  for (let i = 0; i < 3; i++) {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${running.port}/index.html?name=${name}&share=${share}`);
    await page.evaluate("window.ready");
    pages.push(page);
  }
  return pages;
}

async function waitAll(pages: Page[], count: number): Promise<void> {
  for (const page of pages) {
    await page.waitForFunction(`count >= ${count}`, undefined, { timeout: 60_000, polling: 5 });
  }
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const times: Record<string, number[]> = { none: [], leader: [], worker: [] };
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const share of Object.keys(times)) {
      const pages = await tabs(share);
      const start = performance.now();
      for (let i = 0; i < FRAMES; i++) server.publish("chat.r", { command: "m", body: `${i}` });
      await waitAll(pages, FRAMES);
      times[share].push(performance.now() - start);
      console.error(`${share}: ${server.connections.size} server connection(s)`);
      await pages[0].context().close();
    }
  }
  console.log(`\nFan-out of ${FRAMES} frames to 3 tabs (median of ${values.rounds} rounds)`);
  console.log("mode    connections  ms     frames/s per tab");
  for (const [share, ms] of Object.entries(times)) {
    const conns = share === "none" ? 3 : 1;
    const m = median(ms);
    console.log(
      `${share.padEnd(8)}${String(conns).padEnd(13)}${m.toFixed(0).padEnd(7)}${
        Math.round(FRAMES / m * 1000)
      }`,
    );
  }

  const handover: number[][] = [];
  for (let run = 0; run < Number(values.handovers); run++) {
    const pages = await tabs("leader");
    const old = new Set(server.connections.values());
    let sent = 0;
    let stop = false;
    const publishing = (async () => {
      while (!stop) {
        server.publish("chat.r", { command: "m", body: `${sent++}` });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await waitAll(pages, 100);
    const start = performance.now();
    const atClose = sent;
    await pages[0].close({ runBeforeUnload: true });
    // The new leader's connection is the only one, and subscribed.
    const taken = () =>
      [...server.connections.values()].every((c) => !old.has(c)) &&
      server.connections.size === 1 && server.hub.subscriptionCount === 1;
    while (!taken()) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (performance.now() - start > 30_000) throw new Error("no takeover");
    }
    const subscribed = performance.now() - start;
    const atTakeover = sent;
    await waitAll(pages.slice(1), atTakeover);
    const caughtUp = performance.now() - start;
    stop = true;
    await publishing;
    await waitAll(pages.slice(1), sent);
    const counts = await Promise.all(pages.slice(1).map((p) => p.evaluate("count")));
    if (counts.some((count) => count !== sent)) throw new Error(`${counts} of ${sent}`);
    handover.push([subscribed, caughtUp, atTakeover - atClose]);
    await pages[1].context().close();
  }
  console.log(`\nLeader handover while publishing every 2 ms (${values.handovers} runs)`);
  console.log(
    `  close → new leader subscribed: median ${median(handover.map((h) => h[0])).toFixed(0)} ms`,
  );
  console.log(
    `  close → followers have every publication up to the takeover (the gap from history): median ${
      median(handover.map((h) => h[1])).toFixed(0)
    } ms`,
  );
  console.log(
    `  published between the close and the takeover: median ${median(handover.map((h) => h[2]))}`,
  );
  console.log("  every run: each follower got every publication once, in order (checked by count)");
} finally {
  await browser.close();
  await running.shutdown();
  await Deno.remove(dir, { recursive: true });
}
