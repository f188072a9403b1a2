// The npm package as users install it: build, `npm pack`, `npm install` the
// tarball alone into a fresh project (no EBADENGINE on Node 20, no optional
// peer pulled in, and each entry point that needs one says which), then with
// the peers installed on Node 20, Node 24 and Bun import every export (and
// `require()` it on Node 24), serve and exchange frames, run the `lhttp` bin
// on the runtime that started it; and type-check a consumer with tsc against
// the installed declarations.

import assert from "node:assert/strict";
import { LhttpClient, textOf } from "../src/client/mod.ts";
import { readDenoJson } from "../scripts/build_npm.ts";
import { entryPoints, exportsDisagreement } from "../scripts/_npm_manifest.ts";
import {
  consumerProject,
  pinnedSpec,
  run,
  runtimeBinary,
  startServe,
  succeeded,
} from "./harness/npm_package.ts";

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
    const fixtures = [
      "round_trip.mjs",
      "imports.mjs",
      "consumer.ts",
      "missing_peers.mjs",
      "require.cjs",
    ];
    for (const fixture of fixtures) {
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

    const peers = Object.keys(project.manifest.peerDependencies as Record<string, string>);

    await t.step(
      "npm install (Node 20's npm): no EBADENGINE, no optional peer installed",
      async () => {
        const npmNode = succeeded("node", await run("node", ["--version"], { cwd: dir }));
        assert.match(npmNode, /^v20\./, "the machine's npm runs on Node 20");
        assert.doesNotMatch(project.install.stderr + project.install.stdout, /EBADENGINE|WARN/);
        assert.ok(peers.includes("ws") && peers.includes("@nats-io/nats-core"));
        for (const peer of peers) {
          const present = await Deno.stat(`${dir}/node_modules/${peer}`).then(
            () => true,
            () => false,
          );
          assert.equal(present, false, `${peer} was installed`);
        }
      },
    );

    for (const runtime of RUNTIMES) {
      const program = await runtimeBinary(runtime);
      await t.step(
        `${runtime}, no peers: the client loads; ./node, ./nats and serve() name what to install`,
        async () => {
          const out = succeeded(
            "missing_peers.mjs",
            await run(program, ["missing_peers.mjs"], { cwd: dir, timeoutMs: 60_000 }),
          );
          const result = JSON.parse(out);
          for (const entry of ["@lhttp/lhttp", "@lhttp/lhttp/client", "@lhttp/lhttp/compat"]) {
            assert.equal(
              result[entry],
              "ok",
              `${runtime} ${entry}: ${JSON.stringify(result[entry])}`,
            );
          }
          const missing = (entry: string, packages: string[]) => {
            const error = result[entry];
            assert.equal(
              error?.name,
              "MissingPeerError",
              `${runtime} ${entry}: ${JSON.stringify(error)}`,
            );
            assert.equal(error.code, "missing_peer");
            assert.deepEqual(error.packages, packages);
            assert.ok(error.message.includes(`npm install ${packages.join(" ")}`), error.message);
          };
          // Bun has `ws` built in.
          missing(
            "@lhttp/lhttp/node",
            runtime === "bun" ? ["@hono/node-server"] : ["@hono/node-server", "ws"],
          );
          missing("@lhttp/lhttp/nats", ["@nats-io/nats-core"]);
          // Bun serves with its own adapter, which needs no peer.
          if (runtime === "bun") assert.equal(result["serve()"], "ok");
          else missing("serve()", ["@hono/node-server", "ws"]);
        },
      );
    }

    await t.step(
      "node20, no peers: lhttp serve and lhttp connect say which package to install",
      async () => {
        const node = await runtimeBinary("node20");
        const served = await run(node, ["node_modules/.bin/lhttp", "serve", "--port", "0"], {
          cwd: dir,
        });
        assert.equal(served.code, 1, served.stderr);
        assert.equal(served.stderr.trim().split("\n").length, 1, served.stderr);
        assert.match(served.stderr, /^lhttp serve: .*npm install @hono\/node-server ws/);
        const nats = await run(node, [
          "node_modules/.bin/lhttp",
          "serve",
          "--port",
          "0",
          "--nats",
          "nats://127.0.0.1:4222",
        ], { cwd: dir });
        assert.equal(nats.code, 2, nats.stderr);
        assert.equal(nats.stderr.trim().split("\n").length, 1, nats.stderr);
        assert.match(
          nats.stderr,
          /^lhttp serve: --nats needs the NATS client, .*npm install @nats-io\/nats-core @nats-io\/transport-node/,
        );
        const connected = await run(node, [
          "node_modules/.bin/lhttp",
          "connect",
          "ws://127.0.0.1:9/",
        ], {
          cwd: dir,
        });
        assert.equal(connected.code, 1, connected.stderr);
        assert.match(connected.stderr, /^lhttp connect: .*no global WebSocket .*npm install ws/);
      },
    );

    await t.step(
      "README's npx -p command, outside any project: the bin finds its peers",
      async () => {
        // A busy port: the server gets as far as loading the Node adapter, then stops.
        const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const elsewhere = await Deno.makeTempDir({ dir: project.root });
        try {
          const args = ["serve", "--host", "127.0.0.1", "--port", String(busy.addr.port)];
          const imports = deno.imports ?? {};
          const peersFlags = ["@hono/node-server", "ws"].flatMap((
            name,
          ) => ["-p", pinnedSpec(imports, name)]);
          const bare = await run("npx", ["-y", "-p", project.tarball, "lhttp", ...args], {
            cwd: elsewhere,
            timeoutMs: 300_000,
          });
          assert.equal(bare.code, 1, bare.stderr);
          assert.match(bare.stderr, /^lhttp serve: .*npm install @hono\/node-server ws/m);
          const full = await run("npx", [
            "-y",
            "-p",
            project.tarball,
            ...peersFlags,
            "lhttp",
            ...args,
          ], {
            cwd: elsewhere,
            timeoutMs: 300_000,
          });
          assert.equal(full.code, 1, full.stderr);
          assert.match(
            full.stderr,
            /^lhttp serve: cannot listen on 127\.0\.0\.1:\d+: the port is in use/m,
          );
        } finally {
          busy.close();
        }
      },
    );

    await t.step("npm install the optional peers", async () => {
      await project.installPeers();
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
        // The README's commands: the package's name, never `lhttp` (an unrelated npm package).
        const [runner, args] = runtime === "bun"
          ? [program, ["x", "--bun", "@lhttp/lhttp", "--help"]]
          : ["npx", ["--no-install", "@lhttp/lhttp", "--help"]];
        const out = succeeded("lhttp --help", await run(runner, args, { cwd: dir, env }));
        assert.match(out, /^Usage: lhttp <command>/);
        // The bin runs on the runtime that started it: Bun under `bun x --bun`, Node under npx.
        const version = succeeded(
          "lhttp --version",
          await run(runner, [...args.slice(0, -1), "--version"], { cwd: dir, env }),
        );
        assert.match(
          version,
          runtime === "bun" ? /\(bun 1\./ : new RegExp(`\\(node v${runtime.slice(4)}\\.`),
        );
        if (runtime !== "bun") {
          // The bin's `#!/usr/bin/env node` finds this runtime first on PATH.
          const version = succeeded("node", await run("node", ["--version"], { cwd: dir, env }));
          assert.match(version, new RegExp(`^v${runtime.slice(4)}\\.`));
        }
      });

      await t.step(`${runtime}: lhttp connect (Node 20 through ws)`, async () => {
        const served = await startServe(
          program,
          ["node_modules/.bin/lhttp", "serve", "--port", "0", "--host", "127.0.0.1"],
          { cwd: dir },
        );
        try {
          const url = served.url.replace(/^http/, "ws") + "/";
          const child = new Deno.Command(program, {
            args: ["node_modules/.bin/lhttp", "connect", url, "--count", "1"],
            cwd: dir,
            stdin: "piped",
            stdout: "piped",
            stderr: "piped",
          }).spawn();
          const writer = child.stdin.getWriter();
          await writer.write(new TextEncoder().encode("subscribe room\npublish room hi\n"));
          await writer.close();
          const { code, stdout, stderr } = await child.output();
          const text = new TextDecoder();
          assert.equal(code, 0, text.decode(stderr));
          assert.equal(text.decode(stdout).trim(), "LHTTP/1.0 message\npublish:room\n\nhi");
        } finally {
          assert.equal(await served.stop(), 0, served.output());
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

    await t.step(
      "node24: require() loads every entry point without an optional-peer loader",
      async () => {
        const node = await runtimeBinary("node24");
        const out = succeeded("require.cjs", await run(node, ["require.cjs"], { cwd: dir }));
        const required: Record<string, string[] | string> = JSON.parse(out);
        for (const entry of entryPoints(deno)) {
          const got = required[entry.name];
          if (HOME_RUNTIME[entry.name] && typeof got === "string") continue;
          const loader = await Deno.readTextFile(`${installed}/${entry.js}`);
          if (loader.includes("loadWithPeers(")) {
            // Their loaders await at top level (see scripts/_npm_peers.ts).
            assert.match(String(got), /ERR_REQUIRE_ASYNC_MODULE/, `${entry.name}: ${got}`);
            continue;
          }
          assert.deepEqual(got, expected[entry.source], `require ${entry.name}: ${got}`);
        }
      },
    );

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
