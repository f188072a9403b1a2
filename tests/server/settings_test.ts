import assert from "node:assert/strict";
import { resolveSettings } from "../../src/internal.ts";

Deno.test("settings hold every default in one frozen object", () => {
  const settings = resolveSettings();
  assert.ok(Object.isFrozen(settings));
  assert.ok(Object.isFrozen(settings.limits));
  assert.ok(Object.isFrozen(settings.upstream));
  assert.equal(settings.maxBufferedBytes, 1024 * 1024);
  assert.equal(settings.slowConsumer, "close");
  assert.equal(settings.maxQueuedFrames, 65_536);
  assert.equal(settings.upstream.maxInFlight, 4);
  assert.equal(settings.publishOpen, false);
  assert.equal(settings.pacing?.highWaterBytes, 512 * 1024);
});

Deno.test("settings: an empty publish token is none; pacing false is off; options are copied", () => {
  const allow = ["http://a/"];
  const settings = resolveSettings({ publishToken: "", pacing: false, upstreamAllow: allow });
  assert.equal(settings.publishToken, undefined);
  assert.equal(settings.pacing, undefined);
  allow.push("http://b/");
  assert.deepEqual(
    settings.upstream.allow,
    ["http://a/"],
    "later changes to the options do not leak in",
  );
});
