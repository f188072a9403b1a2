/**
 * The npm package's `package.json`, derived from `deno.json`: the build and
 * the exports-agreement test share these functions, so a new entry point in
 * `deno.json` reaches npm without touching the build.
 *
 * @example
 * ```ts
 * import { entryPoints, npmExports } from "./_npm_manifest.ts";
 * import assert from "node:assert/strict";
 * const entries = entryPoints({ exports: { ".": "./mod.ts", "./client": "./src/client/mod.ts" } });
 * assert.equal(npmExports(entries)["./client"].import, "./esm/src/client/mod.js");
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
  /** The ES module, for `import`. */
  import: string;
  /**
   * The same ES module for every other condition: `require()` (Node 22+ loads
   * ES modules without top-level await) and bundlers that match neither.
   */
  default: string;
}

/**
 * Packages only some entry points need: optional `peerDependencies`, so a
 * browser-client user installs no server and no NATS client. The npm build
 * makes each entry point that imports one report a missing one by name.
 *
 * Every other package the bundles import is a hard dependency: `hono` (the
 * HTTP routes) and `zod` (the CLI's config validation: `npx @lhttp/lhttp
 * serve` installs dependencies only, and the bin imports it statically). The
 * core and the browser entry points import no package at all (see
 * `BROWSER_SAFE` in `_npm_bundle.ts`).
 */
export const OPTIONAL_PEERS: readonly string[] = [
  "ws",
  "@hono/node-server",
  "@nats-io/nats-core",
  "@nats-io/transport-node",
  "@nats-io/jetstream",
  "@nats-io/kv",
];

/** The dependency fields of `package.json`. */
export interface DependencyFields {
  /** Installed with the package. */
  dependencies: Record<string, string>;
  /** Installed by the user when an entry point needs them. */
  peerDependencies: Record<string, string>;
  /** Marks every peer optional. */
  peerDependenciesMeta: Record<string, { optional: true }>;
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
    entries.map((
      entry,
    ) => [entry.name, { types: entry.types, import: entry.js, default: entry.js }]),
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

/**
 * Splits `dependencies` (from {@linkcode npmDependencies}) into hard
 * dependencies and the optional peers `optional` names; `@types/x` goes where
 * `x` goes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dependencyFields } from "./_npm_manifest.ts";
 * const fields = dependencyFields({ hono: "^4", ws: "^8", "@types/ws": "^8" }, ["ws"]);
 * assert.deepEqual(fields.dependencies, { hono: "^4" });
 * assert.deepEqual(fields.peerDependencies, { "@types/ws": "^8", ws: "^8" });
 * assert.deepEqual(fields.peerDependenciesMeta.ws, { optional: true });
 * ```
 */
export function dependencyFields(
  dependencies: Record<string, string>,
  optional: readonly string[] = OPTIONAL_PEERS,
): DependencyFields {
  const fields: DependencyFields = {
    dependencies: {},
    peerDependencies: {},
    peerDependenciesMeta: {},
  };
  const typed = (name: string) => `@types/${name.replace(/^@/, "").replace("/", "__")}`;
  const peers = new Set(optional.flatMap((name) => [name, typed(name)]));
  for (const [name, range] of Object.entries(dependencies)) {
    if (peers.has(name)) {
      fields.peerDependencies[name] = range;
      fields.peerDependenciesMeta[name] = { optional: true };
    } else {
      fields.dependencies[name] = range;
    }
  }
  return fields;
}

/** The whole `package.json` of the npm package. */
export function packageJson(
  deno: DenoJson,
  dependencies: Record<string, string> | DependencyFields,
): Record<string, unknown> {
  const fields = "peerDependencies" in dependencies
    ? dependencies as DependencyFields
    : dependencyFields(dependencies as Record<string, string>);
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
    // schema/: the config file's JSON Schema, for `"$schema": "./node_modules/@lhttp/lhttp/schema/…"`.
    files: ["esm/", "types/", "bin/", "schema/", "README.md", "LICENSE"],
    engines: { node: ">=20" },
    dependencies: fields.dependencies,
    peerDependencies: fields.peerDependencies,
    peerDependenciesMeta: fields.peerDependenciesMeta,
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
 * import assert from "node:assert/strict";
 * assert.equal(exportsDisagreement(deno, pkg)[0], "npm lacks the export .");
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
