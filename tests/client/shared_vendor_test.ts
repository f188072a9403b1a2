// The committed bundles carry SharedLhttpClient, and lhttp-shared-worker.js
// is a classic script that only installs the SharedWorker's connect handler
// (Chromium runs the same sources in shared_tabs_test.ts).

import assert from "node:assert/strict";

const VENDOR = new URL("../../examples/chat/vendor/", import.meta.url);

Deno.test("lhttp.mjs and lhttp.js export SharedLhttpClient", async () => {
  const module = await import(new URL("lhttp.mjs", VENDOR).href);
  assert.equal(typeof module.SharedLhttpClient, "function");
  assert.equal(typeof module.shareMode, "function");
  const scope: Record<string, unknown> = {};
  new Function("globalThis", await Deno.readTextFile(new URL("lhttp.js", VENDOR)))(scope);
  const lhttp = scope.lhttp as Record<string, unknown>;
  assert.equal(typeof lhttp.SharedLhttpClient, "function");
  assert.equal("SharedHub" in lhttp, false, "the hub stays internal");
});

Deno.test("lhttp-shared-worker.js sets onconnect and nothing else", async () => {
  const source = await Deno.readTextFile(new URL("lhttp-shared-worker.js", VENDOR));
  assert.match(source.split("\n")[0], /^\/\/ Built from src\/client\/_shared_worker_entry\.ts /);
  const scope: Record<string, unknown> = {};
  new Function("globalThis", source)(scope);
  assert.deepEqual(Object.keys(scope), ["onconnect"]);
  assert.equal(typeof scope.onconnect, "function");
});
