// `lhttp config check|print` and `lhttp serve --config` as real processes.

import assert from "node:assert/strict";
import { lhttp, LHTTP_MAIN, tempFile } from "./_lhttp.ts";
import { spawnServe } from "../harness/serve_child.ts";
import { configJsonSchemaText, SCHEMA_PATH } from "../../src/cli/_config_json_schema.ts";
import { parseJsonc } from "../../src/cli/_jsonc.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

const EVERY_MISTAKE = `{
  // every kind of mistake, one per key
  "$schema": "./schema/lhttp.schema.json",
  "prot": 8081,
  "publish_token": "x",
  "colour": "blue",
  "port": "8081",
  "maxFrameBytes": "64 parsecs",
  "maxBufferedBytes": -5,
  "idleTimeout": "soon",
  "drainTimeout": -1,
  "publishOpen": "yes",
  "allowedHosts": ["a.example", 3],
  "slowConsumer": "explode",
  "logLevel": "loud",
  "nats": "http://127.0.0.1:4222",
  "host": "127.0.0.1", // fine, and a trailing comma
}`;

Deno.test("lhttp config check: a file with every kind of mistake gets one clear line per mistake", async () => {
  const file = await tempFile("lhttp.jsonc", EVERY_MISTAKE);
  const { code, stdout, stderr } = await lhttp(["config", "check", "--config", file]);
  assert.equal(code, 2, stderr);
  assert.equal(stdout, "");
  const expected = [
    `unknown key "prot" (did you mean "port"?)`,
    `unknown key "publish_token" (did you mean "publishToken"?)`,
    `unknown key "colour"`,
    `port must be a port number from 0 to 65535, got "8081"`,
    `maxFrameBytes must be a size: bytes, or a string such as "64KiB" or "1MB", got "64 parsecs"`,
    `maxBufferedBytes must be a size: bytes, or a string such as "64KiB" or "1MB", got -5`,
    `idleTimeout must be a duration: seconds, or a string such as "30s", "250ms" or "2m", got "soon"`,
    `drainTimeout must be a duration`,
    `publishOpen must be true or false, got "yes"`,
    `allowedHosts[1] must be a list of strings, got 3`,
    `slowConsumer must be one of "close", "drop", got "explode"`,
    `logLevel must be a log level`,
    `nats "http://127.0.0.1:4222" is not a NATS URL`,
  ];
  const lines = stderr.trim().split("\n");
  for (const text of expected) {
    assert.ok(
      lines.some((line) => line.startsWith(`lhttp config: ${file}: ${text}`)),
      `${text}\n${stderr}`,
    );
  }
  assert.equal(lines.length, expected.length + 1, stderr);
  assert.equal(lines.at(-1), `lhttp config: ${expected.length} mistakes`);
  assert.doesNotMatch(stderr, /colour".*did you mean|host/);
});

Deno.test("lhttp config: syntax errors, a missing file, bad flags and variables", async () => {
  const broken = await tempFile("broken.json", '{\n  "port": 1\n  "host": "x"\n}');
  const syntax = await lhttp(["config", "check", "--config", broken]);
  assert.equal(syntax.code, 2);
  assert.match(syntax.stderr, /broken\.json: Invalid JSON at line 3, column 3/);
  const missing = await lhttp(["config", "check", "--config", "/nonexistent/lhttp.json"]);
  assert.match(missing.stderr, /^lhttp config: \/nonexistent\/lhttp\.json: no such file\n/);
  const flags = await lhttp(["config", "check", "--prot", "1"]);
  assert.match(flags.stderr, /Unknown option "--prot" \(did you mean --port\?\)/);
  const env = await lhttp(["config", "check", "--max-frame-bytes", "1x"], {
    env: { LHTTP_IDLE_TIMEOUT: "later", LHTTP_PORT: "70000" },
  });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /LHTTP_PORT must be a port number from 0 to 65535, got "70000"/);
  assert.match(env.stderr, /--max-frame-bytes must be a size: .*got "1x"/);
  assert.match(env.stderr, /LHTTP_IDLE_TIMEOUT must be a duration: .*got "later"/);
  const serve = await lhttp(["serve", "--config", broken]);
  assert.equal(serve.code, 2);
  assert.match(serve.stderr, /^lhttp serve: .*Invalid JSON at line 3/);
  assert.doesNotMatch(serve.stderr, /listening/);
});

Deno.test("lhttp config print: flag over variable over file over default, secrets masked, reads back", async () => {
  const file = await tempFile(
    "lhttp.json",
    JSON.stringify({
      port: 7000,
      host: "127.0.0.1",
      maxFrameBytes: "64KiB",
      adminToken: "file-secret",
      idleTimeout: 30,
    }),
  );
  const env = { LHTTP_PORT: "7100", LHTTP_HOST: "127.0.0.2", LHTTP_PUBLISH_TOKEN: "env-secret" };
  const { code, stdout, stderr } = await lhttp(
    [
      "config",
      "print",
      "--config",
      file,
      "--port",
      "7200",
      "--allowed-hosts",
      "a.example,b.example",
    ],
    { env },
  );
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stdout, /secret/);
  const lines = stdout.split("\n");
  const line = (key: string) => lines.find((l) => l.startsWith(`  "${key}":`));
  assert.equal(line("port"), `  "port": 7200, // --port`);
  assert.equal(line("host"), `  "host": "127.0.0.2", // LHTTP_HOST`);
  assert.equal(line("maxFrameBytes"), `  "maxFrameBytes": 65536, // ${file}`);
  assert.equal(line("idleTimeout"), `  "idleTimeout": "30s", // ${file}`);
  assert.equal(line("adminToken"), `  "adminToken": "********", // ${file}`);
  assert.equal(line("publishToken"), `  "publishToken": "********", // LHTTP_PUBLISH_TOKEN`);
  assert.equal(
    line("allowedHosts"),
    `  "allowedHosts": ["a.example","b.example"], // --allowed-hosts`,
  );
  assert.equal(line("drainTimeout"), `  "drainTimeout": "10s", // default`);
  // The printout is a config file that resolves to itself.
  const again = await tempFile("again.jsonc", stdout);
  assert.deepEqual((parseJsonc(stdout) as { port: number }).port, 7200);
  const round = await lhttp(["config", "print", "--config", again]);
  assert.equal(round.code, 0, round.stderr);
  assert.equal(round.stdout.replaceAll(`// ${again}`, "//"), stdout.replace(/\/\/ .*$/gm, "//"));
});

Deno.test("schema/lhttp.schema.json is the schema the validator is generated from", async () => {
  const shipped = await Deno.readTextFile(`${ROOT}${SCHEMA_PATH}`);
  assert.equal(
    shipped,
    configJsonSchemaText(),
    'regenerate: deno eval \'import {configJsonSchemaText} from "./src/cli/_config_json_schema.ts"; ' +
      'Deno.writeTextFileSync("schema/lhttp.schema.json", configJsonSchemaText())\'',
  );
  const deno = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.ok(deno.publish.include.includes("schema/"), "schema/ is not published");
  const schema = JSON.parse(shipped);
  const keys = Object.keys(schema.properties);
  const print = await lhttp(["config", "print"]);
  const printed = Object.keys(parseJsonc(print.stdout) as object);
  for (const key of printed) assert.ok(keys.includes(key), `${key} missing from the schema`);
});

Deno.test("lhttp serve --config: the file's values apply; --publish-open says so; --allowed-hosts refuses others", async () => {
  const file = await tempFile(
    "lhttp.jsonc",
    `{ "host": "127.0.0.1", "port": 0, "publishToken": "tok", "allowedHosts": ["good.example"], }`,
  );
  const child = await spawnServe(Deno.execPath(), [
    "run",
    "-A",
    LHTTP_MAIN,
    "serve",
    "--config",
    file,
  ]);
  try {
    const body = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi";
    const none = await fetch(`${child.url}/publish`, { method: "POST", body });
    assert.equal(none.status, 401);
    await none.body?.cancel();
    const ok = await fetch(`${child.url}/publish`, {
      method: "POST",
      body,
      headers: { authorization: "Bearer tok" },
    });
    await ok.body?.cancel();
    assert.equal(ok.status, 200);
    const port = new URL(child.url).port;
    assert.match(await upgradeStatus(Number(port), "evil.example"), /^HTTP\/1\.1 421/);
    assert.match(await upgradeStatus(Number(port), "good.example"), /^HTTP\/1\.1 101/);
  } finally {
    await child.stop();
  }
  const open = await spawnServe(Deno.execPath(), [
    "run",
    "-A",
    LHTTP_MAIN,
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--publish-open",
  ]);
  try {
    await open.stop();
    assert.match(open.output(), /POST \/publish is open to anyone who can reach this port/);
  } finally {
    await open.stop();
  }
});

async function upgradeStatus(port: number, host: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(
      `GET / HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ));
    const buffer = new Uint8Array(256);
    const n = await conn.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, n ?? 0));
  } finally {
    conn.close();
  }
}
