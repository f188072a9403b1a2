// The npm package as users install it: build, `npm pack`, `npm install` the
// tarball into a fresh project, then on Node 20, Node 24 and Bun import every
// export, serve and exchange frames, run the `lhttp` bin; and type-check a
// consumer with tsc against the installed declarations.

import assert from "node:assert/strict";
import { LhttpClient, textOf } from "../src/client/mod.ts";
import { readDenoJson } from "../scripts/build_npm.ts";
import { entryPoints, exportsDisagreement } from "../scripts/_npm_manifest.ts";
import { consumerProject, run, runtimeBinary, startServe, succeeded } from "./_npm_package.ts";

const FIXTURES = new URL("./npm_consumer/", import.meta.url).pathname;
const RUNTIMES = ["node20", "node24", "bun"] as const;
// Entry points that only load on one runtime.
const HOME_RUNTIME: Record<string, string> = { "./deno": "deno", "./bun": "bun" };

// The names each source module exports at run time (no types), from `deno doc`
// (one file per run: several share symbols as references): importing them
// here would run Bun's adapter outside Bun.
function valueExports(sources: string[]): Promise<Record<string, string[]>> {
  const root = new URL("../", import.meta.url).pathname;
  const types = new Set(["interface", "typeAlias"]);
  return Promise.all(sources.map(async (source) => {
    const out = succeeded(
      `deno doc --json ${source}`,
      await run(Deno.execPath(), ["doc", "--json", source], { cwd: root }),
    );
    const nodes: Record<string, { symbols: { name: string; declarations: { kind: string }[] }[] }> =
      JSON.parse(out).nodes;
    const symbols = Object.values(nodes)[0].symbols;
    const values = symbols.filter((symbol) => symbol.declarations.some((d) => !types.has(d.kind)));
    return [source, values.map((symbol) => symbol.name).sort()] as const;
  })).then(Object.fromEntries);
}

Deno.test("npm package: installed from its tarball, used on Node 20, Node 24 and Bun", async (t) => {
  const deno = await readDenoJson();
  const project = await consumerProject();
  const { dir } = project;
  const installed = `${dir}/node_modules/@lhttp/lhttp`;
  try {
    for (const fixture of ["round_trip.mjs", "imports.mjs", "consumer.ts"]) {
      await Deno.copyFile(`${FIXTURES}${fixture}`, `${dir}/${fixture}`);
    }

    await t.step("package.json exports mirror deno.json; every file they name ships", async () => {
      const manifest = JSON.parse(await Deno.readTextFile(`${installed}/package.json`));
      assert.deepEqual(manifest, project.manifest);
      assert.deepEqual(exportsDisagreement(deno, manifest), []);
      for (const entry of entryPoints(deno)) {
        for (const file of [entry.js, entry.types]) {
          assert.ok((await Deno.stat(`${installed}/${file}`)).isFile, `${entry.name}: ${file}`);
        }
      }
      const bin = await Deno.readTextFile(`${installed}/bin/lhttp.js`);
      assert.match(bin, /^#!\/usr\/bin\/env node\n/);
    });

    const expected = await valueExports(entryPoints(deno).map((entry) => entry.source));

    for (const runtime of RUNTIMES) {
      const program = await runtimeBinary(runtime);
      const env = { PATH: `${program.replace(/\/?[^/]*$/, "") || "."}:${Deno.env.get("PATH")}` };

      await t.step(
        `${runtime}: every export imports, with the names the source exports`,
        async () => {
          const out = succeeded(
            "imports.mjs",
            await run(program, ["imports.mjs"], { cwd: dir, timeoutMs: 60_000 }),
          );
          const actual: Record<string, string[] | string> = JSON.parse(out);
          for (const entry of entryPoints(deno)) {
            const home = HOME_RUNTIME[entry.name];
            const got = actual[entry.name];
            // An adapter for another runtime may fail to load (hono/deno and
            // hono/bun touch their runtime's global as they load).
            if (home && !runtime.startsWith(home) && typeof got === "string") continue;
            assert.deepEqual(got, expected[entry.source], `${entry.name} on ${runtime}`);
          }
        },
      );

      await t.step(
        `${runtime}: serve() and the runtime's adapter, client round trips`,
        async () => {
          const out = succeeded(
            "round_trip.mjs",
            await run(program, ["round_trip.mjs"], { cwd: dir, timeoutMs: 60_000 }),
          );
          const lines = out.trim().split("\n").map((line) => JSON.parse(line));
          const name = runtime === "bun" ? "bun" : "node";
          assert.deepEqual(lines, [
            { runtime: name, via: "serve", command: "chat", body: "hello from serve" },
            { runtime: name, via: name, command: "chat", body: `hello from ${name}` },
          ]);
        },
      );

      await t.step(`${runtime}: lhttp --help through the package manager's runner`, async () => {
        const [runner, args] = runtime === "bun"
          ? [program, ["x", "--bun", "lhttp", "--help"]]
          : ["npx", ["--no-install", "lhttp", "--help"]];
        const out = succeeded("lhttp --help", await run(runner, args, { cwd: dir, env }));
        assert.match(out, /^Usage: lhttp <command>/);
        if (runtime !== "bun") {
          // The bin's `#!/usr/bin/env node` finds this runtime first on PATH.
          const version = succeeded("node", await run("node", ["--version"], { cwd: dir, env }));
          assert.match(version, new RegExp(`^v${runtime.slice(4)}\\.`));
        }
      });

      await t.step(
        `${runtime}: lhttp serve --port 0 exchanges frames, exits 0 on SIGTERM`,
        async () => {
          const served = await startServe(
            program,
            ["node_modules/.bin/lhttp", "serve", "--port", "0", "--host", "127.0.0.1"],
            { cwd: dir },
          );
          try {
            const client = new LhttpClient(served.url.replace(/^http/, "ws") + "/", {
              reconnect: false,
            });
            const delivered = new Promise<string>((resolve) => {
              client.subscribe("room", (frame) => resolve(textOf(frame)));
            });
            await client.publish("room", `hello ${runtime}`, { command: "chat" });
            assert.equal(await delivered, `hello ${runtime}`);
            await client.close();
          } finally {
            assert.equal(await served.stop(), 0, served.output());
          }
        },
      );
    }

    await t.step("tsc --noEmit: a consumer type-checks against the installed types", async () => {
      // Every entry point by its public name, so each declaration tree is checked.
      const all = entryPoints(deno).map((entry, i) => {
        const specifier = entry.name === "." ? deno.name : `${deno.name}/${entry.name.slice(2)}`;
        return `export * as entry${i} from "${specifier}";\n`;
      });
      await Deno.writeTextFile(`${dir}/all_exports.ts`, all.join(""));
      await Deno.writeTextFile(
        `${dir}/tsconfig.json`,
        JSON.stringify({
          compilerOptions: {
            module: "nodenext",
            moduleResolution: "nodenext",
            target: "es2022",
            strict: true,
            noEmit: true,
            // Checks the shipped .d.ts files too (and what they import).
            skipLibCheck: false,
            types: ["node"],
          },
          files: ["consumer.ts", "all_exports.ts"],
        }),
      );
      const node = await runtimeBinary("node20");
      const output = await run(node, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], {
        cwd: dir,
      });
      assert.equal(output.code, 0, `tsc:\n${output.stdout}${output.stderr}`);
    });
  } finally {
    await Deno.remove(project.root, { recursive: true });
  }
});
