// The npm package.json generator against deno.json: the exports must mirror
// deno.json's one for one, dependencies must come from the import map, and
// the packages only some entry points need are optional peers. Then the
// built package (no npm install; tests/npm_consumer_test.ts installs it):
// loaders for the entry points that need a peer, and browser code free of
// server code.

import assert from "node:assert/strict";
import { buildNpm, readDenoJson } from "../scripts/build_npm.ts";
import { BUNDLES } from "../scripts/build_client.ts";
import {
  dependencyFields,
  entryPoints,
  exportsDisagreement,
  npmDependencies,
  npmTarget,
  OPTIONAL_PEERS,
  packageJson,
  packageOf,
} from "../scripts/_npm_manifest.ts";

const deno = await readDenoJson();

Deno.test("npm exports: one per deno.json export, each built from that export's source", () => {
  const manifest = packageJson(deno, {});
  const exports = manifest.exports as Record<
    string,
    { types: string; import: string; default: string }
  >;
  const denoExports = deno.exports as Record<string, string>;
  assert.deepEqual(
    Object.keys(exports).sort(),
    [...Object.keys(denoExports), "./package.json"].sort(),
  );
  for (const [name, source] of Object.entries(denoExports)) {
    const stem = source.replace(/^\.\//, "").replace(/\.ts$/, "");
    // `default` after `import`: Node 22+ `require()` and other tools load the same ES module.
    assert.deepEqual(exports[name], {
      types: `./types/${stem}.d.ts`,
      import: `./esm/${stem}.js`,
      default: `./esm/${stem}.js`,
    });
    assert.deepEqual(Object.keys(exports[name]), ["types", "import", "default"]);
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
  const changed = {
    ...good,
    [second]: { types: "./a.d.ts", import: "./a.js", default: "./a.js" },
  };
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

Deno.test("dependencies: ws, @hono/node-server and the NATS clients are optional peers; hono and zod are not", () => {
  const imports = deno.imports ?? {};
  const all = npmDependencies(
    [
      "hono",
      "zod",
      "ws",
      "@hono/node-server",
      "@nats-io/nats-core",
      "@nats-io/transport-node",
      "@nats-io/jetstream",
      "@nats-io/kv",
    ],
    imports,
  );
  const fields = dependencyFields(all);
  assert.deepEqual(fields.dependencies, {
    hono: npmTarget(imports.hono)!.range,
    zod: npmTarget(imports.zod)!.range,
  });
  const peers = [...OPTIONAL_PEERS, "@types/ws"].sort();
  assert.deepEqual(Object.keys(fields.peerDependencies).sort(), peers);
  for (const name of peers) {
    assert.equal(fields.peerDependencies[name], npmTarget(imports[name])!.range, name);
    assert.deepEqual(fields.peerDependenciesMeta[name], { optional: true }, name);
  }
  const manifest = packageJson(deno, fields);
  assert.deepEqual(manifest.dependencies, fields.dependencies);
  assert.deepEqual(manifest.peerDependencies, fields.peerDependencies);
  assert.deepEqual(manifest.peerDependenciesMeta, fields.peerDependenciesMeta);
});

// Code a browser may load: the client and the protocol codec it shares with the server.
const BROWSER_CODE = /^src\/(client|codec)\//;

Deno.test("built package: optional peers, a loader per entry that needs one, no server code in browser code", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "lhttp-npm-manifest-" });
  try {
    const { manifest, peerLoaders, inputs, externals } = await buildNpm({ out });
    const dependencies = manifest.dependencies as Record<string, string>;
    const peers = manifest.peerDependencies as Record<string, string>;
    const meta = manifest.peerDependenciesMeta as Record<string, { optional?: boolean }>;

    await t.step("package.json: no optional package is a hard dependency", () => {
      for (const name of [...OPTIONAL_PEERS, "@types/ws"]) {
        assert.equal(dependencies[name], undefined, `${name} is in dependencies`);
        assert.ok(peers[name], `${name} is not a peer dependency`);
        assert.deepEqual(meta[name], { optional: true }, `${name} is not marked optional`);
      }
      // hono: the HTTP routes; zod: the CLI's config validation (the bin must run after
      // `npx @lhttp/lhttp`, which installs no optional peer).
      assert.deepEqual(Object.keys(dependencies), ["hono", "zod"]);
    });

    await t.step("zod: the CLI's dependency only, never in the core or the client", () => {
      const imports = deno.imports ?? {};
      assert.equal(dependencies.zod, npmTarget(imports.zod)!.range);
      const reaching = Object.keys(externals).filter((name) => externals[name].includes("zod"));
      assert.deepEqual(reaching, ["./cli"]);
      for (const name of [".", "./client", "./compat"]) {
        // Web standards only: no package and no `node:` built-in.
        assert.deepEqual(externals[name], [], `${name} imports ${externals[name]}`);
        const cli = inputs[name].filter((file) => file.startsWith("src/cli/"));
        assert.deepEqual(cli, [], `${name} bundles CLI code`);
      }
    });

    await t.step(
      "schema/: the config JSON Schema ships, as README's $schema path says",
      async () => {
        assert.ok((manifest.files as string[]).includes("schema/"));
        assert.equal(
          await Deno.readTextFile(`${out}/schema/lhttp.schema.json`),
          await Deno.readTextFile(new URL("../schema/lhttp.schema.json", import.meta.url)),
        );
      },
    );

    await t.step(
      "each entry point that imports a peer loads through a loader naming it",
      async () => {
        // Today's adapters import their peers statically; one that loads them
        // lazily (and reports them itself) needs no loader and drops out here.
        for (
          const [name, wanted] of Object.entries({
            "./node": ["@hono/node-server", "ws"],
            "./nats": ["@nats-io/nats-core"],
            "./jetstream": ["@nats-io/jetstream", "@nats-io/nats-core"],
            "./cluster": ["@nats-io/kv"],
          })
        ) {
          if (peerLoaders[name]) assert.deepEqual(peerLoaders[name], wanted, name);
        }
        for (const name of [".", "./client", "./compat", "./hono", "./serve", "./cli"]) {
          assert.equal(peerLoaders[name], undefined, `${name} must not need a peer to load`);
        }
        for (const wanted of Object.values(peerLoaders)) {
          for (const peer of wanted) assert.ok(OPTIONAL_PEERS.includes(peer), peer);
        }
        for (const [name, wanted] of Object.entries(peerLoaders)) {
          const entry = entryPoints(deno).find((e) => e.name === name)!;
          const loader = await Deno.readTextFile(`${out}/${entry.js}`);
          assert.match(loader, /loadWithPeers\(/);
          assert.ok(loader.includes(JSON.stringify(wanted)), loader);
          assert.doesNotMatch(loader, /^import .* from "(?!\.)/m, "the loader imports no package");
        }
        const shared = await Deno.readTextFile(`${out}/esm/_peers.js`);
        assert.match(shared, /class MissingPeerError extends Error/);
      },
    );

    await t.step("npm browser entry points bundle only client and codec sources", () => {
      for (const name of ["./client", "./compat"]) {
        const server = inputs[name].filter((file) => !BROWSER_CODE.test(file));
        assert.deepEqual(server, [], `${name} bundles server code`);
        assert.ok(inputs[name].length > 0);
      }
    });

    await t.step("browser/ bundles: built only from client and codec sources", async () => {
      for (const bundle of BUNDLES) {
        const { stdout } = await new Deno.Command(Deno.execPath(), {
          args: ["info", "--json", bundle.entry],
          cwd: new URL("../", import.meta.url).pathname,
          stdout: "piped",
        }).output();
        const graph: { modules: { specifier: string }[] } = JSON.parse(
          new TextDecoder().decode(stdout),
        );
        const root = new URL("../", import.meta.url).href;
        const files = graph.modules.map((m) => m.specifier);
        assert.ok(files.length > 5, bundle.entry);
        const outside = files.filter((f) =>
          !f.startsWith(root) || !BROWSER_CODE.test(f.slice(root.length))
        );
        assert.deepEqual(outside, [], `${bundle.file} is built from code outside the client`);
        const text = await Deno.readTextFile(`${out}/browser/${bundle.file}`);
        for (
          const marker of [
            "LhttpServer",
            "WebSocketServer",
            "upgradeWebSocket",
            "/healthz",
            "node:",
            "zod",
          ]
        ) {
          assert.ok(!text.includes(marker), `${bundle.file} contains ${marker}`);
        }
      }
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("README: the CLI commands run this package (npx @lhttp/lhttp, bunx --bun @lhttp/lhttp)", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  // `npx lhttp` and `bunx lhttp` outside a project fetch an unrelated npm package named lhttp.
  const bare = readme.split("\n").filter((line) =>
    /\b(npx|bunx|bun x)((\s+(-y|--yes|--bun|--no-install))*)\s+lhttp\b/.test(line)
  );
  assert.deepEqual(bare, []);
  assert.match(readme, /npx @lhttp\/lhttp serve/);
  assert.match(readme, /bunx --bun @lhttp\/lhttp serve/);
  assert.match(readme, /npx @lhttp\/lhttp connect/);
  // Without --bun, bunx honours the bin's `#!/usr/bin/env node`.
  // (In commands: a code span or a shell line that starts with bunx.)
  assert.deepEqual(readme.match(/(^|`)bunx (?!--bun )\S+/gm), null);
});
