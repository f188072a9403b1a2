/**
 * `serve(server, options)`: serves an lhttp server on whichever runtime runs it.
 *
 * @example
 * ```ts
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serve } from "@lhttp/lhttp/serve";
 * const running = await serve(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
 * await running.shutdown();
 * ```
 *
 * @module
 */

import type { RunningServer, ServeOptions } from "./serve_options.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";

/** The runtime this code runs on. */
export type Runtime = "deno" | "bun" | "node";

/**
 * Detects the current runtime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectRuntime } from "@lhttp/lhttp/serve";
 * assert.equal(detectRuntime(), "deno");
 * ```
 */
export function detectRuntime(): Runtime {
  const global = globalThis as { Deno?: unknown; Bun?: unknown };
  if (global.Deno !== undefined) return "deno";
  if (global.Bun !== undefined) return "bun";
  return "node";
}

/**
 * Serves `server` with the adapter of the current runtime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serve } from "@lhttp/lhttp/serve";
 * const running = await serve(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
 * assert.ok(running.port > 0);
 * await running.shutdown();
 * ```
 */
export async function serve(
  server: LhttpServer,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const runtime = detectRuntime();
  switch (runtime) {
    case "deno": {
      // node:http and ws under Deno's Node compatibility, with writes corked per
      // turn, fan out several times faster than Deno.upgradeWebSocket's send per
      // frame (scripts/bench_fanout.ts); `transport: "web"` picks the latter.
      if (options.transport === "web") {
        const { serveDeno } = await import("./deno.ts");
        return serveDeno(server, options);
      }
      const { serveNode } = await import("./node.ts");
      return await serveNode(server, options);
    }
    case "bun": {
      const { serveBun } = await import("./bun.ts");
      return serveBun(server, options);
    }
    case "node": {
      const { serveNode } = await import("./node.ts");
      return await serveNode(server, options);
    }
  }
}
