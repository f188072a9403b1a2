// A server under measurement: a fixture script started on a runtime, pinned to
// CPU 0 (the generator runs on CPU 1), stopped after the body.

import { type Child, RUNTIMES, startChild } from "../../tests/harness/runtimes.ts";
import { pin } from "./cores.ts";

/**
 * Runs `body` with `entry` serving on `runtime` (deno, bun, node20, node24).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withServer } from "./server.ts";
 * await assert.rejects(withServer("nope", "x.ts", [], () => Promise.resolve()));
 * ```
 */
export async function withServer<T>(
  runtime: string,
  entry: string,
  args: string[],
  body: (child: Child) => Promise<T>,
): Promise<T> {
  const known = RUNTIMES.find((each) => each.name === runtime);
  if (known === undefined) throw new Error(`unknown runtime ${runtime}`);
  const child = await startChild(known, entry, args);
  await pin(child.pid, 0);
  try {
    return await body(child);
  } finally {
    await child.stop();
  }
}

/**
 * The median of `list` (the upper one of an even count).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { median } from "./server.ts";
 * assert.equal(median([3, 1, 2]), 2);
 * ```
 */
export function median(list: number[]): number {
  if (list.length === 0) return NaN;
  return [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
}
