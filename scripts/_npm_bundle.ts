/**
 * The JavaScript half of the npm build: esbuild bundles every entry point to
 * ES modules with shared chunks. Packages stay external (npm installs them
 * beside ours), and the modules browsers load must reach no Node built-in.
 *
 * @module
 */

import { resolve } from "node:path";
import * as esbuild from "esbuild";
import type { EntryPoint } from "./_npm_manifest.ts";

/** Entry points that run in browsers: their static import graph must stay free of imports. */
export const BROWSER_SAFE: readonly string[] = [".", "./client", "./compat", "./shared-worker"];

/** What the bundle step learned. */
export interface BundleResult {
  /** Packages the bundles import (Node built-ins excluded), for `dependencies`. */
  packages: string[];
  /** Per entry point: what it reaches through static imports, and the names it exports. */
  entries: Map<string, EntryGraph>;
}

/** One entry point's bundle as the metafile describes it. */
export interface EntryGraph {
  /** Packages (and `node:` built-ins) reached through static imports from the entry. */
  staticExternals: string[];
  /** Source files (relative to the root) bundled into the files those imports reach. */
  inputs: string[];
  /** The names the entry's module exports. */
  exports: string[];
}

/**
 * Bundles `entries` from `root` into `outDir` (`esm/src/client/mod.js` for
 * `src/client/mod.ts`: the source layout is kept, so paths stay predictable).
 */
export async function bundle(
  root: string,
  entries: EntryPoint[],
  outDir: string,
): Promise<BundleResult> {
  try {
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: entries.map((entry) => entry.source),
      outbase: root,
      outdir: outDir,
      bundle: true,
      splitting: true,
      format: "esm",
      // Neutral, not node: the core and the client are loaded by browsers too.
      platform: "neutral",
      target: "es2022",
      // Every bare specifier is a package (or `node:` built-in) that npm installs;
      // deno.json's import map names them exactly as npm does (`hono/deno`).
      packages: "external",
      chunkNames: "_chunks/[name]-[hash]",
      metafile: true,
      logLevel: "warning",
      legalComments: "none",
    });
    const imported = new Set<string>();
    for (const output of Object.values(result.metafile.outputs)) {
      for (const item of output.imports) {
        if (item.external && !item.path.startsWith("node:")) imported.add(item.path);
      }
    }
    const graphs = new Map(
      entries.map((entry) => [entry.name, entryGraph(result.metafile, entry, outDir, root)]),
    );
    for (const entry of entries.filter((entry) => BROWSER_SAFE.includes(entry.name))) {
      const [external] = graphs.get(entry.name)!.staticExternals;
      if (external) {
        throw new Error(`${entry.name} must stay browser-safe but imports ${external}`);
      }
    }
    return { packages: [...imported], entries: graphs };
  } finally {
    await esbuild.stop();
  }
}

// Follows static imports from an entry through the chunks: a browser-safe
// entry reaching any external (a `node:` built-in or a package) would break a
// plain `<script type="module">` or a CDN import, and an entry reaching an
// optional peer dependency must report it missing.
function entryGraph(
  metafile: esbuild.Metafile,
  entry: EntryPoint,
  outDir: string,
  root: string,
): EntryGraph {
  // Metafile paths are relative to the working directory (the root).
  const outputs = new Map(
    Object.entries(metafile.outputs).map(([path, output]) => [resolve(root, path), output]),
  );
  const start = resolve(outDir, entry.js.replace(/^\.\/esm\//, ""));
  const externals = new Set<string>();
  const inputs = new Set<string>();
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const output = outputs.get(file);
    if (!output) throw new Error(`bundle: no output ${file}`);
    for (const input of Object.keys(output.inputs)) inputs.add(input);
    for (const item of output.imports) {
      if (item.kind !== "import-statement") continue;
      if (item.external) externals.add(item.path);
      else queue.push(resolve(root, item.path));
    }
  }
  return {
    staticExternals: [...externals].sort(),
    inputs: [...inputs].sort(),
    exports: [...outputs.get(start)!.exports].sort(),
  };
}
