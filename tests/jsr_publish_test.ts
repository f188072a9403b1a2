// JSR readiness: `deno publish --dry-run` passes (type check, no slow types,
// license) without a warning and ships only what `publish.include` names — the
// sources the exports reach, the documents and the config file's JSON Schema,
// never tests, scripts, the C SDK or examples.

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

Deno.test("deno publish --dry-run: clean, and only the package's own files ship", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, output);
  assert.match(output, /Dry run complete/);
  // Slow types, excluded modules, unanalyzable imports…: each is a `warning[...]`.
  assert.doesNotMatch(output, /^\s*(warning|error)\b/im, output);
  const shipped = [...output.matchAll(/^\s+(file:\/\/\S+)/gm)]
    .map((match) => decodeURI(match[1]).slice(ROOT.href.length))
    .sort();
  assert.ok(shipped.length > 0, `no file list in:\n${output}`);
  const stray = shipped.filter((file) =>
    !/^(mod\.ts|deno\.json|README\.md|PROTOCOL\.md|LICENSE|src\/.+\.ts|schema\/[\w.-]+\.schema\.json)$/
      .test(file)
  );
  assert.deepEqual(stray, [], "files outside the package's sources, documents and schema");
  // The schema's `$id` and README's `$schema` paths point into the package.
  for (
    const required of ["mod.ts", "deno.json", "README.md", "LICENSE", "schema/lhttp.schema.json"]
  ) {
    assert.ok(shipped.includes(required), `${required} must ship`);
  }
  // Every export's source ships.
  const deno = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  for (const source of Object.values(deno.exports as Record<string, string>)) {
    assert.ok(shipped.includes(source.replace(/^\.\//, "")), `${source} must ship`);
  }
});
