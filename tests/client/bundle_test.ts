// The committed browser bundles must match the client sources.

import assert from "node:assert/strict";
import { buildClient } from "../../scripts/build_client.ts";

Deno.test("examples/chat/vendor bundles are up to date (deno task build:client)", async () => {
  const stale = await buildClient({ check: true });
  assert.deepEqual(stale, [], `stale: ${stale.join(", ")}; run deno task build:client`);
});

Deno.test("the classic-script bundle sets window.lhttp and window.Lhttp", async () => {
  const source = await Deno.readTextFile(
    new URL("../../examples/chat/vendor/lhttp.js", import.meta.url),
  );
  const scope: Record<string, unknown> = {};
  // Run it with a stand-in global, as a <script> would with window.
  new Function("globalThis", source)(scope);
  assert.equal(typeof scope.Lhttp, "function");
  assert.equal(typeof (scope.lhttp as { LhttpClient: unknown }).LhttpClient, "function");
});
