// The C SDK (sdk/c, issue 8): unit tests against the golden vectors, valgrind,
// a bounded libFuzzer run, the 32-bit ARM cross-build, and the integration
// test of the C client against this repository's server (started on a free
// port by sdk/c/tests/integration_driver.ts). Needs make, gcc, clang,
// valgrind and gcc-arm-linux-gnueabihf: a missing tool fails the test in CI
// (CI installs them) and skips it locally with a notice, so that
// `deno task test` works on a machine with only Deno.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const sdk = fileURLToPath(new URL("../sdk/c", import.meta.url));
const decoder = new TextDecoder();

async function which(tool: string): Promise<boolean> {
  const out = await new Deno.Command("sh", {
    args: ["-c", `command -v ${tool}`],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

const TOOLS = ["make", "cc", "clang", "valgrind", "arm-linux-gnueabihf-gcc"];
const missing = new Set<string>();
for (const tool of TOOLS) if (!(await which(tool))) missing.add(tool);
const INSTALL = "apt-get install -y build-essential clang valgrind gcc-arm-linux-gnueabihf";
if (missing.size > 0 && !Deno.env.get("CI")) {
  console.error(`C SDK tests needing ${[...missing].join(", ")} are skipped (${INSTALL})`);
}

/** A C SDK test: skipped locally when one of `tools` is missing, failed in CI. */
function cTest(name: string, tools: string[], fn: () => Promise<void>): void {
  const absent = tools.filter((tool) => missing.has(tool));
  Deno.test({
    name,
    ignore: absent.length > 0 && !Deno.env.get("CI"),
    async fn() {
      assert.deepEqual(absent, [], `${absent.join(", ")} missing: ${INSTALL}`);
      await fn();
    },
  });
}

async function make(...args: string[]): Promise<void> {
  const out = await new Deno.Command("make", {
    args: ["-C", sdk, "-j4", ...args],
    stdout: "piped",
    stderr: "piped",
    env: { DENO: Deno.execPath() },
  }).output();
  const text = decoder.decode(out.stdout) + decoder.decode(out.stderr);
  if (out.code !== 0) console.error(text);
  assert.equal(out.code, 0, `make ${args.join(" ")} failed (exit ${out.code})`);
}

cTest(
  "C SDK: unit tests against the golden vectors (gcc, ASan+UBSan)",
  ["make", "cc"],
  async () => {
    await make("test");
  },
);

cTest("C SDK: builds warning-free with clang and runs its tests", ["make", "clang"], async () => {
  await make("CC=clang", "test");
});

cTest("C SDK: unit tests under valgrind", ["make", "valgrind"], async () => {
  await make("valgrind");
});

cTest("C SDK: libFuzzer run (15 s)", ["make", "clang"], async () => {
  await make("fuzz", "FUZZ_SECONDS=15");
});

cTest("C SDK: cross-compiles for 32-bit ARM", ["make", "arm-linux-gnueabihf-gcc"], async () => {
  await make("arm");
});

cTest(
  "C SDK: integration with the lhttp server (pub/sub, HTTP publish, restart)",
  ["make", "cc"],
  async () => {
    await make("integration");
  },
);

cTest("C SDK: C codec and TypeScript codec agree on random frames", ["make", "cc"], async () => {
  await make("differential", "DIFF_COUNT=20000");
});
