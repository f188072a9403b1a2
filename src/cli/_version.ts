// The version `lhttp --version` prints. tests/client/cli_test.ts checks that it
// matches deno.json's, so a release bumps both.

import process from "node:process";

/** This package's version (as in deno.json). */
export const VERSION = "0.1.0";

/** `lhttp 0.1.0 (node v20.20.2)`: the package's version and the runtime running it. */
export function versionLine(): string {
  const global = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  const runtime = global.Deno
    ? `deno ${global.Deno.version.deno}`
    : global.Bun
    ? `bun ${global.Bun.version}`
    : `node ${process.version}`;
  return `lhttp ${VERSION} (${runtime})`;
}
