// Sizes ("64KiB") and durations ("30s") of the configuration, parsed and shown.

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|kB|KB|KiB|MB|MiB|GB|GiB)?$/;
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  KiB: 1024,
  MB: 1e6,
  MiB: 1024 ** 2,
  GB: 1e9,
  GiB: 1024 ** 3,
};
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Pattern of a size string, for the JSON Schema.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIZE_PATTERN } from "./_units.ts";
 * assert.ok(new RegExp(SIZE_PATTERN).test("64KiB"));
 * ```
 */
export const SIZE_PATTERN: string = SIZE.source;
/** Pattern of a duration string, for the JSON Schema.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DURATION_PATTERN } from "./_units.ts";
 * assert.ok(new RegExp(DURATION_PATTERN).test("250ms"));
 * ```
 */
export const DURATION_PATTERN: string = DURATION.source;

/**
 * Bytes in a size: a whole number of bytes, or a string such as `"64KiB"`,
 * `"1.5MB"`, `"512B"`; `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSize } from "./_units.ts";
 * assert.equal(parseSize("64KiB"), 65536);
 * assert.equal(parseSize(10), 10);
 * assert.equal(parseSize("64 parsecs"), undefined);
 * assert.equal(parseSize("0.5B"), undefined);
 * ```
 */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  const match = value.trim().match(SIZE);
  if (!match) return undefined;
  const bytes = Number(match[1]) * SIZE_UNITS[match[2] ?? "B"];
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * Milliseconds in a duration: a number of seconds, or a string such as
 * `"30s"`, `"250ms"`, `"2m"`, `"1h"`; `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./_units.ts";
 * assert.equal(parseDuration("30s"), 30_000);
 * assert.equal(parseDuration(0.25), 250);
 * assert.equal(parseDuration("30"), undefined);
 * assert.equal(parseDuration("soon"), undefined);
 * ```
 */
export function parseDuration(value: number | string): number | undefined {
  let ms: number;
  if (typeof value === "number") ms = value * 1000;
  else {
    const match = value.trim().match(DURATION);
    if (!match) return undefined;
    ms = Number(match[1]) * DURATION_UNITS[match[2]];
  }
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms) : undefined;
}

/**
 * A duration in ms as a config value that reads back the same: `"10s"` or `"250ms"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { showDuration } from "./_units.ts";
 * assert.equal(showDuration(10_000), "10s");
 * assert.equal(showDuration(250), "250ms");
 * ```
 */
export function showDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
