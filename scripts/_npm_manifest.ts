/**
 * The npm package's `package.json`, derived from `deno.json`: the build and
 * the exports-agreement test share these functions, so a new entry point in
 * `deno.json` reaches npm without touching the build.
 *
 * @example
 * ```ts
 * import { entryPoints, npmExports } from "./_npm_manifest.ts";
 * const entries = entryPoints({ exports: { ".": "./mod.ts", "./client": "./src/client/mod.ts" } });
 * console.assert(npmExports(entries)["./client"].import === "./esm/src/client/mod.js");
 * ```
 *
 * @module
 */

/** The parts of `deno.json` the npm build reads. */
export interface DenoJson {
  /** Package name, e.g. `@lhttp/lhttp`. */
  name?: string;
  /** Package version. */
  version?: string;
  /** License identifier. */
  license?: string;
  /** Export name to source path, or one path for `.`. */
  exports: string | Record<string, string>;
  /** The import map. */
  imports?: Record<string, string>;
}

/** One public entry point. */
export interface EntryPoint {
  /** The export name, e.g. `.` or `./client`. */
  name: string;
  /** The source file, relative to the repository root, without `./`. */
  source: string;
  /** The ES module in the npm package, e.g. `./esm/src/client/mod.js`. */
  js: string;
  /** Its declarations, e.g. `./types/src/client/mod.d.ts`. */
  types: string;
}

/** Conditions of one npm export. */
export interface NpmExport {
  /** Declarations (listed first: TypeScript takes the first matching condition). */
  types: string;
  /** The ES module. */
  import: string;
}

/** The entry points of `deno.json`, with where each lands in the npm package. */
export function entryPoints(deno: Pick<DenoJson, "exports">): EntryPoint[] {
  const exports = typeof deno.exports === "string" ? { ".": deno.exports } : deno.exports;
  return Object.entries(exports).map(([name, path]) => {
    const source = path.replace(/^\.\//, "");
    if (!/\.tsx?$/.test(source)) throw new Error(`export ${name}: ${path} is not a .ts file`);
    const stem = source.replace(/\.tsx?$/, "");
    return { name, source, js: `./esm/${stem}.js`, types: `./types/${stem}.d.ts` };
  });
}

/** The `exports` field of `package.json` for `entries`. */
export function npmExports(entries: EntryPoint[]): Record<string, NpmExport> {
  return Object.fromEntries(
    entries.map((entry) => [entry.name, { types: entry.types, import: entry.js }]),
  );
}

/**
 * The npm name and version range of an import-map target, or undefined for
 * targets that are not npm packages (`jsr:`, URLs, paths).
 */
export function npmTarget(target: string): { name: string; range: string } | undefined {
  const match = target.match(/^npm:\/?((?:@[^/@]+\/)?[^/@]+)@([^/]+)\/?$/);
  return match ? { name: match[1], range: match[2] } : undefined;
}

/** The package a bare specifier belongs to: `hono/deno` → `hono`, `@a/b/c` → `@a/b`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * `dependencies` for the packages the bundles import: each range comes from
 * the import map, and `@types/x` rides along with `x` when the map has it
 * (the declarations name those types, e.g. `ws`'s `WebSocketServer`).
 */
export function npmDependencies(
  imported: Iterable<string>,
  imports: Record<string, string>,
): Record<string, string> {
  const ranges = new Map<string, string>();
  for (const target of Object.values(imports)) {
    const npm = npmTarget(target);
    if (npm) ranges.set(npm.name, npm.range);
  }
  const dependencies: Record<string, string> = {};
  for (const name of [...new Set(imported)].sort()) {
    const range = ranges.get(name);
    if (!range) throw new Error(`the bundles import ${name}, which deno.json's imports lack`);
    dependencies[name] = range;
    const types = `@types/${name.replace(/^@/, "").replace("/", "__")}`;
    const typesRange = ranges.get(types);
    if (typesRange) dependencies[types] = typesRange;
  }
  return Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)));
}

/** The whole `package.json` of the npm package. */
export function packageJson(
  deno: DenoJson,
  dependencies: Record<string, string>,
): Record<string, unknown> {
  if (!deno.name || !deno.version) throw new Error("deno.json needs a name and a version");
  return {
    name: deno.name,
    version: deno.version,
    description:
      "Realtime pub/sub over WebSocket with an HTTP-like text protocol (LHTTP/1.0), for Node, Bun, Deno and browsers.",
    license: deno.license ?? "MIT",
    type: "module",
    exports: { ...npmExports(entryPoints(deno)), "./package.json": "./package.json" },
    bin: { lhttp: "./bin/lhttp.js" },
    files: ["esm/", "types/", "bin/", "README.md", "LICENSE"],
    engines: { node: ">=20" },
    dependencies,
    keywords: ["lhttp", "websocket", "pubsub", "realtime", "hono", "deno", "bun", "node"],
  };
}

/**
 * Where `pkg.exports` (a `package.json`) and `deno.exports` disagree, one line
 * each; empty when every `deno.json` export has the same name in npm, pointing
 * at the build of the same source, and npm has no other export.
 *
 * @example
 * ```ts
 * import { exportsDisagreement } from "./_npm_manifest.ts";
 * const deno = { exports: { ".": "./mod.ts" } };
 * const pkg = { exports: { "./package.json": "./package.json" } };
 * console.assert(exportsDisagreement(deno, pkg)[0] === "npm lacks the export .");
 * ```
 */
export function exportsDisagreement(
  deno: Pick<DenoJson, "exports">,
  pkg: { exports?: unknown },
): string[] {
  const expected = npmExports(entryPoints(deno));
  const actual = (pkg.exports ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, conditions] of Object.entries(expected)) {
    if (!(name in actual)) problems.push(`npm lacks the export ${name}`);
    else if (JSON.stringify(actual[name]) !== JSON.stringify(conditions)) {
      problems.push(
        `npm export ${name} is ${JSON.stringify(actual[name])}, not ${JSON.stringify(conditions)}`,
      );
    }
  }
  for (const name of Object.keys(actual)) {
    if (!(name in expected) && name !== "./package.json") {
      problems.push(`npm exports ${name}, which deno.json does not`);
    }
  }
  return problems;
}
