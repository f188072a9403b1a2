// NATS server URLs of `--nats`, checked before any connection is tried.

/** A flag or variable has a value `lhttp serve` cannot use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./_nats_url.ts";
 * assert.equal(new UsageError("x").code, "usage");
 * ```
 */
export class UsageError extends Error {
  /** Machine code for scripts. */
  readonly code = "usage";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const NATS_SCHEMES = ["nats:", "tls:", "ws:", "wss:"];

/**
 * Checks `--nats`: comma-separated `nats://`, `tls://`, `ws://` or `wss://`
 * URLs (or `host:port`, taken as `nats://`), each with a host and a valid
 * port. Whether the host answers is learnt later: the server then serves
 * local traffic and keeps retrying.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { natsServers } from "./_nats_url.ts";
 * assert.equal(natsServers("127.0.0.1:4222"), "127.0.0.1:4222");
 * assert.throws(() => natsServers("http://x"), /--nats "http:\/\/x" is not a NATS URL/);
 * ```
 */
export function natsServers(value: string, label = "--nats"): string {
  const servers = value.split(",").map((server) => server.trim()).filter(Boolean);
  if (servers.length === 0) throw new UsageError(`${label} needs at least one NATS server URL`);
  for (const server of servers) {
    const scheme = server.match(/^([a-z][a-z0-9+.-]*:)\/\//i)?.[1].toLowerCase();
    if (scheme && !NATS_SCHEMES.includes(scheme)) {
      throw new UsageError(
        `${label} ${
          JSON.stringify(server)
        } is not a NATS URL: use nats://, tls://, ws:// or wss://`,
      );
    }
    let url: URL | undefined;
    try {
      url = new URL(scheme ? server : `nats://${server}`);
    } catch {
      // Reported below.
    }
    if (!url || url.hostname === "" || /\s/.test(server)) {
      throw new UsageError(
        `${label} ${
          JSON.stringify(server)
        } is not a valid URL (expected e.g. nats://127.0.0.1:4222)`,
      );
    }
  }
  const ws = servers.filter((server) => /^wss?:\/\//i.test(server)).length;
  if (ws !== 0 && ws !== servers.length) {
    throw new UsageError(`${label} URLs must be all nats:// (TCP) or all ws:// / wss://`);
  }
  return servers.join(",");
}
