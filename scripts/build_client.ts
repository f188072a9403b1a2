/**
 * Builds the browser bundles of the client with `deno bundle` (esbuild),
 * minified, each with a source map beside it:
 * `examples/chat/vendor/lhttp.mjs` (ES module) and `lhttp.js` (classic script
 * setting `window.lhttp` and `window.Lhttp`), `lhttp-shared-worker.js` (the
 * `SharedWorker` that `SharedLhttpClient` points `workerUrl` at), each with
 * its `.map`. They are committed so that `deno task start` works on a
 * fresh clone; `--check` fails when they are stale.
 *
 * Usage: deno run -A scripts/build_client.ts [--check] [--out DIR]
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { buildClient } from "./build_client.ts";
 * assert.deepEqual(await buildClient({ check: true }), []);
 * ```
 *
 * @module
 */

import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = new URL("../", import.meta.url);

/** The bundles: output name, entry, format. */
export const BUNDLES = [
  { file: "lhttp.mjs", entry: "src/client/browser.ts", format: "esm" },
  { file: "lhttp.js", entry: "src/client/global.ts", format: "iife" },
  // The SharedWorker of SharedLhttpClient's `share: "worker"` (its `workerUrl`).
  { file: "lhttp-shared-worker.js", entry: "src/client/_shared_worker_entry.ts", format: "iife" },
] as const;

/** Builds every bundle and its map; with `check`, compares instead of writing and returns the stale files. */
export async function buildClient(
  options: { check?: boolean; out?: string } = {},
): Promise<string[]> {
  const out = options.out ?? "examples/chat/vendor";
  const temp = await Deno.makeTempDir({ prefix: "lhttp-bundle-" });
  const stale: string[] = [];
  try {
    for (const bundle of BUNDLES) {
      const built = `${temp}/${bundle.file}`;
      const command = new Deno.Command(Deno.execPath(), {
        args: [
          "bundle",
          "--quiet",
          "--platform=browser",
          `--format=${bundle.format}`,
          "--minify",
          "--sourcemap=external",
          "--output",
          built,
          bundle.entry,
        ],
        cwd: ROOT,
        stdout: "inherit",
        stderr: "inherit",
      });
      const { code } = await command.output();
      if (code !== 0) throw new Error(`deno bundle ${bundle.entry} failed (exit ${code})`);
      const outDir = new URL(`${out}/`, ROOT);
      const files = {
        [bundle.file]: header(bundle.entry) + (await Deno.readTextFile(built)).trimEnd() +
          `\n//# sourceMappingURL=${bundle.file}.map\n`,
        [`${bundle.file}.map`]: sourceMap(await Deno.readTextFile(`${built}.map`), temp, outDir),
      };
      for (const [file, text] of Object.entries(files)) {
        const target = new URL(file, outDir);
        if (options.check) {
          const current = await Deno.readTextFile(target).catch(() => "");
          if (current !== text) stale.push(`${out}/${file}`);
        } else {
          await Deno.mkdir(outDir, { recursive: true });
          await Deno.writeTextFile(target, text);
        }
      }
    }
  } finally {
    await Deno.remove(temp, { recursive: true });
  }
  return stale;
}

/**
 * The map as written beside the bundle: sources relative to the output
 * directory (not to the temporary build directory), and one line more at the
 * top for the header comment.
 */
function sourceMap(text: string, builtIn: string, outDir: URL): string {
  const map = JSON.parse(text) as { sources: string[]; mappings: string };
  const from = fileURLToPath(outDir);
  map.sources = map.sources.map((source) =>
    relative(from, fileURLToPath(new URL(source, `file://${builtIn}/`))).replaceAll("\\", "/")
  );
  map.mappings = `;${map.mappings}`;
  return JSON.stringify(map) + "\n";
}

function header(entry: string): string {
  return `// Built from ${entry} by scripts/build_client.ts (deno task build:client); do not edit.\n`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { check: { type: "boolean", default: false }, out: { type: "string" } },
  });
  const stale = await buildClient({ check: values.check, out: values.out });
  if (stale.length > 0) {
    console.error(`Stale bundles: ${stale.join(", ")}; run deno task build:client`);
    Deno.exit(1);
  }
  console.error(values.check ? "Bundles are up to date" : "Bundles written");
}
