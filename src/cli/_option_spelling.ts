// How each option of `_config_options.ts` is spelled and read on the command line
// and in the environment: flag names, variable names, booleans, lists, text values.

import { type OptionKey, OPTIONS, type OptionSpec } from "./_config_options.ts";

/**
 * The flag of `key`, without dashes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagOf } from "./_option_spelling.ts";
 * assert.equal(flagOf("publishToken"), "publish-token");
 * assert.equal(flagOf("allowedOrigins"), "allow-origin");
 * ```
 */
export function flagOf(key: OptionKey): string {
  const spec: OptionSpec = OPTIONS[key];
  return spec.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The environment variable of `key`: `LHTTP_` and the flag in capitals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envOf } from "./_option_spelling.ts";
 * assert.equal(envOf("maxFrameBytes"), "LHTTP_MAX_FRAME_BYTES");
 * ```
 */
export function envOf(key: OptionKey): string {
  return `LHTTP_${flagOf(key).replaceAll("-", "_").toUpperCase()}`;
}

/** True for options given as a bare flag (`--publish-open`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isBoolean } from "./_option_spelling.ts";
 * assert.ok(isBoolean("publishOpen"));
 * assert.ok(!isBoolean("port"));
 * ```
 */
export function isBoolean(key: OptionKey): boolean {
  return OPTIONS[key].default === true || OPTIONS[key].default === false;
}

/** True for options that are lists (repeatable flags, comma-separated variables).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isList } from "./_option_spelling.ts";
 * assert.ok(isList("allowedHosts"));
 * assert.ok(!isList("host"));
 * ```
 */
export function isList(key: OptionKey): boolean {
  return key === "upstreamAllow" || key === "allowedOrigins" || key === "allowedHosts";
}

/**
 * A flag's or variable's text as the value a file would hold: numbers and
 * booleans parsed, lists split on commas; the rest as given, for the schema
 * to judge.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromText } from "./_option_spelling.ts";
 * assert.equal(fromText("port", "8081"), 8081);
 * assert.equal(fromText("maxFrameBytes", "64KiB"), "64KiB");
 * assert.deepEqual(fromText("allowedHosts", "a, b"), ["a", "b"]);
 * assert.equal(fromText("publishOpen", "yes"), true);
 * ```
 */
export function fromText(key: OptionKey, value: string): unknown {
  if (isList(key)) return value.split(",").map((item) => item.trim()).filter(Boolean);
  if (isBoolean(key)) {
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off|)$/i.test(value)) return false;
    return value;
  }
  const spec: OptionSpec = OPTIONS[key];
  const numeric = typeof spec.default === "number" || ["port", "rateLimitBurst"].includes(key) ||
    /DURATION|SIZE/.test(spec.arg ?? "");
  return numeric && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}
