/**
 * The browser bundles' entry: the client, the codec and the original-API
 * `Lhttp`. `vendor/lhttp.mjs` is this module; `vendor/lhttp.js` also sets the
 * globals `lhttp` (this module) and `Lhttp` (see `global.ts`).
 *
 * @example
 * ```ts
 * import { Lhttp, LhttpClient } from "./browser.ts";
 * console.assert(typeof Lhttp === "function" && typeof LhttpClient === "function");
 * ```
 *
 * @module
 */

export * from "./mod.ts";
export { type CompatPart, type HeaderObject, Lhttp, LhttpContext } from "./compat.ts";
