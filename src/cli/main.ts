/**
 * The `lhttp` command line: `lhttp serve` runs a server; `lhttp connect` and
 * `lhttp publish` are clients.
 *
 * @example
 * ```ts
 * import { main } from "@lhttp/lhttp/cli";
 * console.assert(typeof main === "function");
 * ```
 *
 * @module
 */

import process from "node:process";
import { runConnect } from "./connect.ts";
import { runPublish } from "./publish.ts";
import { runServe } from "./serve.ts";

const USAGE = `Usage: lhttp <command> [options]

Commands:
  serve      Run an lhttp server (lhttp serve --help for options)
  connect    Open an interactive client session (lhttp connect --help)
  publish    Publish one frame through POST /publish (lhttp publish --help)
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

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  if (code !== 0) process.exit(code);
}
