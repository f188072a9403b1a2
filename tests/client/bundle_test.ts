// The committed browser bundles: up to date with the client sources, minified
// with a source map beside each, and exposing only the public client surface.

import assert from "node:assert/strict";
import { buildClient } from "../../scripts/build_client.ts";

const VENDOR = new URL("../../examples/chat/vendor/", import.meta.url);
const INTERNALS = ["AckTracker", "BoundedQueue", "ClientCore", "Subscriptions", "Emitter"];

Deno.test("examples/chat/vendor bundles are up to date (deno task build:client)", async () => {
  const stale = await buildClient({ check: true });
  assert.deepEqual(stale, [], `stale: ${stale.join(", ")}; run deno task build:client`);
});

Deno.test("the classic-script bundle sets window.lhttp and window.Lhttp, without internals", async () => {
  const source = await Deno.readTextFile(new URL("lhttp.js", VENDOR));
  const scope: Record<string, unknown> = {};
  // Run it with a stand-in global, as a <script> would with window.
  new Function("globalThis", source)(scope);
  assert.equal(typeof scope.Lhttp, "function");
  const lhttp = scope.lhttp as Record<string, unknown>;
  assert.equal(typeof lhttp.LhttpClient, "function");
  assert.equal(typeof lhttp.ClientError, "function");
  for (const name of INTERNALS) assert.equal(name in lhttp, false, `window.lhttp.${name}`);
});

Deno.test("the ES module bundle exports the public names only", async () => {
  const module = await import(new URL("lhttp.mjs", VENDOR).href);
  assert.equal(typeof module.LhttpClient, "function");
  assert.equal(typeof module.Lhttp, "function");
  for (const name of INTERNALS) assert.equal(name in module, false, name);
});

for (const file of ["lhttp.js", "lhttp.mjs"]) {
  Deno.test(`${file} is minified and points to its source map`, async () => {
    const source = await Deno.readTextFile(new URL(file, VENDOR));
    const lines = source.trimEnd().split("\n");
    assert.match(lines[0], /^\/\/ Built from src\/client\/.* do not edit\.$/);
    assert.equal(lines.at(-1), `//# sourceMappingURL=${file}.map`);
    assert.doesNotMatch(source, /\n {2}/, "minified: no indented lines");
    // 30 KB before the SSE fallback (src/client/sse_*.ts, fallback_socket.ts) added about 4.3 KB;
    // SharedLhttpClient (src/client/shared_client.ts, _shared_*.ts) about 7.8 KB more.
    assert.ok(source.length < 42_000, `${source.length} bytes (unminified was about 47 000)`);
    const map = JSON.parse(await Deno.readTextFile(new URL(`${file}.map`, VENDOR)));
    assert.equal(map.version, 3);
    assert.ok(map.sources.includes("../../../src/client/lhttp_client.ts"), map.sources.join());
    assert.equal(map.sources.length, map.sourcesContent.length);
    assert.ok(map.mappings.startsWith(";"), "the header line maps to nothing");
  });
}
