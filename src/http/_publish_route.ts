// Whether a request is `POST /publish`, for the adapters' direct paths that
// answer it before Hono. Only the exact path (a query string aside) is taken,
// as Hono's strict routing matches it; anything else (a trailing slash, a
// percent-encoded path) is left to the app, which answers as it always did.

/** The path of the publish route. */
export const PUBLISH_PATH = "/publish";

/**
 * Whether an absolute request URL (`http://host/publish?x`) has the path `/publish`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPublishUrl } from "./_publish_route.ts";
 * assert.equal(isPublishUrl("http://127.0.0.1:8081/publish"), true);
 * assert.equal(isPublishUrl("http://h/publish?token=1"), true);
 * assert.equal(isPublishUrl("http://h/publish/"), false);
 * assert.equal(isPublishUrl("http://h/other/publish"), false);
 * ```
 */
export function isPublishUrl(url: string): boolean {
  const scheme = url.indexOf("://");
  if (scheme < 0) return false;
  const start = url.indexOf("/", scheme + 3);
  // Compared in place: a slice of the URL would be a string made per request.
  return start >= 0 && isPublishPathAt(url, start);
}

/**
 * Whether an origin-form request target (`/publish`, `/publish?x`) is `/publish`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPublishTarget } from "./_publish_route.ts";
 * assert.equal(isPublishTarget("/publish"), true);
 * assert.equal(isPublishTarget("/publish#x"), false);
 * assert.equal(isPublishTarget("/publisher"), false);
 * ```
 */
export function isPublishTarget(target: string | undefined): boolean {
  return target !== undefined && isPublishPathAt(target, 0);
}

// Whether `/publish` starts at `start` and ends the text or is followed by a query.
function isPublishPathAt(text: string, start: number): boolean {
  if (!text.startsWith(PUBLISH_PATH, start)) return false;
  const end = start + PUBLISH_PATH.length;
  return text.length === end || text.charCodeAt(end) === 0x3f; // "?"
}
