// The npm package.json generator against deno.json, without building: the
// exports must mirror deno.json's one for one, and dependencies must come from
// the import map. (tests/npm_consumer_test.ts checks the built package too.)

import assert from "node:assert/strict";
import { readDenoJson } from "../scripts/build_npm.ts";
import {
  entryPoints,
  exportsDisagreement,
  npmDependencies,
  npmTarget,
  packageJson,
  packageOf,
} from "../scripts/_npm_manifest.ts";

const deno = await readDenoJson();

Deno.test("npm exports: one per deno.json export, each built from that export's source", () => {
  const manifest = packageJson(deno, {});
  const exports = manifest.exports as Record<string, { types: string; import: string }>;
  const denoExports = deno.exports as Record<string, string>;
  assert.deepEqual(
    Object.keys(exports).sort(),
    [...Object.keys(denoExports), "./package.json"].sort(),
  );
  for (const [name, source] of Object.entries(denoExports)) {
    const stem = source.replace(/^\.\//, "").replace(/\.ts$/, "");
    assert.deepEqual(exports[name], { types: `./types/${stem}.d.ts`, import: `./esm/${stem}.js` });
  }
  assert.deepEqual(exportsDisagreement(deno, manifest), []);
  assert.equal(manifest.name, deno.name);
  assert.equal(manifest.version, deno.version);
  assert.equal(manifest.type, "module");
  assert.deepEqual(manifest.engines, { node: ">=20" });
});

Deno.test("exportsDisagreement names a missing, an extra and a changed export", () => {
  const exports = deno.exports as Record<string, string>;
  const [first, second] = Object.keys(exports);
  const good = packageJson(deno, {}).exports as Record<string, unknown>;
  const { [first]: _dropped, ...missing } = good;
  assert.deepEqual(exportsDisagreement(deno, { exports: missing }), [
    `npm lacks the export ${first}`,
  ]);
  assert.deepEqual(exportsDisagreement(deno, { exports: { ...good, "./extra": "./x.js" } }), [
    "npm exports ./extra, which deno.json does not",
  ]);
  const changed = { ...good, [second]: { types: "./a.d.ts", import: "./a.js" } };
  assert.equal(exportsDisagreement(deno, { exports: changed }).length, 1);
  // A new deno.json export that the package lacks is a disagreement as well.
  const grown = { exports: { ...exports, "./new": "./src/new.ts" } };
  assert.deepEqual(exportsDisagreement(grown, { exports: good }), [
    "npm lacks the export ./new",
  ]);
});

Deno.test("entry points: only .ts sources; a string export is `.`", () => {
  assert.deepEqual(entryPoints({ exports: "./mod.ts" }), [
    { name: ".", source: "mod.ts", js: "./esm/mod.js", types: "./types/mod.d.ts" },
  ]);
  assert.throws(() => entryPoints({ exports: { "./x": "./x.json" } }), /not a \.ts file/);
});

Deno.test("dependencies: ranges from the import map, @types riding along, unknowns refused", () => {
  const imports = deno.imports ?? {};
  assert.deepEqual(npmTarget("npm:/hono@^4.13.19/"), { name: "hono", range: "^4.13.19" });
  assert.deepEqual(npmTarget("npm:@hono/node-server@^2.1.9"), {
    name: "@hono/node-server",
    range: "^2.1.9",
  });
  assert.equal(npmTarget("jsr:@std/assert@1"), undefined);
  assert.equal(packageOf("@hono/node-server/serve-static"), "@hono/node-server");
  assert.equal(packageOf("hono/deno"), "hono");
  const deps = npmDependencies(["ws", "hono", "ws"], imports);
  assert.deepEqual(Object.keys(deps), ["@types/ws", "hono", "ws"]);
  assert.equal(deps.ws, npmTarget(imports.ws)!.range);
  assert.throws(() => npmDependencies(["left-pad"], imports), /left-pad/);
});
