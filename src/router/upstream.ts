/**
 * `upstream: METHOD URL`: forward a frame to an allowlisted HTTP service and
 * relay its answer.
 *
 * @module
 */

import { LhttpError, quote } from "../codec/errors.ts";
import type { Frame } from "../codec/frame.ts";
import { encodeFrame } from "../codec/serialize.ts";
import { withoutHopByHop } from "../codec/hop_by_hop.ts";
import { readLimited } from "./_read_body.ts";

/** Upstream settings of a server. */
export interface UpstreamOptions {
  /** URL prefixes that may be fetched; upstream is refused when empty. */
  allow: readonly string[];
  /** Milliseconds before a request is abandoned. */
  timeoutMs: number;
  /** Largest answer body relayed, in bytes. */
  maxResponseBytes: number;
  /** Most redirects followed (each re-checked against `allow`). */
  maxRedirects: number;
  /** The fetch to use; injectable for tests. */
  fetch: typeof fetch;
}

/** An upstream answer, relayed to the sender as a frame. */
export interface UpstreamAnswer {
  /** HTTP status of the answer. */
  status: number;
  /** Answer body. */
  body: Uint8Array;
}

const METHODS = new Set(["GET", "DELETE", "HEAD", "POST", "PUT", "PATCH"]);
const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
// Hop-by-hop and forbidden request headers, plus lhttp's own control headers.
const NOT_FORWARDED = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
  "expect",
  "cookie",
  "origin",
  "upstream",
  "multipart",
  "subscribe",
  "publish",
  "unsubscribe",
  "ack",
]);

/** Parses `METHOD URL` from an upstream header. Throws `bad_upstream`. */
export function parseUpstream(value: string): { method: string; url: URL } {
  const [method, target, ...rest] = value.split(/[ \t]+/);
  const upper = method?.toUpperCase() ?? "";
  if (!METHODS.has(upper) || !target || rest.length > 0) {
    throw new LhttpError(
      "bad_upstream",
      `Upstream ${quote(value)} must be "METHOD URL" with GET, DELETE, HEAD, POST, PUT or PATCH`,
    );
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new LhttpError("bad_upstream", `Upstream URL ${quote(target)} is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new LhttpError("bad_upstream", `Upstream URL ${quote(target)} must be http or https`);
  }
  return { method: upper, url };
}

/** True when `url` starts with one of the allowed prefixes (compared normalized). */
export function isAllowedUpstream(url: URL, allow: readonly string[]): boolean {
  const href = url.href;
  return allow.some((prefix) => href.startsWith(normalizePrefix(prefix)));
}

// Normalizing turns "http://a.com" into "http://a.com/", so that the prefix
// cannot match "http://a.com.evil.example/".
function normalizePrefix(prefix: string): string {
  try {
    return new URL(prefix).href;
  } catch {
    return prefix;
  }
}

/**
 * Parses an upstream header and checks it against the allowlist. Throws
 * `bad_upstream` or `upstream_forbidden`.
 */
export function checkUpstream(
  value: string,
  allow: readonly string[],
): { method: string; url: URL } {
  const target = parseUpstream(value);
  if (allow.length === 0) {
    throw new LhttpError(
      "upstream_forbidden",
      "Upstream is disabled on this server (no allowlist)",
    );
  }
  assertAllowed(target.url, allow);
  return target;
}

function assertAllowed(url: URL, allow: readonly string[]): void {
  if (!isAllowedUpstream(url, allow)) {
    throw new LhttpError(
      "upstream_forbidden",
      `Upstream URL ${quote(url.href)} is not in the allowlist`,
    );
  }
}

/**
 * Performs the upstream request for a reply frame. Throws {@linkcode LhttpError}
 * with `upstream_forbidden`, `upstream_timeout`, `upstream_unreachable` or
 * `upstream_too_large`.
 */
export async function callUpstream(
  value: string,
  frame: Frame,
  options: UpstreamOptions,
): Promise<UpstreamAnswer> {
  const { method, url: first } = parseUpstream(value);
  if (options.allow.length === 0) {
    throw new LhttpError(
      "upstream_forbidden",
      "Upstream is disabled on this server (no allowlist)",
    );
  }
  const headers = new Headers();
  for (const [name, headerValue] of frame.headers) {
    if (NOT_FORWARDED.has(name) || name.startsWith("proxy-") || name.startsWith("sec-")) continue;
    try {
      headers.set(name, headerValue);
    } catch {
      // A frame header that is not a valid HTTP header is simply not forwarded.
    }
  }
  const body = WITH_BODY.has(method)
    ? encodeFrame({ ...frame, headers: withoutHopByHop(frame.headers) }) as Uint8Array<ArrayBuffer>
    : undefined;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = first;
  for (let redirects = 0;; redirects++) {
    if (!isAllowedUpstream(url, options.allow)) {
      throw new LhttpError(
        "upstream_forbidden",
        `Upstream URL ${quote(url.href)} is not in the allowlist`,
      );
    }
    let response: Response;
    try {
      response = await options.fetch(url, { method, headers, body, signal, redirect: "manual" });
    } catch (error) {
      throw signal.aborted
        ? new LhttpError(
          "upstream_timeout",
          `Upstream ${quote(url.href)} did not answer within ${options.timeoutMs} ms`,
        )
        : new LhttpError(
          "upstream_unreachable",
          `Upstream ${quote(url.href)} is unreachable: ${(error as Error).message}`,
        );
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      if (redirects >= options.maxRedirects) {
        throw new LhttpError(
          "upstream_unreachable",
          `Upstream ${quote(first.href)} redirected more than ${options.maxRedirects} times`,
        );
      }
      try {
        url = new URL(location, url);
      } catch {
        throw new LhttpError(
          "upstream_unreachable",
          `Upstream ${quote(url.href)} redirected to an invalid URL ${quote(location)}`,
        );
      }
      continue;
    }
    return { status: response.status, body: await readCapped(response, options, signal) };
  }
}

async function readCapped(
  response: Response,
  options: UpstreamOptions,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const max = options.maxResponseBytes;
  if (Number(response.headers.get("content-length")) > max) {
    await response.body?.cancel();
    throw tooLarge(max);
  }
  try {
    return await readLimited(response.body, max, () => tooLarge(max));
  } catch (error) {
    if (error instanceof LhttpError) throw error;
    throw signal.aborted
      ? new LhttpError(
        "upstream_timeout",
        `Upstream answer did not complete within ${options.timeoutMs} ms`,
      )
      : new LhttpError(
        "upstream_unreachable",
        `Upstream answer broke off: ${(error as Error).message}`,
      );
  }
}

function tooLarge(max: number): LhttpError {
  return new LhttpError("upstream_too_large", `Upstream answer is larger than ${max} bytes`);
}
