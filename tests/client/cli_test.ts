// `lhttp connect` and `lhttp publish`, spawned as child processes against an
// in-process server.

import assert from "node:assert/strict";
import { serveDeno } from "../../src/adapters/deno.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { type Frame, LhttpClient } from "../../src/client/mod.ts";
import type { History } from "../../src/history/history.ts";
import { within } from "./_guard.ts";
import { RUNTIMES } from "../harness/runtimes.ts";
import { VERSION } from "../../src/cli/_version.ts";
import { describeClose } from "../../src/cli/_print.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;
// `lhttp <args>` on any runtime of `_runtimes.ts` (a bundle on Bun and Node).
const ANY_RUNTIME = "tests/fixtures/cluster_cli.ts";
const ROOT = new URL("../../", import.meta.url).pathname;

/** Runs `lhttp args` on `runtime` (deno, bun, node20, node24) with stdin from `input`. */
async function runOn(
  runtime: string,
  args: string[],
  input = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [program, ...lead] = await RUNTIMES.find((r) => r.name === runtime)!.command(ANY_RUNTIME);
  const child = new Deno.Command(program, {
    args: [...lead, ...args],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const output = child.output();
  const { code, stdout, stderr } = await within(output, `${runtime}: lhttp ${args.join(" ")}`)
    .catch((error) => {
      child.kill("SIGKILL");
      return output.then(() => Promise.reject(error));
    });
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

const RUNTIME_NAMES = RUNTIMES.map((runtime) => runtime.name);

function start(options: { publishToken?: string; authenticate?: (r: Request) => unknown } = {}) {
  const server = new LhttpServer({
    ...options,
    authorize: ({ action, target }) => !(action === "publish" && target === "admin"),
  });
  return { server, running: serveDeno(server, { port: 0, hostname: "127.0.0.1" }) };
}

function spawn(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/** `lhttp args` on `runtime`, with piped stdio. */
async function spawnOn(runtime: string, args: string[]): Promise<Deno.ChildProcess> {
  const [program, ...lead] = await RUNTIMES.find((r) => r.name === runtime)!.command(ANY_RUNTIME);
  return new Deno.Command(program, {
    args: [...lead, ...args],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

async function run(
  args: string[],
  input = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(args);
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const output = child.output();
  const { code, stdout, stderr } = await within(output, `lhttp ${args.join(" ")}`).catch(
    (error) => {
      child.kill();
      return output.then(() => Promise.reject(error));
    },
  );
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** Reads `stream` until `text` has appeared; returns everything read so far and the reader. */
async function readUntil(
  stream: ReadableStream<Uint8Array>,
  text: string,
): Promise<{ seen: string; rest: ReadableStreamDefaultReader<string> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${JSON.stringify(text)}:\n${seen}`);
    seen += value;
  }
  return { seen, rest: reader };
}

/** Reads `reader` to its end. */
async function drain(reader: ReadableStreamDefaultReader<string>): Promise<string> {
  let more = "";
  for (let r = await reader.read(); !r.done; r = await reader.read()) more += r.value;
  return more;
}

Deno.test("lhttp connect (piped): subscribe, publish, send, raw frames; failures exit 1", async () => {
  const { running } = start();
  try {
    const url = `ws://127.0.0.1:${running.port}/`;
    const input = [
      "subscribe room",
      "publish room hello world",
      "send chat publish:room nick:bob -- hi there",
      "LHTTP/1.0 chat\\r\\npublish:room\\r\\n\\r\\nescaped",
      "LHTTP/1.0 chat",
      "publish:room",
      "",
      "pasted body",
      "",
      "publish admin not allowed",
      "",
    ].join("\n");
    const { code, stdout, stderr } = await run(["connect", url, "--count", "4"], input);
    assert.equal(code, 1, "the refused publish makes the exit status 1");
    assert.match(stderr, /connected to ws:/);
    assert.match(stderr, /subscribe room: ok/);
    assert.match(stderr, /publish admin: failed: 403 forbidden/);
    const frames = stdout.split(/\n\n(?=LHTTP\/1\.0 )/).map((text) => text.trim()).filter(Boolean);
    assert.deepEqual(frames, [
      "LHTTP/1.0 message\npublish:room\n\nhello world",
      "LHTTP/1.0 chat\npublish:room\nnick:bob\n\nhi there",
      "LHTTP/1.0 chat\npublish:room\n\nescaped",
      "LHTTP/1.0 chat\npublish:room\n\npasted body",
    ]);
  } finally {
    await running.shutdown();
  }
});

Deno.test("lhttp connect prints binary frames as a size and a preview", async () => {
  const { server, running } = start();
  const child = spawn(["connect", `ws://127.0.0.1:${running.port}/`, "--count", "1"]);
  try {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("subscribe cam\n"));
    const { rest } = await within(readUntil(child.stderr, "subscribe cam: ok"), "subscribe").catch(
      (error) => (child.kill(), Promise.reject(error)),
    );
    server.publish("cam", {
      command: "image",
      headers: { publish: "cam" },
      body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]),
    });
    await writer.close();
    const stdout = await within(new Response(child.stdout).text(), "binary frame").catch(
      (error) => (child.kill(), Promise.reject(error)),
    );
    assert.equal(
      stdout.trim(),
      "LHTTP/1.0 image\npublish:cam\n\n[binary 6 bytes] 89 50 4e 47 00 01 |.PNG..|",
    );
    await drain(rest);
    assert.equal((await child.status).code, 0);
  } finally {
    await running.shutdown();
  }
});

Deno.test("lhttp connect on a channel with history: position frames are not printed, a lost gap is said", async () => {
  const server = new LhttpServer({ history: [{ prefix: "chat.", size: 1, ttlMs: 60_000 }] });
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
  const child = spawn(["connect", `ws://127.0.0.1:${running.port}/`]);
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode("subscribe chat.room\n"));
    const { rest } = await within(readUntil(child.stderr, "subscribe chat.room: ok"), "subscribe");
    server.publish("chat.room", { command: "chat", body: "first" });
    const printed = await within(readUntil(child.stdout, "first\n"), "first");
    const epoch = (server.history as History).top("chat.room")!.epoch;
    assert.equal(
      printed.seen,
      `LHTTP/1.0 chat\npublish:chat.room\noffset:1\nepoch:${epoch}\n\nfirst\n\n`,
      "the delivery with its position, and no position frame",
    );
    // Dropped, then three publications while away: a history of one cannot fill the gap.
    for (const connection of [...server.connections.values()]) connection.close(4000, "test");
    for (const body of ["a", "b", "c"]) server.publish("chat.room", { command: "chat", body });
    const lost = await within(readMore(rest, "history\n"), "recovery");
    assert.match(
      lost,
      /lhttp: chat\.room: publications missed meanwhile are gone from the server's history\n/,
    );
    await writer.close();
    await within(drain(rest), "stderr");
    assert.equal(await within(drain(printed.rest), "stdout"), "", "nothing replayed");
    assert.equal((await within(child.status, "exit")).code, 0);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    throw error;
  } finally {
    await running.shutdown();
  }
});

Deno.test("lhttp connect to an unreachable server: a clear message and exit 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const { code, stdout, stderr } = await run(["connect", `ws://127.0.0.1:${port}/`]);
  assert.equal(code, 1);
  assert.equal(stdout, "");
  assert.match(
    stderr,
    /lhttp connect: cannot connect to ws:\/\/127\.0\.0\.1:\d+\/: refused, unreachable/,
  );
});

Deno.test("lhttp publish: POST /publish with token, command and headers; errors exit 1", async () => {
  const { running } = start({ publishToken: "s3cret" });
  const subscriber = new LhttpClient(`ws://127.0.0.1:${running.port}/`);
  try {
    await within(subscriber.subscribe("news").ready, "subscription");
    const received = new Promise<Frame>((resolve) => subscriber.on("frame", resolve));
    const base = `http://127.0.0.1:${running.port}`;
    const ok = await run([
      "publish",
      base,
      "news",
      "fresh off the press",
      "--token",
      "s3cret",
      "--command",
      "headline",
      "--header",
      "lang: en",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).delivered, 1);
    assert.match(ok.stderr, /published to news/);
    const frame = await within(received, "delivery");
    assert.equal(frame.command, "headline");
    assert.equal(frame.headers.get("lang"), "en");
    assert.equal(frame.body, "fresh off the press");
    const fromStdin = await run([
      "publish",
      `ws://127.0.0.1:${running.port}/`,
      "news",
      "--token",
      "s3cret",
    ], "piped body\n");
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    const wrong = await run(["publish", base, "news", "x", "--token", "nope"]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /lhttp publish: 403 forbidden/);
    assert.equal(wrong.stdout, "");
    const none = await run(["publish", base, "news", "x"]);
    assert.match(none.stderr, /401 unauthorized/);
  } finally {
    await subscriber.close();
    await running.shutdown();
  }
});

Deno.test("lhttp serve: startup errors are one line and a non-zero exit, on every runtime", async (t) => {
  // A port something listens on.
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (busy.addr as Deno.NetAddr).port;
  // A folder that surely does not exist (a fixed path like /nonexistent may:
  // it is the home of system users, and tools create caches there).
  const gone = await Deno.makeTempDir({ prefix: "lhttp-no-static-" });
  await Deno.remove(gone);
  const goneInText = gone.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const cases: { args: string[]; code: number; line: RegExp }[] = [
    {
      args: ["--host", "127.0.0.1", "--port", String(port)],
      code: 1,
      line: new RegExp(
        `^lhttp serve: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`,
      ),
    },
    {
      args: ["--port", "99999"],
      code: 2,
      line: /^lhttp serve: --port must be .* 0 to 65535, got "99999"/,
    },
    { args: ["--port=-1"], code: 2, line: /^lhttp serve: --port must be/ },
    {
      args: ["--nats", "http://127.0.0.1:4222"],
      code: 2,
      line: /^lhttp serve: --nats "http:.*" is not a NATS URL/,
    },
    {
      args: ["--nats", "nats://:99999"],
      code: 2,
      line: /^lhttp serve: --nats "nats:\/\/:99999" is not a valid URL/,
    },
    {
      args: ["--static", gone, "--port", "0"],
      code: 2,
      line: new RegExp(`^lhttp serve: --static "${goneInText}": no such directory`),
    },
    { args: ["--static", "README.md", "--port", "0"], code: 2, line: /is not a directory/ },
  ];
  try {
    for (const runtime of RUNTIME_NAMES) {
      await t.step(runtime, async () => {
        for (const { args, code, line } of cases) {
          const result = await runOn(runtime, ["serve", ...args]);
          const what = `${runtime}: lhttp serve ${args.join(" ")}:\n${result.stderr}`;
          assert.equal(result.code, code, what);
          assert.equal(result.stderr.split("\n").filter(Boolean).length, 1, what);
          assert.match(result.stderr, line, what);
          assert.doesNotMatch(result.stderr, /listening|\n {2,}at /, what);
        }
      });
    }
  } finally {
    busy.close();
  }
});

Deno.test("lhttp --version and lhttp connect --version: the package version and the runtime", async () => {
  const deno = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.equal(VERSION, deno.version, "src/cli/_version.ts and deno.json disagree");
  for (const runtime of RUNTIME_NAMES) {
    const name = runtime.replace(/\d+$/, "");
    for (const args of [["--version"], ["-v"], ["connect", "--version"]]) {
      const { code, stdout } = await runOn(runtime, args);
      assert.equal(code, 0, `${runtime} ${args.join(" ")}`);
      assert.match(
        stdout,
        new RegExp(`^lhttp ${VERSION.replaceAll(".", "\\.")} \\(${name} v?\\d+\\.`),
      );
      if (runtime.startsWith("node")) {
        assert.match(stdout, new RegExp(`\\(node v${runtime.slice(4)}\\.`));
      }
    }
  }
});

Deno.test("lhttp connect works on every runtime, Node 20 (no global WebSocket) through ws", async (t) => {
  const { running } = start();
  try {
    for (const runtime of RUNTIME_NAMES) {
      await t.step(runtime, async () => {
        const url = `ws://127.0.0.1:${running.port}/`;
        const input = `subscribe room\npublish room hello ${runtime}\n`;
        const { code, stdout, stderr } = await runOn(
          runtime,
          ["connect", url, "--count", "1"],
          input,
        );
        assert.equal(code, 0, stderr);
        assert.doesNotMatch(stderr, /WebSocket/, stderr);
        assert.equal(stdout.trim(), `LHTTP/1.0 message\npublish:room\n\nhello ${runtime}`);
      });
    }
  } finally {
    await running.shutdown();
  }
});

Deno.test("describeClose: what a close means, never a bare code 0", () => {
  assert.equal(
    describeClose({ code: 0, reason: "", wasOpen: false }),
    "cannot reach the server (refused, unreachable or not an lhttp server)",
  );
  assert.equal(
    describeClose({ code: 1006, reason: "", wasOpen: true }),
    "the connection dropped without a close frame (network failure or server crash), code 1006",
  );
  assert.equal(
    describeClose({ code: 0, reason: "", wasOpen: true }),
    "the connection dropped without a close frame (network failure or server crash), code 0",
  );
  assert.equal(
    describeClose({ code: 4008, reason: "slow consumer", wasOpen: true }),
    "this client read too slowly (slow consumer), code 4008: slow consumer",
  );
  assert.equal(
    describeClose({ code: 4321, reason: "", wasOpen: true }),
    "the server closed the connection with no reason, code 4321",
  );
});

Deno.test("lhttp connect: reconnect messages say what happened, on every runtime", async (t) => {
  for (const runtime of RUNTIME_NAMES) {
    await t.step(runtime, async () => {
      const { running } = start();
      const child = await spawnOn(runtime, ["connect", `ws://127.0.0.1:${running.port}/`]);
      const writer = child.stdin.getWriter();
      const stdout = new Response(child.stdout).text();
      try {
        await writer.write(new TextEncoder().encode("subscribe room\n"));
        const { seen, rest } = await within(
          readUntil(child.stderr, "subscribe room: ok"),
          "subscribe",
        );
        assert.match(seen, /connected to ws:/);
        await running.shutdown(); // clients get 1001, then nothing listens
        const lost = await within(readMore(rest, "reconnect failed"), `${runtime}: reconnect`);
        assert.match(
          lost,
          /lhttp: connection lost: the server is going away \(shutting down or restarting\), code 1001(: [^\n]+)?\n/,
        );
        assert.match(lost, /lhttp: reconnecting in \d+(\.\d s| ms) \(attempt 1\)\n/);
        assert.match(lost, /lhttp: reconnect failed: cannot reach the server/);
        assert.doesNotMatch(lost, /code 0\b/);
        await writer.close();
        await within(drain(rest), `${runtime}: stderr`);
        assert.equal((await within(child.status, `${runtime}: exit`)).code, 0);
        await stdout;
      } catch (error) {
        child.kill("SIGKILL");
        await child.status;
        await stdout;
        await child.stderr.cancel().catch(() => {});
        throw error;
      } finally {
        await running.shutdown();
      }
    });
  }
});

/** Resolves once `text` appeared in what `readUntil`'s rest collects (polling its chunks). */
async function readMore(rest: ReadableStreamDefaultReader<string>, text: string): Promise<string> {
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await rest.read();
    if (done) throw new Error(`stream ended before ${JSON.stringify(text)}:\n${seen}`);
    seen += value;
  }
  return seen;
}

// A terminal for the child: util-linux `script` runs it on a pseudo-terminal,
// so readline switches to its interactive mode.
const SCRIPT = await new Deno.Command("script", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((out) => out.success, () => false);

Deno.test({
  name: "lhttp connect in a terminal: a prompt, line editing and history, on every runtime",
  ignore: !SCRIPT && !Deno.env.get("CI"),
  fn: async (t) => {
    const { running } = start();
    try {
      for (const runtime of RUNTIME_NAMES) {
        await t.step(runtime, async () => {
          const [program, ...lead] = await RUNTIMES.find((r) => r.name === runtime)!.command(
            ANY_RUNTIME,
          );
          const command = [
            program,
            ...lead,
            "connect",
            `ws://127.0.0.1:${running.port}/`,
            "--count",
            "2",
          ]
            .map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
          const child = new Deno.Command("script", {
            args: ["-qfec", command, "/dev/null"],
            cwd: ROOT,
            stdin: "piped",
            stdout: "piped",
            stderr: "piped",
            env: { NO_COLOR: "1", TERM: "xterm", LHTTP_HISTORY: "" },
          }).spawn();
          const writer = child.stdin.getWriter();
          const output = child.output();
          // Typed: a subscribe; a publish with a typo fixed by backspace; then
          // arrow up and Enter, which sends the publish again from history.
          await writer.write(
            new TextEncoder().encode("subscribe room\rpublish room hx\x7fi\r\x1b[A\r"),
          );
          const result = await within(output, `${runtime}: terminal session`).catch((error) => {
            child.kill("SIGKILL");
            return output.then(() => Promise.reject(error));
          });
          await writer.close().catch(() => {});
          const text = new TextDecoder().decode(result.stdout).replaceAll("\r", "");
          assert.equal(result.code, 0, text);
          assert.match(text, /lhttp> /, "a prompt");
          const frames = text.match(/LHTTP\/1\.0 message\npublish:room\n\nhi\n/g) ?? [];
          assert.equal(
            frames.length,
            2,
            `two publishes of "hi" (the second from history):\n${text}`,
          );
          assert.equal(text.match(/publish room: ok/g)?.length, 2, text);
        });
      }
    } finally {
      await running.shutdown();
    }
  },
});

Deno.test("lhttp connect --token: a refused login says so and exits 1 without retrying, on every runtime", async (t) => {
  const { running } = start({
    authenticate: (request) =>
      new URL(request.url).searchParams.get("token") === "good"
        ? {}
        : new Response("bad token", { status: 401 }),
  });
  const url = `ws://127.0.0.1:${running.port}/`;
  try {
    for (const runtime of RUNTIME_NAMES) {
      await t.step(runtime, async () => {
        const none = await runOn(runtime, ["connect", url], "subscribe room\n");
        assert.equal(none.code, 1, none.stderr);
        assert.match(
          none.stderr,
          /lhttp: login refused: the server refused the credentials \(401\), code 4401: bad token; pass --token TOKEN\n/,
        );
        assert.doesNotMatch(none.stderr, /reconnecting|connection lost/);
        const bad = await runOn(runtime, ["connect", url, "--token", "bad"], "subscribe room\n");
        assert.equal(bad.code, 1, bad.stderr);
        assert.match(bad.stderr, /login refused: .*code 4401: bad token\n/);
        assert.equal(bad.stderr.match(/login refused/g)?.length, 1, bad.stderr);
        const good = await runOn(
          runtime,
          ["connect", url, "--token", "good", "--count", "1"],
          "subscribe room\npublish room in\n",
        );
        assert.equal(good.code, 0, good.stderr);
        assert.equal(good.stdout.trim(), "LHTTP/1.0 message\npublish:room\n\nin");
      });
    }
  } finally {
    await running.shutdown();
  }
});

Deno.test({
  name: "lhttp connect in a terminal: history is kept between sessions, on every runtime",
  ignore: !SCRIPT && !Deno.env.get("CI"),
  fn: async (t) => {
    const { running } = start();
    const dir = await Deno.makeTempDir({ prefix: "lhttp-history-" });
    try {
      for (const runtime of RUNTIME_NAMES) {
        await t.step(runtime, async () => {
          const file = `${dir}/${runtime}_history`;
          const session = async (typed: string) => {
            const [program, ...lead] = await RUNTIMES.find((r) => r.name === runtime)!.command(
              ANY_RUNTIME,
            );
            const words = [
              program,
              ...lead,
              "connect",
              `ws://127.0.0.1:${running.port}/`,
              "--count",
              "1",
            ];
            const child = new Deno.Command("script", {
              args: [
                "-qfec",
                words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(" "),
                "/dev/null",
              ],
              cwd: ROOT,
              stdin: "piped",
              stdout: "piped",
              stderr: "piped",
              env: { NO_COLOR: "1", TERM: "xterm", LHTTP_HISTORY: file },
            }).spawn();
            const writer = child.stdin.getWriter();
            const output = child.output();
            await writer.write(new TextEncoder().encode(typed));
            const result = await within(output, `${runtime}: terminal session`).catch((error) => {
              child.kill("SIGKILL");
              return output.then(() => Promise.reject(error));
            });
            await writer.close().catch(() => {});
            const text = new TextDecoder().decode(result.stdout).replaceAll("\r", "");
            assert.equal(result.code, 0, text);
            return text;
          };
          await session("subscribe room\rpublish room from the first session\r");
          assert.equal(
            await Deno.readTextFile(file),
            "subscribe room\npublish room from the first session\n",
          );
          // Arrow up twice: past this session's subscribe, to the last session's publish.
          const second = await session("subscribe room\r\x1b[A\x1b[A\r");
          assert.match(second, /LHTTP\/1\.0 message\npublish:room\n\nfrom the first session\n/);
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
      await running.shutdown();
    }
  },
});
