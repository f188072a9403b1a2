/**
 * Builds the npm package in `npm/` from the same sources JSR publishes:
 * esbuild bundles (`esm/`), tsc declarations (`types/`), the `lhttp` bin, the
 * browser bundles (`browser/`), the config file's JSON Schema (`schema/`),
 * `package.json` derived from `deno.json`, README and LICENSE. Entry points come from `deno.json` `exports`, so a new
 * one needs no change here.
 *
 * Usage: `deno task build:npm` (or `deno run -A scripts/build_npm.ts [--out DIR]`)
 *
 * @example
 * ```ts ignore
 * import { buildNpm } from "./build_npm.ts";
 * const { dir, manifest } = await buildNpm({ out: "/tmp/lhttp-npm" });
 * import assert from "node:assert/strict";
 * assert.equal(manifest.name, "@lhttp/lhttp");
 * assert.equal(dir, "/tmp/lhttp-npm");
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { buildClient } from "./build_client.ts";
import { bundle } from "./_npm_bundle.ts";
import {
  type DenoJson,
  dependencyFields,
  entryPoints,
  npmDependencies,
  OPTIONAL_PEERS,
  packageJson,
  packageOf,
} from "./_npm_manifest.ts";
import { implName, peerLoader, PEERS_MODULE, PEERS_SOURCE } from "./_npm_peers.ts";
import { emitDeclarations } from "./_npm_types.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

/** Reads the repository's `deno.json`. */
export async function readDenoJson(): Promise<DenoJson> {
  return JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
}

/** Where the package was built and its `package.json`. */
export interface NpmBuild {
  /** The package directory (absolute). */
  dir: string;
  /** The generated `package.json`. */
  manifest: Record<string, unknown>;
  /** Entry points whose static imports reach optional peers, with those peers. */
  peerLoaders: Record<string, string[]>;
  /** Per entry point, the source files bundled into what it imports statically. */
  inputs: Record<string, string[]>;
  /** Per entry point, the packages and `node:` built-ins its static imports reach. */
  externals: Record<string, string[]>;
}

// The bin runs the CLI's `main` like `deno run src/cli/main.ts` does. `node`
// in the shebang: npx runs it on Node, and `bunx --bun` (or `bun run --bun`)
// puts Bun first on PATH as `node`, so it runs on Bun.
const BIN = (cli: string) =>
  `#!/usr/bin/env node
import process from "node:process";
import { main } from "${cli}";

main(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exit(code);
});
`;

/** Builds the package into `out` (default `npm/` in the repository), replacing it. */
export async function buildNpm(options: { out?: string } = {}): Promise<NpmBuild> {
  const dir = options.out ?? `${ROOT}/npm`;
  const deno = await readDenoJson();
  const entries = entryPoints(deno);
  await Deno.remove(dir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await Deno.mkdir(dir, { recursive: true });

  const { packages, entries: graphs } = await bundle(ROOT, entries, `${dir}/esm`);
  emitDeclarations(ROOT, entries, `${dir}/types`);

  // An entry point that imports an optional peer gets a loader that names it when missing.
  const peerLoaders: Record<string, string[]> = {};
  const inputs: Record<string, string[]> = {};
  const externals: Record<string, string[]> = {};
  for (const entry of entries) {
    const graph = graphs.get(entry.name)!;
    inputs[entry.name] = graph.inputs;
    externals[entry.name] = graph.staticExternals;
    const peers = [...new Set(graph.staticExternals.map(packageOf))]
      .filter((name) => OPTIONAL_PEERS.includes(name));
    if (peers.length === 0) continue;
    peerLoaders[entry.name] = peers;
    const file = `${dir}/${entry.js}`;
    await Deno.rename(file, file.replace(/[^/]+$/, implName(entry.js)));
    const specifier = entry.name === "." ? deno.name! : `${deno.name}/${entry.name.slice(2)}`;
    await Deno.writeTextFile(
      file,
      peerLoader({ entry: specifier, js: entry.js, peers, exports: graph.exports }),
    );
  }
  if (Object.keys(peerLoaders).length > 0) {
    await Deno.writeTextFile(`${dir}/esm/${PEERS_MODULE}`, PEERS_SOURCE);
  }

  const imported = npmDependencies(packages.map(packageOf), deno.imports ?? {});
  const manifest = packageJson(deno, dependencyFields(imported));
  const cli = entries.find((entry) => entry.name === "./cli");
  if (cli) {
    await Deno.mkdir(`${dir}/bin`);
    await Deno.writeTextFile(`${dir}/bin/lhttp.js`, BIN(`.${cli.js}`), { mode: 0o755 });
  } else {
    delete manifest.bin;
  }
  // The classic-script and ES-module browser bundles, for `<script>` from a CDN.
  await buildClient({ out: `${dir}/browser` });
  manifest.unpkg = "./browser/lhttp.js";
  manifest.jsdelivr = "./browser/lhttp.js";
  (manifest.files as string[]).push("browser/");

  await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify(manifest, null, 2) + "\n");
  for (const file of ["README.md", "LICENSE"]) {
    await Deno.copyFile(`${ROOT}/${file}`, `${dir}/${file}`);
  }
  // The JSON Schema of `lhttp serve --config` files (JSR ships the same folder).
  await Deno.mkdir(`${dir}/schema`);
  for await (const file of Deno.readDir(`${ROOT}/schema`)) {
    if (file.isFile) {
      await Deno.copyFile(`${ROOT}/schema/${file.name}`, `${dir}/schema/${file.name}`);
    }
  }
  return { dir, manifest, peerLoaders, inputs, externals };
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { out: { type: "string" } } });
  const { dir, manifest } = await buildNpm({ out: values.out });
  console.log(`built ${manifest.name}@${manifest.version} in ${dir}`);
}
