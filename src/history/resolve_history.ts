/**
 * The `history` server option turned into an engine.
 *
 * @module
 */

import type { History, HistoryRule } from "./history.ts";
import { MemoryHistory } from "./memory_history.ts";

/**
 * An engine from the `history` option: rules make the embedded memory engine,
 * an engine is used as is, nothing (or no rules) means no history.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveHistory } from "@lhttp/lhttp/internal";
 * assert.equal(resolveHistory(undefined), undefined);
 * const history = resolveHistory([{ prefix: "chat.", size: 100, ttlMs: 3_600_000 }], 50)!;
 * assert.equal(history.recoveryLimit, 50);
 * assert.equal(history.rule("chat.room")?.size, 100);
 * assert.throws(() => resolveHistory([{ prefix: "x", size: 0, ttlMs: 1 }]), RangeError);
 * ```
 */
export function resolveHistory(
  option: readonly HistoryRule[] | History | undefined,
  recoveryLimit?: number,
): History | undefined {
  if (option === undefined) return undefined;
  if (!Array.isArray(option)) return option as History;
  if (option.length === 0) return undefined;
  return new MemoryHistory({ rules: option, recoveryLimit });
}
