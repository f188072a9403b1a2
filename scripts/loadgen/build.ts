// Compiles the C load generator (scripts/loadgen/*.c) once per source content,
// into a folder outside the work tree (as tests/harness/bundle.ts does for
// bundles), so `deno fmt`, `deno test --doc` and git never see the binary.

const HERE = new URL("./", import.meta.url);
const OUT = `${Deno.env.get("TMPDIR") ?? "/tmp"}/lhttp-loadgen`;

/**
 * The path of the compiled generator, or `undefined` when no C compiler works
 * here (callers fall back to the JS client, scripts/_fanout_client.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildLoadgen } from "./build.ts";
 * const binary = await buildLoadgen();
 * if (binary !== undefined) assert.ok((await Deno.stat(binary)).isFile);
 * ```
 */
export async function buildLoadgen(): Promise<string | undefined> {
  const sources = [...Deno.readDirSync(HERE)]
    .map((entry) => entry.name)
    .filter((name) => name.endsWith(".c") || name.endsWith(".h"))
    .sort();
  const text = sources.map((name) => Deno.readTextFileSync(new URL(name, HERE))).join("\0");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const key = [...new Uint8Array(digest).slice(0, 8)]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
  const binary = `${OUT}/loadgen-${key}`;
  try {
    if ((await Deno.stat(binary)).isFile) return binary;
  } catch {
    // Not built yet for these sources.
  }
  await Deno.mkdir(OUT, { recursive: true });
  // Built under a per-process name and renamed, so concurrent builds never run
  // a half-written binary.
  const partial = `${binary}.${Deno.pid}`;
  const cc = Deno.env.get("CC") ?? "cc";
  const inputs = sources.filter((name) => name.endsWith(".c"))
    .map((name) => new URL(name, HERE).pathname);
  try {
    const { code, stderr } = await new Deno.Command(cc, {
      args: ["-O2", "-Wall", "-o", partial, ...inputs],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      console.error(`loadgen: ${cc} failed:\n${new TextDecoder().decode(stderr)}`);
      return undefined;
    }
  } catch {
    return undefined; // No compiler on PATH.
  }
  await Deno.rename(partial, binary);
  return binary;
}
