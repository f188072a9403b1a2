// The C SDK (sdk/c, issues 8 and 22): unit tests against the golden vectors,
// valgrind, a bounded libFuzzer run, the ARM cross-builds executed under
// qemu-user, the integration test of the C client against this repository's
// server (started on a free port by sdk/c/tests/integration_driver.ts), over
// ws:// and over wss:// (mbedTLS), and the TLS failure cases (wrong host
// name, expired or untrusted certificate, a server that stalls or hangs up
// mid-handshake, truncated and corrupted records) under ASan+UBSan and
// valgrind. Needs make, gcc, clang, valgrind, openssl, libmbedtls-dev,
// gcc-arm-linux-gnueabihf, gcc-aarch64-linux-gnu, gcc-s390x-linux-gnu (a
// big-endian target) and qemu-user: a missing tool
// fails the test in CI (CI installs them) and skips it locally with a notice,
// so that `deno task test` works on a machine with only Deno.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { makeCerts, type TestCerts } from "../sdk/c/tests/tls_certs.ts";
import {
  closingServer,
  type Peer,
  recordProxy,
  stallingServer,
  tlsWebSocketServer,
} from "./c_sdk_tls.ts";

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

const TOOLS = [
  "make",
  "cc",
  "clang",
  "valgrind",
  "openssl",
  "arm-linux-gnueabihf-gcc",
  "aarch64-linux-gnu-gcc",
  "qemu-arm",
  "qemu-aarch64",
  "s390x-linux-gnu-gcc",
  "qemu-s390x",
];
const missing = new Set<string>();
for (const tool of TOOLS) if (!(await which(tool))) missing.add(tool);
// mbedTLS is a library: look for its header
const MBEDTLS = "libmbedtls-dev";
if (!(await Deno.stat("/usr/include/mbedtls/ssl.h").then(() => true, () => false))) {
  missing.add(MBEDTLS);
}
const INSTALL = "apt-get install -y build-essential clang valgrind openssl libmbedtls-dev " +
  "gcc-arm-linux-gnueabihf gcc-aarch64-linux-gnu gcc-s390x-linux-gnu qemu-user";
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
  "C SDK: unit tests run on armhf and aarch64 under qemu-user (UBSan traps)",
  ["make", "arm-linux-gnueabihf-gcc", "aarch64-linux-gnu-gcc", "qemu-arm", "qemu-aarch64"],
  async () => {
    await make("arm-test");
  },
);

cTest(
  "C SDK: the armhf client under qemu-arm against the lhttp server (pub/sub, restart, recovery)",
  ["make", "arm-linux-gnueabihf-gcc", "qemu-arm"],
  async () => {
    await make("arm-integration");
  },
);

cTest(
  "C SDK: integration with the lhttp server (pub/sub, HTTP publish, restart, recovery)",
  ["make", "cc"],
  async () => {
    await make("integration");
  },
);

cTest("C SDK: C codec and TypeScript codec agree on random frames", ["make", "cc"], async () => {
  await make("differential", "DIFF_COUNT=20000");
});

cTest(
  "C SDK: unit and integration tests on big-endian s390x under qemu-s390x",
  ["make", "s390x-linux-gnu-gcc", "qemu-s390x"],
  async () => {
    await make("be-test");
  },
);

// ---- TLS (wss:// through mbedTLS) -------------------------------------------

const TLS_TOOLS = ["make", "cc", "openssl", MBEDTLS];

cTest("C SDK (TLS): unit tests with TLS=mbedtls (ASan+UBSan)", TLS_TOOLS, async () => {
  await make("TLS=mbedtls", "test");
});

cTest(
  "C SDK (TLS): wss:// integration: connect, subscribe, publish, HTTP publish, reconnect",
  TLS_TOOLS,
  async () => {
    await make("TLS=mbedtls", "integration");
  },
);

const PROBE = `${sdk}/build/cc-mbedtls/tls_probe`;
const VG_PROBE = `${sdk}/build/valgrind/tls_probe`;

/** Runs tls_probe (ASan+UBSan build, or under valgrind) and returns its RESULT line. */
async function probe(args: string[], valgrind = false): Promise<string> {
  const out = await new Deno.Command(valgrind ? "valgrind" : PROBE, {
    args: valgrind
      ? [
        "-q",
        "--error-exitcode=9",
        "--leak-check=full",
        "--errors-for-leak-kinds=all",
        VG_PROBE,
        ...args,
      ]
      : args,
    stdout: "piped",
    stderr: "piped",
    // a hang guard, not a timed assertion: a probe that never returns is killed and fails
    signal: AbortSignal.timeout(120_000),
  }).output();
  const text = decoder.decode(out.stdout);
  const err = decoder.decode(out.stderr);
  assert.equal(out.code, 0, `tls_probe ${args.join(" ")} exited ${out.code}: ${text}${err}`);
  const line = text.split("\n").find((l) => l.startsWith("RESULT "));
  assert.ok(line, `no RESULT line: ${text}${err}`);
  return line.slice(7).trim();
}

/** A TLS test: certificates in a temporary directory, the probe built, peers closed. */
function tlsCase(name: string, fn: (certs: TestCerts, peers: Peer[]) => Promise<void>): void {
  cTest(`C SDK (TLS): ${name}`, TLS_TOOLS, async () => {
    await make("TLS=mbedtls", "build/cc-mbedtls/tls_probe");
    const certs = await makeCerts();
    const peers: Peer[] = [];
    try {
      await fn(certs, peers);
    } finally {
      for (const peer of peers) await peer.close();
      await Deno.remove(certs.dir, { recursive: true });
    }
  });
}

const url = (peer: Peer) => `wss://localhost:${peer.port}/`;

tlsCase("a trusted certificate connects; verification is on by default", async (certs, peers) => {
  const good = tlsWebSocketServer(certs.good.cert, certs.good.key);
  peers.push(good);
  assert.equal(
    await probe([url(good), certs.ca, "-", "5000", "recv"]),
    "ok LHTTP/1.0 hello    over tls",
  );
  // the same server, but the client trusts another CA: refused
  assert.match(
    await probe([url(good), certs.selfSigned.cert]),
    /^tls_verify .*not correctly signed/,
  );
});

tlsCase("a wrong host name is refused", async (certs, peers) => {
  const wrong = tlsWebSocketServer(certs.wrongHost.cert, certs.wrongHost.key);
  peers.push(wrong);
  assert.match(await probe([url(wrong), certs.ca]), /^tls_verify .*Common Name/);
  // the name to verify can be set explicitly (SNI and check): then it connects
  assert.equal(await probe([url(wrong), certs.ca, "wrong.example"]), "ok");
});

tlsCase("an expired certificate is refused", async (certs, peers) => {
  const expired = tlsWebSocketServer(certs.expired.cert, certs.expired.key);
  peers.push(expired);
  assert.match(await probe([url(expired), certs.ca]), /^tls_verify .*expired/);
});

tlsCase("an untrusted certificate is refused unless verification is dangerously off", async (
  certs,
  peers,
) => {
  const self = tlsWebSocketServer(certs.selfSigned.cert, certs.selfSigned.key);
  peers.push(self);
  assert.match(await probe([url(self), certs.ca]), /^tls_verify /);
  assert.equal(await probe([url(self), "-"]), "ok"); // dangerously_accept_any_certificate
});

tlsCase("a server that stalls mid-handshake times out", async (certs, peers) => {
  const stall = stallingServer();
  peers.push(stall);
  assert.equal(await probe([url(stall), certs.ca, "-", "1000"]), "timeout");
});

tlsCase("a server that hangs up mid-handshake is a handshake error", async (certs, peers) => {
  const closing = closingServer();
  peers.push(closing);
  assert.match(await probe([url(closing), certs.ca]), /^tls_handshake/);
});

tlsCase("an oversized certificate chain (35 KB) is a handshake error", async (certs, peers) => {
  const big = tlsWebSocketServer(certs.oversized.cert, certs.oversized.key);
  peers.push(big);
  // mbedTLS 2.28 cannot reassemble a handshake message spread over records
  assert.match(await probe([url(big), certs.ca]), /^tls_handshake/);
});

tlsCase("truncated and corrupted records are record errors", async (certs, peers) => {
  const good = tlsWebSocketServer(certs.good.cert, certs.good.key);
  const truncate = recordProxy(good.port, "truncate");
  const corrupt = recordProxy(good.port, "corrupt");
  peers.push(truncate, corrupt, good);
  // the first application data record carries the HTTP 101 answer
  assert.match(await probe([url(truncate), certs.ca]), /^tls_record/);
  assert.match(await probe([url(corrupt), certs.ca]), /^tls_record/);
  // the second one the first WebSocket message: the connection is up, recv fails
  const truncateLater = recordProxy(good.port, "truncate", 2);
  const corruptLater = recordProxy(good.port, "corrupt", 2);
  peers.push(truncateLater, corruptLater);
  assert.match(await probe([url(truncateLater), certs.ca, "-", "5000", "recv"]), /^tls_record/);
  assert.match(await probe([url(corruptLater), certs.ca, "-", "5000", "recv"]), /^tls_record/);
});

tlsCase("the CAs can come from a buffer; an unreadable CA is a config error", async (
  certs,
  peers,
) => {
  const good = tlsWebSocketServer(certs.good.cert, certs.good.key);
  peers.push(good);
  assert.equal(await probe([url(good), `buf:${certs.ca}`]), "ok");
  assert.match(await probe([url(good), `buf:${certs.good.key}`]), /^tls_config/); // not a certificate
  assert.match(await probe([url(good), `${certs.dir}/missing.pem`]), /^tls_config/);
});

cTest("C SDK (TLS): the failure paths under valgrind (no leak, no invalid access)", [
  ...TLS_TOOLS,
  "valgrind",
], async () => {
  await make("TLS=mbedtls", "valgrind-tls");
  const certs = await makeCerts();
  const good = tlsWebSocketServer(certs.good.cert, certs.good.key);
  const expired = tlsWebSocketServer(certs.expired.cert, certs.expired.key);
  const truncate = recordProxy(good.port, "truncate");
  const corruptLater = recordProxy(good.port, "corrupt", 2);
  const closing = closingServer();
  const stall = stallingServer();
  const big = tlsWebSocketServer(certs.oversized.cert, certs.oversized.key);
  try {
    // a full session: handshake, a message, the close handshake
    assert.equal(
      await probe([url(good), certs.ca, "-", "5000", "recv"], true),
      "ok LHTTP/1.0 hello    over tls",
    );
    assert.match(await probe([url(expired), certs.ca, "-", "5000"], true), /^tls_verify/);
    assert.match(await probe([url(truncate), certs.ca, "-", "5000"], true), /^tls_record/);
    assert.match(
      await probe([url(corruptLater), certs.ca, "-", "5000", "recv"], true),
      /^tls_record/,
    );
    assert.match(await probe([url(closing), certs.ca, "-", "5000"], true), /^tls_handshake/);
    assert.equal(await probe([url(stall), certs.ca, "-", "1000"], true), "timeout");
    assert.match(await probe([url(big), certs.ca, "-", "5000"], true), /^tls_handshake/);
  } finally {
    for (const peer of [truncate, corruptLater, closing, stall, good, expired, big]) {
      await peer.close();
    }
    await Deno.remove(certs.dir, { recursive: true });
  }
});
