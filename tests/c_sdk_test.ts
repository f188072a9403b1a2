// The C SDK (sdk/c, issue 8): unit tests against the golden vectors, valgrind,
// a bounded libFuzzer run, the 32-bit ARM cross-build, and the integration
// test of the C client against this repository's server (started on a free
// port by sdk/c/tests/integration_driver.ts). Needs make, gcc, clang,
// valgrind and gcc-arm-linux-gnueabihf; a missing tool fails the test.
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

async function requireTools(...tools: string[]): Promise<void> {
  for (const tool of tools) {
    assert.ok(
      await which(tool),
      `${tool} is missing: apt-get install -y build-essential clang valgrind gcc-arm-linux-gnueabihf`,
    );
  }
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

Deno.test("C SDK: unit tests against the golden vectors (gcc, ASan+UBSan)", async () => {
  await requireTools("make", "cc");
  await make("test");
});

Deno.test("C SDK: builds warning-free with clang and runs its tests", async () => {
  await requireTools("make", "clang");
  await make("CC=clang", "test");
});

Deno.test("C SDK: unit tests under valgrind", async () => {
  await requireTools("make", "valgrind");
  await make("valgrind");
});

Deno.test("C SDK: libFuzzer run (15 s)", async () => {
  await requireTools("make", "clang");
  await make("fuzz", "FUZZ_SECONDS=15");
});

Deno.test("C SDK: cross-compiles for 32-bit ARM", async () => {
  await requireTools("make", "arm-linux-gnueabihf-gcc");
  await make("arm");
});

Deno.test("C SDK: integration with the lhttp server (pub/sub, HTTP publish, restart)", async () => {
  await requireTools("make", "cc");
  await make("integration");
});

Deno.test("C SDK: C codec and TypeScript codec agree on random frames", async () => {
  await requireTools("make", "cc");
  await make("differential", "DIFF_COUNT=20000");
});
