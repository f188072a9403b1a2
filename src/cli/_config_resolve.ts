// Flags, then environment, then the config file, then defaults: one resolved config.

import { parseArgs } from "node:util";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { didYouMean } from "./_did_you_mean.ts";
import { parseJsonc } from "./_jsonc.ts";
import { type ConfigValues, OPTION_KEYS, type OptionKey, OPTIONS } from "./_config_options.ts";
import { envOf, flagOf, fromText, isBoolean, isList } from "./_option_spelling.ts";

/** A configuration with mistakes: every one found, one sentence each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "./_config_resolve.ts";
 * const error = new ConfigError(["a", "b"]);
 * assert.equal(error.message, "a\nb");
 * assert.equal(error.code, "config_invalid");
 * ```
 */
export class ConfigError extends Error {
  /** Machine code for scripts. */
  readonly code = "config_invalid";
  /** One line per mistake. */
  readonly problems: readonly string[];
  /** Creates the error from its problems. */
  constructor(problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Where a value came from. */
export type ConfigSource = "flag" | "env" | "file" | "default";

/** A resolved configuration. */
export interface ResolvedConfig {
  /** Values by key; keys without a value and without a default are absent. */
  values: Partial<ConfigValues>;
  /** Where each present value came from. */
  sources: Partial<Record<OptionKey, ConfigSource>>;
  /** The config file read, if any. */
  file?: string;
  /** `--help` was given. */
  help: boolean;
}

/** The file's own keys besides the options (editors read `$schema`). */
const FILE_SHAPE = Object.fromEntries([
  ["$schema", z.string().optional()],
  ...OPTION_KEYS.map((key) => [key, OPTIONS[key].schema.optional()]),
]);

/** The zod schema of a config file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FILE_SCHEMA } from "./_config_resolve.ts";
 * assert.ok(FILE_SCHEMA.safeParse({ port: 1, $schema: "x" }).success);
 * assert.ok(!FILE_SCHEMA.safeParse({ prot: 1 }).success);
 * ```
 */
export const FILE_SCHEMA: z.ZodType = z.strictObject(FILE_SHAPE);

/**
 * Resolves `args` (`--config FILE` and the options) over `env`
 * (`LHTTP_CONFIG` and `LHTTP_...`). Throws {@linkcode ConfigError} listing
 * every mistake of every source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./_config_resolve.ts";
 * const config = await resolveConfig(["--port", "9000"], { LHTTP_PORT: "1", LHTTP_MAX_FRAME_BYTES: "64KiB" });
 * assert.equal(config.values.port, 9000);
 * assert.equal(config.sources.port, "flag");
 * assert.equal(config.values.maxFrameBytes, 65536);
 * assert.equal(config.values.drainTimeout, 10_000);
 * await assert.rejects(resolveConfig(["--prot", "1"], {}), /did you mean --port/);
 * ```
 */
export async function resolveConfig(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<ResolvedConfig> {
  const problems: string[] = [];
  const flags = readFlags(args);
  const file = (flags.config as string | undefined) ?? (env.LHTTP_CONFIG || undefined);
  const fromFile = file === undefined ? {} : await readConfigFile(file, problems);
  const values: Record<string, unknown> = {};
  const sources: ResolvedConfig["sources"] = {};
  for (const key of OPTION_KEYS) {
    const flag = flagOf(key);
    let raw: unknown;
    let source: ConfigSource | undefined;
    let label = "";
    let text: string | undefined; // a flag's or variable's value as given, for messages
    if (flags[flag] !== undefined || flags[`no-${flag}`] !== undefined) {
      raw = flags[`no-${flag}`] ? false : flags[flag];
      if (isList(key)) raw = (raw as string[]).flatMap((item) => fromText(key, item) as string[]);
      else if (!isBoolean(key)) [text, raw] = [raw as string, fromText(key, raw as string)];
      [source, label] = ["flag", `--${flag}`];
    } else if (env[envOf(key)]) {
      text = env[envOf(key)]!;
      [raw, source, label] = [fromText(key, text), "env", envOf(key)];
    } else if (key in fromFile) {
      [raw, source, label] = [fromFile[key], "file", `${file}: ${key}`];
    } else if (OPTIONS[key].default !== undefined) {
      [raw, source] = [OPTIONS[key].default, "default"];
    }
    if (source === undefined) continue;
    const result = OPTIONS[key].schema.safeParse(raw);
    if (result.success) {
      values[key] = result.data;
      sources[key] = source;
    } else {
      const given = text === undefined || isList(key) ? raw : text;
      problems.push(...result.error.issues.map((issue) => explain(issue, label, given)));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { values: values as Partial<ConfigValues>, sources, file, help: flags.help === true };
}

function readFlags(args: string[]): Record<string, string | string[] | boolean | undefined> {
  const options: Record<
    string,
    { type: "string" | "boolean"; multiple?: boolean; short?: string }
  > = {
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  };
  for (const key of OPTION_KEYS) {
    const flag = flagOf(key);
    if (isBoolean(key)) {
      options[flag] = { type: "boolean" };
      options[`no-${flag}`] = { type: "boolean" };
    } else options[flag] = { type: "string", multiple: isList(key) };
  }
  try {
    return parseArgs({ args, options }).values as Record<string, string | string[] | boolean>;
  } catch (error) {
    const message = (error as Error).message.replace(/\s*\n\s*/g, " ");
    const unknown = message.match(/^Unknown option '(-{1,2})([^']*)'/);
    if (!unknown) throw new ConfigError([message]);
    const near = didYouMean(unknown[2], Object.keys(options));
    throw new ConfigError([
      `Unknown option "${unknown[1]}${unknown[2]}"${near ? ` (did you mean --${near}?)` : ""}`,
    ]);
  }
}

/** The file's object, or `{}` with its problems pushed. */
async function readConfigFile(path: string, problems: string[]): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    problems.push(
      `${path}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code ?? error})`}`,
    );
    return {};
  }
  let parsed: unknown;
  try {
    parsed = parseJsonc(text);
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message}`);
    return {};
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(`${path}: must hold a JSON object, got ${JSON.stringify(parsed)?.slice(0, 40)}`);
    return {};
  }
  const result = FILE_SCHEMA.safeParse(parsed);
  const object = { ...parsed } as Record<string, unknown>;
  for (const issue of result.error?.issues ?? []) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const near = didYouMean(key, OPTION_KEYS);
        problems.push(
          `${path}: unknown key ${JSON.stringify(key)}${near ? ` (did you mean "${near}"?)` : ""}`,
        );
        delete object[key];
      }
    } else if (issue.path[0] === "$schema") {
      problems.push(`${path}: $schema must be a string`);
    }
  }
  // Values are judged per key with their source, after precedence.
  delete object.$schema;
  return object;
}

function explain(issue: z.core.$ZodIssue, label: string, raw: unknown): string {
  let value: unknown = raw;
  for (const part of issue.path) value = (value as Record<PropertyKey, unknown>)?.[part];
  const where = label + issue.path.map((part) => `[${String(part)}]`).join("");
  const message = issue.message.includes("$LABEL") ? issue.message : `$LABEL: ${issue.message}`;
  return message.replaceAll("$LABEL", where).replaceAll(
    "$VALUE",
    JSON.stringify(value) ?? "nothing",
  );
}
