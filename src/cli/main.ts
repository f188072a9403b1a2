/**
 * The `lhttp` command line: `lhttp serve` runs a server; `lhttp connect` and
 * `lhttp publish` are clients; `lhttp config` checks and prints the configuration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "@lhttp/lhttp/cli";
 * assert.equal(typeof main, "function");
 * ```
 *
 * @module
 */

import process from "node:process";
import { runConfig } from "./config.ts";
import { runConnect } from "./connect.ts";
import { runPublish } from "./publish.ts";
import { runServe } from "./serve.ts";
import { versionLine } from "./_version.ts";

const USAGE = `Usage: lhttp <command> [options]

Commands:
  serve      Run an lhttp server (lhttp serve --help for options)
  connect    Open an interactive client session (lhttp connect --help)
  publish    Publish one frame through POST /publish (lhttp publish --help)
  config     Check or print the configuration of lhttp serve (lhttp config --help)

Options:
  -v, --version  Print the version and the runtime running lhttp
  -h, --help     Show this help
`;

/** Runs the CLI with `args` (without the program name); resolves to an exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "serve":
      return await runServe(rest);
    case "connect":
      return await runConnect(rest);
    case "publish":
      return await runPublish(rest);
    case "config":
      return await runConfig(rest);
    case "--version":
    case "-v":
    case "version":
      process.stdout.write(versionLine() + "\n");
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`lhttp: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

// No top-level await: Node 22+ can `require()` this module.
if (import.meta.main) {
  main(process.argv.slice(2)).then((code) => {
    if (code !== 0) process.exit(code);
  });
}
