/**
 * The options of `SharedLhttpClient` and the sharing mode they lead to in
 * the runtime at hand.
 *
 * @module
 */

import type { ClientOptions } from "./options.ts";
import { lockManager } from "./_shared_locks.ts";
import { sharedWorker } from "./_shared_port.ts";

/** How tabs share the connection; `auto` picks the first the runtime supports. */
export type ShareMode = "auto" | "worker" | "leader" | "none";

/** Options: the client's, plus how tabs share it. */
export interface SharedClientOptions extends ClientOptions {
  /** Tabs with the same name share a connection (the URL by default). */
  name?: string;
  /**
   * `worker`: a `SharedWorker` (needs `workerUrl`; falls back to `leader`
   * without `SharedWorker`). `leader`: leader election (falls back to `none`
   * without Web Locks or `BroadcastChannel`). `none`: a client of this tab's
   * own. `auto` (the default): `worker` when `workerUrl` is set, else `leader`.
   * In the worker, options that are functions (`WebSocket`, `clock`,
   * `random`) are not available: they cannot cross `postMessage`; `token` is
   * asked of a tab each time the worker connects.
   */
  share?: ShareMode;
  /** Where `lhttp-shared-worker.js` is served (`examples/chat/vendor/` has a build). */
  workerUrl?: string | URL;
}

/**
 * The mode `options` lead to in this runtime: `worker` needs `SharedWorker`,
 * `leader` Web Locks and `BroadcastChannel` (browsers; Deno has both).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shareMode } from "./shared_options.ts";
 * assert.equal(shareMode({ share: "none" }), "none");
 * assert.equal(shareMode({}), "leader", "Deno has Web Locks and BroadcastChannel");
 * assert.equal(shareMode({ workerUrl: "/w.js" }), "leader", "but no SharedWorker");
 * assert.throws(() => shareMode({ share: "worker" }), TypeError);
 * ```
 */
export function shareMode(options: SharedClientOptions): Exclude<ShareMode, "auto"> {
  const share = options.share ?? "auto";
  if (share === "none") return "none";
  if (share === "worker" && options.workerUrl === undefined) {
    throw new TypeError('share: "worker" needs the workerUrl option');
  }
  if (share !== "leader" && options.workerUrl !== undefined && sharedWorker()) return "worker";
  return lockManager() && typeof BroadcastChannel === "function" ? "leader" : "none";
}
