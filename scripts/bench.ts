// `deno task bench`: the codec micro-benchmarks, the per-publish cost, then every fan-out
// benchmark present.
// Each figure is compared with a reference measured in the same run (2-core machines
// make absolute numbers across runs meaningless).

const scripts = ["bench_fanout.ts", "bench_http_publish.ts", "bench_cluster.ts"];

async function run(args: string[]): Promise<void> {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (code !== 0) throw new Error(`deno ${args.join(" ")} exited with ${code}`);
}

const here = new URL(".", import.meta.url);
await run(["bench", "-A", new URL("bench_codec.ts", here).pathname]);
console.log("\n== bench_publish.ts ==");
await run(["run", "-A", new URL("bench_publish.ts", here).pathname]);
for (const script of scripts) {
  const path = new URL(script, here).pathname;
  try {
    await Deno.stat(path);
  } catch {
    continue;
  }
  console.log(`\n== ${script} ==`);
  await run(["run", "-A", path, ...Deno.args]);
}
