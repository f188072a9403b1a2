/**
 * The classic-script bundle's entry: sets `globalThis.lhttp` (the client
 * module) and `globalThis.Lhttp` (the original SDK's constructor).
 *
 * @example
 * ```ts
 * import "./global.ts";
 * const global = globalThis as unknown as { Lhttp: unknown; lhttp: { LhttpClient: unknown } };
 * console.assert(typeof global.Lhttp === "function" && typeof global.lhttp.LhttpClient === "function");
 * ```
 *
 * @module
 */

import * as lhttp from "./browser.ts";

const global = globalThis as unknown as Record<string, unknown>;
global.lhttp = lhttp;
global.Lhttp = lhttp.Lhttp;
