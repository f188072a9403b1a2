/**
 * The `history` server option turned into an engine.
 *
 * @module
 */

import type { ClusterHistory } from "./cluster_history.ts";
import type { History, HistoryRule } from "./history.ts";
import { MemoryHistory } from "./memory_history.ts";

/**
 * A `history` option the server cannot honour; thrown when it is constructed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HistoryConfigError } from "@lhttp/lhttp/internal";
 * assert.equal(new HistoryConfigError("x").code, "history_needs_cluster_engine");
 * ```
 */
export class HistoryConfigError extends Error {
  /** Machine code. */
  readonly code = "history_needs_cluster_engine";
  /** Creates the error with a readable message. */
  constructor(message: string) {
    super(message);
    this.name = "HistoryConfigError";
  }
}

/**
 * An engine from the `history` option: rules make the embedded memory engine,
 * an engine is used as is, nothing (or no rules) means no history.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type History, resolveHistory } from "@lhttp/lhttp/internal";
 * assert.equal(resolveHistory(undefined), undefined);
 * const history = resolveHistory([{ prefix: "chat.", size: 100, ttlMs: 3_600_000 }], 50) as History;
 * assert.equal(history.recoveryLimit, 50);
 * assert.equal(history.rule("chat.room")?.size, 100);
 * assert.throws(() => resolveHistory([{ prefix: "x", size: 0, ttlMs: 1 }]), RangeError);
 * assert.throws(() => resolveHistory([{ prefix: "x", size: 1, ttlMs: 1 }], 10, true), {
 *   code: "history_needs_cluster_engine",
 * });
 * ```
 */
export function resolveHistory(
  option: readonly HistoryRule[] | History | ClusterHistory | undefined,
  recoveryLimit?: number,
  clustered = false,
): History | ClusterHistory | undefined {
  if (option === undefined) return undefined;
  if (!Array.isArray(option)) return option as History | ClusterHistory;
  if (option.length === 0) return undefined;
  if (clustered) {
    // Each node would number the channel's publications on its own, and a
    // client would see the positions of two streams interleaved.
    throw new HistoryConfigError(
      "The in-memory history engine serves one node: with a bus, pass a cluster engine instead of rules",
    );
  }
  return new MemoryHistory({ rules: option, recoveryLimit });
}
