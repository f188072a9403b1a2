// Doc examples are tests (`deno test --doc`): they must be able to fail.

import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) sourceFiles(path, out);
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

Deno.test("a doc example whose assertion is wrong fails deno test --doc", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "wrong.ts");
  await Deno.writeTextFile(
    file,
    [
      "/**",
      " * @example",
      " * ```ts",
      ' * import assert from "node:assert/strict";',
      " * assert.equal(1 + 1, 3);",
      " * ```",
      " */",
      "export const two = 2;",
      "",
    ].join("\n"),
  );
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["test", "--doc", "--no-check", file],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  await Deno.remove(dir, { recursive: true });
  const output = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 1, output);
  assert.match(output, /1 failed/);
});

Deno.test("no doc example in src/ or mod.ts checks with console.assert (it never fails)", () => {
  const offenders = [join(ROOT, "mod.ts"), ...sourceFiles(join(ROOT, "src"))].filter((file) =>
    Deno.readTextFileSync(file).includes("console.assert(")
  );
  assert.deepEqual(offenders.map((file) => file.slice(ROOT.length + 1)), []);
});
