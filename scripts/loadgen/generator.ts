// The load generator the benches drive: the C program (scripts/loadgen/*.c)
// when a compiler works, else the JS client (scripts/_fanout_client.ts, on Bun
// when available). Both print one JSON line with the same fields per mode, and
// run pinned to CPU 1.

import { RUNTIMES } from "../../tests/harness/runtimes.ts";
import { buildLoadgen } from "./build.ts";
import { onCore } from "./cores.ts";

/** Which generator runs, and how to start it. */
export interface Generator {
  /** "c" for the compiled generator, "js" for scripts/_fanout_client.ts. */
  kind: "c" | "js";
  /** Program and leading arguments. */
  command: string[];
}

/**
 * The generator `choice` names, or the C one when it builds (else JS).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generator } from "./generator.ts";
 * assert.ok(["c", "js"].includes((await generator()).kind));
 * ```
 */
export async function generator(choice?: string): Promise<Generator> {
  if (choice !== "js") {
    const binary = await buildLoadgen();
    if (binary !== undefined) return { kind: "c", command: [binary] };
    if (choice === "c") throw new Error("--generator c: no C compiler works here");
  }
  const bun = RUNTIMES.find((runtime) => runtime.name === "bun")!;
  try {
    return { kind: "js", command: await bun.command("scripts/_fanout_client.ts") };
  } catch {
    return { kind: "js", command: [Deno.execPath(), "run", "-A", "scripts/_fanout_client.ts"] };
  }
}

/**
 * Runs one measurement on CPU 1 and returns its JSON line. `mode` and `args`
 * follow scripts/loadgen/main.c; the JS client takes a URL where C takes a port.
 * `options.target` replaces the port (the C generator's `p1,p2` for a cluster);
 * `options.onStart` runs when the C generator prints START (the timed part
 * begins), and the result waits for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measure } from "./generator.ts";
 * await assert.rejects(measure({ kind: "c", command: ["false"] }, "fanout", 1, []));
 * ```
 */
export async function measure(
  generator: Generator,
  mode: "fanout" | "latency" | "http",
  port: number,
  args: Array<string | number>,
  options: { target?: string; onStart?: () => Promise<void> } = {},
): Promise<Record<string, number>> {
  if (mode === "http" && generator.kind === "js") {
    throw new Error("HTTP load needs the C generator (a compiler)");
  }
  const target = options.target ??
    (generator.kind === "c" ? String(port) : `ws://127.0.0.1:${port}/`);
  const [program, ...rest] = onCore([...generator.command, mode, target, ...args.map(String)], 1);
  const child = new Deno.Command(program, { args: rest, stdout: "piped", stderr: "inherit" })
    .spawn();
  let text = "";
  let started: Promise<void> | undefined;
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (started === undefined && /^START$/m.test(text)) started = options.onStart?.();
  }
  const { code } = await child.status;
  await started;
  if (code !== 0) throw new Error(`${generator.kind} generator exited with ${code}`);
  return JSON.parse(text.trim().split("\n").pop()!);
}
