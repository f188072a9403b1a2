/**
 * The server URL check: done first in `new LhttpClient(url)`, before any I/O,
 * so that a typo fails at once with a readable error instead of a reconnect
 * loop or a crash inside the WebSocket constructor.
 *
 * @module
 */

import { ClientError } from "./errors.ts";

/**
 * Checks and normalizes a WebSocket server URL: `ws://` and `wss://` as they
 * are, `http://` and `https://` mapped to them, a relative URL resolved
 * against the page's `location` in a browser. A fragment is refused (the
 * WebSocket API refuses it too). Throws a {@linkcode ClientError} with code
 * `invalid_url` for anything else, naming the URL and what was expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { websocketUrl } from "./websocket_url.ts";
 * assert.equal(websocketUrl("ws://localhost:8081"), "ws://localhost:8081/");
 * assert.equal(websocketUrl("https://example.com/ws"), "wss://example.com/ws");
 * assert.throws(() => websocketUrl("localhost:8081"), { code: "invalid_url" });
 * assert.throws(() => websocketUrl("ftp://x/"), { code: "invalid_url" });
 * ```
 */
export function websocketUrl(url: string | URL): string {
  const text = String(url);
  let parsed: URL;
  try {
    parsed = new URL(text, pageLocation());
  } catch {
    throw invalid(text, "it is not a URL");
  }
  const scheme = parsed.protocol;
  if (scheme === "http:" || scheme === "https:") {
    parsed = new URL(`ws${parsed.protocol.slice(4)}${parsed.href.slice(parsed.protocol.length)}`);
  } else if (scheme !== "ws:" && scheme !== "wss:") {
    // "localhost:8081" parses as the scheme "localhost:" with the path "8081".
    const hint = /^[a-z0-9.-]+:\d+(\/|$)/i.test(text) ? `; did you mean "ws://${text}"?` : "";
    throw invalid(text, `the scheme ${JSON.stringify(scheme)} is not ws: or wss:${hint}`);
  }
  if (parsed.hash !== "" || text.includes("#")) {
    throw invalid(text, "a WebSocket URL cannot have a #fragment");
  }
  if (parsed.hostname === "") throw invalid(text, "it has no host");
  return parsed.href;
}

function invalid(url: string, why: string): ClientError {
  return new ClientError(
    "invalid_url",
    `Invalid server URL ${JSON.stringify(url)}: ${why} (expected ws://host:port/ or wss://…)`,
  );
}

/** The page's address in a browser, else undefined (Deno throws on `location` without --location). */
function pageLocation(): string | undefined {
  try {
    const location = (globalThis as { location?: { href?: unknown } }).location;
    return typeof location?.href === "string" ? location.href : undefined;
  } catch {
    return undefined;
  }
}
