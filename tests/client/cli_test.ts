// `lhttp connect` and `lhttp publish`, spawned as child processes against an
// in-process server.

import assert from "node:assert/strict";
import { serveDeno } from "../../src/adapters/deno.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { type Frame, LhttpClient } from "../../src/client/mod.ts";
import { within } from "./_guard.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

function start(options: { publishToken?: string } = {}) {
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

/** Reads `stream` until `text` has appeared; returns everything read so far and keeps reading into `rest`. */
async function readUntil(
  stream: ReadableStream<Uint8Array>,
  text: string,
): Promise<{ seen: string; rest: Promise<string> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${JSON.stringify(text)}:\n${seen}`);
    seen += value;
  }
  const rest = (async () => {
    let more = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) more += r.value;
    return more;
  })();
  return { seen, rest };
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
    await rest;
    assert.equal((await child.status).code, 0);
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
