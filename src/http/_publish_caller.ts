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
  const token = bearerToken(authorization);
  if (token === undefined) {
    throw new LhttpError("unauthorized", `${route} needs an Authorization: Bearer token`);
  }
  if (!timingSafeEqual(token, publishToken)) {
    throw new LhttpError("forbidden", "The publish token is wrong");
  }
}

/**
 * Compares a presented secret `a` with the expected `b` in time that depends
 * only on the length of `b`. Plain Web-standard code rather than
 * `node:crypto`, so `POST /publish` runs on workerd without `nodejs_compat`:
 * every UTF-16 code unit of `b` is visited and differences are OR-ed, never branched on.
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
  let difference = a.length ^ b.length;
  // Past the end of `a`, charCodeAt is NaN, and NaN | 0 is 0.
  for (let i = 0; i < b.length; i++) difference |= (a.charCodeAt(i) | 0) ^ b.charCodeAt(i);
  return difference === 0;
}

// The token of `Bearer <token>` (the scheme in any case, then spaces or tabs),
// or undefined. Read without a regex: it runs on every POST /publish.
function bearerToken(authorization: string | null | undefined): string | undefined {
  if (!authorization || authorization.length < 8) return undefined;
  for (let i = 0; i < 6; i++) {
    if ((authorization.charCodeAt(i) | 0x20) !== BEARER.charCodeAt(i)) return undefined;
  }
  const gap = authorization.charCodeAt(6);
  if (gap !== 0x20 && gap !== 0x09) return undefined;
  const token = authorization.slice(7).trim();
  return token === "" ? undefined : token;
}

const BEARER = "bearer";

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
