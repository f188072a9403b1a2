// Bundles a TypeScript entry point to one ES module for Bun and Node: bare
// specifiers resolve through deno.json's import map and npm packages are
// inlined, so a clean clone needs only Deno (and the npm registry).

const ROOT = new URL("../../", import.meta.url);
// Outside the work tree: `deno test --doc` and `deno fmt` would otherwise read
// the bundles. One folder per checkout, so concurrent clones do not collide.
const OUT = new URL(
  `file://${Deno.env.get("TMPDIR") ?? "/tmp"}/lhttp-bundles/${
    ROOT.pathname.replace(/[^A-Za-z0-9]+/g, "_")
  }/`,
);
const built = new Map<string, Promise<string>>();

/** Bundles `entry` (a path from the repository root) once per process; resolves to the output path. */
export function bundle(entry: string): Promise<string> {
  let pending = built.get(entry);
  if (!pending) {
    pending = build(entry);
    built.set(entry, pending);
  }
  return pending;
}

// Keeps the .mjs extension: deno bundle adds its createRequire shim (which ws's
// CommonJS needs) only for module outputs.
function temporary(output: string): string {
  return output.replace(/\.mjs$/, `.${Deno.pid}.mjs`);
}

async function build(entry: string): Promise<string> {
  const name = entry.replace(/[\/\\]/g, "_").replace(/\.ts$/, ".mjs");
  const output = new URL(name, OUT).pathname;
  await Deno.mkdir(OUT, { recursive: true });
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    // `--platform deno` keeps node: built-ins external and emits a createRequire
    // shim for CommonJS packages (ws), which is what Node and Bun need as well.
    args: ["bundle", "--quiet", "--platform", "deno", "-o", temporary(output), entry],
    cwd: ROOT.pathname,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle ${entry} failed:\n${new TextDecoder().decode(stderr)}`);
  }
  // Renamed into place, so a process running an earlier bundle never sees half a file.
  await Deno.rename(temporary(output), output);
  return output;
}
