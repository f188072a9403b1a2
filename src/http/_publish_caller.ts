// Who may `POST /publish`: the bearer token when one is set (compared in
// constant time), else loopback callers only unless `publishOpen`. Shared by
// the Hono route and the adapters' direct paths, which read the header and
// the address each in their own way.

import { LhttpError } from "../codec/errors.ts";
import type { ServerSettings } from "../server/settings.ts";

/**
 * Throws `unauthorized` (401) or `forbidden` (403) unless a caller with this
 * `authorization` header value, from `remoteAddress`, may publish (or call
 * another route that the publish token guards: `route` names it in errors).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings } from "@lhttp/lhttp/internal";
 * import { checkPublishCaller } from "./_publish_caller.ts";
 * const settings = resolveSettings({ publishToken: "s3cret" });
 * checkPublishCaller(settings, "Bearer s3cret", "10.0.0.1");
 * assert.throws(() => checkPublishCaller(settings, null, "127.0.0.1"), { code: "unauthorized" });
 * assert.throws(() => checkPublishCaller(settings, "Bearer nope", "127.0.0.1"), { code: "forbidden" });
 * ```
 */
export function checkPublishCaller(
  settings: ServerSettings,
  authorization: string | null | undefined,
  remoteAddress: string | undefined,
  route = "POST /publish",
): void {
  const { publishToken, publishOpen } = settings;
  if (publishToken === undefined) {
    if (publishOpen || isLoopback(remoteAddress)) return;
    throw new LhttpError(
      "forbidden",
      `${route} without a token answers loopback callers only, not ${
        JSON.stringify(remoteAddress ?? "an unknown address")
      } (set a publish token, or publishOpen)`,
    );
  }
  const match = authorization?.match(/^Bearer[ \t]+(.+)$/i);
  if (!match) {
    throw new LhttpError("unauthorized", `${route} needs an Authorization: Bearer token`);
  }
  if (!timingSafeEqual(match[1].trim(), publishToken)) {
    throw new LhttpError("forbidden", "The publish token is wrong");
  }
}

/**
 * Compares a presented secret `a` with the expected `b` in time that depends
 * only on the length of `b`. Plain Web-standard code rather than
 * `node:crypto`, so `POST /publish` runs on workerd without `nodejs_compat`:
 * every byte of `b` is visited and differences are OR-ed, never branched on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timingSafeEqual } from "./publish.ts";
 * assert.equal(timingSafeEqual("s3cret", "s3cret"), true);
 * assert.equal(timingSafeEqual("s3creT", "s3cret"), false);
 * assert.equal(timingSafeEqual("s3cret-and-more", "s3cret"), false);
 * assert.equal(timingSafeEqual("", "s3cret"), false);
 * ```
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = ENCODER.encode(a);
  const y = ENCODER.encode(b);
  let difference = x.length ^ y.length;
  for (let i = 0; i < y.length; i++) difference |= (x[i] ?? 0) ^ y[i];
  return difference === 0;
}

const ENCODER = new TextEncoder();

/**
 * Whether `address` is a loopback IP (127.0.0.0/8, ::1, or IPv4-mapped 127.x).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "./publish.ts";
 * assert.equal(isLoopback("127.0.0.1"), true);
 * assert.equal(isLoopback("[::1]"), true);
 * assert.equal(isLoopback("::ffff:10.0.0.1"), false);
 * ```
 */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  // The addresses runtimes report for local callers, without a regex.
  if (address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1") return true;
  const plain = address.replace(/^\[|\]$/g, "").toLowerCase();
  return plain === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(plain);
}
