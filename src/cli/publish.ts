// `lhttp publish URL CHANNEL BODY`: one frame through `POST /publish`, for
// shell scripts and cron jobs. The server's JSON answer goes to stdout.

import process from "node:process";
import { parseArgs } from "node:util";
import { serializeFrame } from "../codec/serialize.ts";
import { createFrame } from "../codec/frame.ts";

const HELP = `Usage: lhttp publish URL CHANNEL [BODY] [options]

Publishes BODY (or stdin when BODY is omitted or "-") to CHANNEL (space-separated
for several) through POST URL/publish. URL may be http(s):// or ws(s)://.

Options (environment variable in brackets):
  --token TOKEN         Send "Authorization: Bearer TOKEN"   [LHTTP_PUBLISH_TOKEN]
  --command COMMAND     The frame's command, default "message"
  --header key:value    An extra frame header; repeatable
  -h, --help            Show this help
`;

/**
 * Runs `lhttp publish`; resolves to the exit code.
 *
 * @example
 * ```ts ignore
 * import { runPublish } from "./publish.ts";
 * const code = await runPublish(["http://localhost:8081", "room", "hello", "--command", "chat"]);
 * ```
 */
export async function runPublish(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        token: { type: "string", default: process.env.LHTTP_PUBLISH_TOKEN },
        command: { type: "string", default: "message" },
        header: { type: "string", multiple: true, default: [] },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return void process.stdout.write(HELP), 0;
  const [target, channel, bodyArg] = positionals;
  if (!target || !channel || positionals.length > 3) {
    return usage("expects URL CHANNEL [BODY]");
  }
  let url: URL;
  let data: string;
  try {
    url = publishUrl(target);
    const headers = values.header.map((field): [string, string] => {
      const colon = field.indexOf(":");
      if (colon <= 0) throw new Error(`--header ${JSON.stringify(field)} must look like key:value`);
      return [field.slice(0, colon).trim(), field.slice(colon + 1).trim()];
    });
    const body = bodyArg === undefined || bodyArg === "-" ? await readStdin() : bodyArg;
    const frame = createFrame({ command: values.command, headers });
    frame.headers.set("publish", channel);
    data = serializeFrame({ command: frame.command, headers: frame.headers, body });
  } catch (error) {
    return usage((error as Error).message);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "text/plain; charset=utf-8",
        ...(values.token ? { authorization: `Bearer ${values.token}` } : {}),
      },
      body: data,
    });
  } catch (error) {
    process.stderr.write(`lhttp publish: cannot reach ${url.href}: ${(error as Error).message}\n`);
    return 1;
  }
  const text = await response.text();
  let answer: { delivered?: number; code?: string; reason?: string } = {};
  try {
    answer = JSON.parse(text);
  } catch {
    // Not an lhttp server's JSON: show the raw answer below.
  }
  if (!response.ok) {
    const detail = answer.code ? `${answer.code}: ${answer.reason}` : text.slice(0, 200);
    process.stderr.write(`lhttp publish: ${response.status} ${detail}\n`);
    return 1;
  }
  process.stdout.write(text.endsWith("\n") ? text : text + "\n");
  process.stderr.write(
    `lhttp: published to ${channel} (${answer.delivered ?? "?"} local deliveries)\n`,
  );
  return 0;
}

/**
 * `ws://host:8081` → `http://host:8081/publish`; a path already ending in /publish is kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishUrl } from "./publish.ts";
 * assert.equal(publishUrl("ws://localhost:8081").href, "http://localhost:8081/publish");
 * ```
 */
export function publishUrl(target: string): URL {
  const url = new URL(target.replace(/^ws(s?):/i, "http$1:"));
  if (!url.pathname.endsWith("/publish")) {
    url.pathname = url.pathname.replace(/\/$/, "") + "/publish";
  }
  return url;
}

async function readStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) (bytes.set(chunk, offset), offset += chunk.length);
  return new TextDecoder().decode(bytes).replace(/\r?\n$/, "");
}

function usage(text: string): number {
  process.stderr.write(`lhttp publish: ${text}\n\n${HELP}`);
  return 2;
}
