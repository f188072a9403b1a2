/**
 * The classic-script bundle's entry: sets `globalThis.lhttp` (the client
 * module) and `globalThis.Lhttp` (the original SDK's constructor).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import "./global.ts";
 * const global = globalThis as unknown as { Lhttp: unknown; lhttp: Record<string, unknown> };
 * assert.equal(typeof global.Lhttp, "function");
 * assert.equal(typeof global.lhttp.LhttpClient, "function");
 * assert.equal(global.lhttp.ClientCore, undefined, "no internals");
 * ```
 *
 * @module
 */

import * as lhttp from "./browser.ts";

const global = globalThis as unknown as Record<string, unknown>;
global.lhttp = lhttp;
global.Lhttp = lhttp.Lhttp;
