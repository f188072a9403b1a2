// `lhttp config check` and `lhttp config print`: the configuration `lhttp serve`
// would run with, secrets masked.

import process from "node:process";
import { OPTION_KEYS, type OptionKey, OPTIONS } from "./_config_options.ts";
import { envOf, flagOf, isList } from "./_option_spelling.ts";
import { ConfigError, resolveConfig, type ResolvedConfig } from "./_config_resolve.ts";
import { showDuration } from "./_units.ts";

const HELP = `Usage: lhttp config check|print [--config FILE] [serve options]

  check   Validate the configuration (file, LHTTP_... variables, flags); exit 2 on mistakes
  print   Print the resolved configuration as JSONC, each value with its source;
          secrets masked

lhttp serve --help lists the options.
`;

/** Runs `lhttp config`; resolves to the exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runConfig } from "./config.ts";
 * assert.equal(typeof runConfig, "function");
 * ```
 */
export async function runConfig(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined || action === "-h" || action === "--help" || action === "help") {
    process.stdout.write(HELP);
    return action === undefined ? 2 : 0;
  }
  if (action !== "check" && action !== "print") {
    process.stderr.write(
      `lhttp config: unknown action ${JSON.stringify(action)} (check or print)\n`,
    );
    return 2;
  }
  let resolved: ResolvedConfig;
  try {
    resolved = await resolveConfig(rest, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`lhttp config: ${problem}\n`);
    const count = error.problems.length;
    process.stderr.write(`lhttp config: ${count} ${count === 1 ? "mistake" : "mistakes"}\n`);
    return 2;
  }
  if (action === "print") {
    process.stdout.write(printConfig(resolved));
    return 0;
  }
  const counts = { flag: 0, env: 0, file: 0, default: 0 };
  for (const source of Object.values(resolved.sources)) counts[source]++;
  process.stdout.write(
    `lhttp config: ok (${resolved.file ? `file ${resolved.file}` : "no file"}; ` +
      `${counts.flag} from flags, ${counts.env} from the environment, ${counts.file} from the file, ` +
      `${counts.default} defaults)\n`,
  );
  return 0;
}

/** The mask shown for a secret. */
const MASK = "********";

/**
 * The resolved configuration as JSONC that `--config` reads back (secrets
 * masked), each value with its source as a comment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./_config_resolve.ts";
 * import { printConfig } from "./config.ts";
 * const text = printConfig(await resolveConfig(["--publish-token", "s3cret"], { LHTTP_IDLE_TIMEOUT: "90" }));
 * assert.ok(!text.includes("s3cret"));
 * assert.match(text, /"publishToken": "\*{8}", \/\/ --publish-token/);
 * assert.match(text, /"idleTimeout": "90s", \/\/ LHTTP_IDLE_TIMEOUT/);
 * assert.match(text, /"maxFrameBytes": 1048576, \/\/ default/);
 * ```
 */
export function printConfig(resolved: ResolvedConfig): string {
  const lines = ["{"];
  for (const key of OPTION_KEYS) {
    const source = resolved.sources[key];
    if (source === undefined) continue;
    const shown = JSON.stringify(shownValue(key, resolved.values[key]));
    const from = source === "flag"
      ? `--${flagOf(key)}`
      : source === "env"
      ? envOf(key)
      : source === "file"
      ? resolved.file
      : "default";
    lines.push(`  ${JSON.stringify(key)}: ${shown}, // ${from}`);
  }
  lines.push("}", "");
  return lines.join("\n");
}

function shownValue(key: OptionKey, value: unknown): unknown {
  const spec: { secret?: boolean; arg?: string } = OPTIONS[key];
  if (spec.secret && value) return MASK;
  if (spec.arg === "DURATION") return showDuration(value as number);
  if (isList(key)) return value;
  return value;
}
