// Who may POST /publish: the Bearer token read without a regex, compared in
// constant time; without a token, loopback callers only.

import assert from "node:assert/strict";
import { checkPublishCaller, timingSafeEqual } from "../../src/http/_publish_caller.ts";
import { resolveSettings } from "../../src/server/settings.ts";

const withToken = resolveSettings({ publishToken: "s3cret" });
const code = (authorization: string | null, settings = withToken, address?: string) => {
  try {
    checkPublishCaller(settings, authorization, address);
    return "ok";
  } catch (error) {
    return (error as { code: string }).code;
  }
};

Deno.test("checkPublishCaller: the Bearer scheme in any case, then spaces or tabs, then the token", () => {
  assert.equal(code("Bearer s3cret"), "ok");
  assert.equal(code("bearer s3cret"), "ok");
  assert.equal(code("BEARER\ts3cret"), "ok");
  assert.equal(code("Bearer   s3cret  "), "ok");
  assert.equal(code("Bearer s3cre7"), "forbidden");
  assert.equal(code("Bearer s3cret2"), "forbidden");
  assert.equal(code("Bearer s3cre"), "forbidden");
});

Deno.test("checkPublishCaller: no token, another scheme or no gap is a 401", () => {
  for (
    const header of [
      null,
      "",
      "Bearer",
      "Bearer ",
      "Bearer    ",
      "Basic s3cret",
      "Bearers3cret",
      "Bearer-s3cret",
    ]
  ) {
    assert.equal(code(header), "unauthorized", JSON.stringify(header));
  }
});

Deno.test("checkPublishCaller: without a token, loopback only unless publishOpen", () => {
  const loopbackOnly = resolveSettings({});
  assert.equal(code(null, loopbackOnly, "127.0.0.1"), "ok");
  assert.equal(code(null, loopbackOnly, "::ffff:127.0.0.9"), "ok");
  assert.equal(code(null, loopbackOnly, "10.0.0.1"), "forbidden");
  assert.equal(code(null, loopbackOnly, undefined), "forbidden");
  assert.equal(code(null, resolveSettings({ publishOpen: true }), "10.0.0.1"), "ok");
});

Deno.test("timingSafeEqual: equal only for the same code units, whatever the lengths", () => {
  assert.equal(timingSafeEqual("s3cret", "s3cret"), true);
  assert.equal(timingSafeEqual("", ""), true);
  assert.equal(timingSafeEqual("s3cret", ""), false);
  assert.equal(timingSafeEqual("", "s3cret"), false);
  assert.equal(timingSafeEqual("s3cre\u0000", "s3cre"), false);
  assert.equal(timingSafeEqual("clé", "cle"), false);
  assert.equal(timingSafeEqual("clé", "clé"), true);
});
