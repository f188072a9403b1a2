/**
 * The browser bundles' entry: the client, the codec and the original-API
 * `Lhttp`. `vendor/lhttp.mjs` is this module; `vendor/lhttp.js` also sets the
 * globals `lhttp` (this module) and `Lhttp` (see `global.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as lhttp from "./browser.ts";
 * assert.equal(typeof lhttp.Lhttp, "function");
 * assert.equal(typeof lhttp.LhttpClient, "function");
 * assert.equal("AckTracker" in lhttp, false, "no internals");
 * ```
 *
 * @module
 */

export * from "./mod.ts";
export { type CompatPart, type HeaderObject, Lhttp, LhttpContext } from "./compat.ts";
