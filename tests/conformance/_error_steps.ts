// Conformance steps for PROTOCOL.md section 7 (error frames) and section 10
// (limits): every status the server answers on a WebSocket, and that the
// connection stays open afterwards.

import assert from "node:assert/strict";
import { FIXTURE } from "../fixtures/app.ts";
import { assertError } from "./_assert.ts";
import type { Step } from "./suite.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

// [name, frame, answering command, status, code]
type Case = [string, string | Uint8Array, string, number, string];

const headerLines = (count: number) =>
  Array.from({ length: count }, (_, i) => `h${i}:v`).join("\r\n");
const channels = (count: number, prefix = "c") =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`).join(" ");

const CASES: Case[] = [
  ["not LHTTP", "hello there", "error", 400, "not_lhttp"],
  ["wrong version", "LHTTP/2.0 chat\r\n\r\n", "error", 505, "bad_version"],
  ["no command", "LHTTP/1.0 \r\n\r\n", "error", 400, "bad_start_line"],
  ["header without colon", "LHTTP/1.0 chat\r\nnocolon\r\n\r\n", "error", 400, "bad_header"],
  ["33 headers", `LHTTP/1.0 chat\r\n${headerLines(33)}\r\n\r\n`, "error", 431, "too_many_headers"],
  [
    "header section over 8 KiB",
    `LHTTP/1.0 chat\r\nbig:${"v".repeat(8200)}\r\n\r\n`,
    "error",
    431,
    "headers_too_large",
  ],
  [
    "binary frame with a non-UTF-8 head",
    new Uint8Array([...bytes("LHTTP/1.0 chat\r\nx:"), 0xff, ...bytes("\r\n\r\n")]),
    "error",
    400,
    "invalid_utf8",
  ],
  [
    "multipart past the body",
    "LHTTP/1.0 up\r\nmultipart:0 99\r\n\r\nab",
    "up",
    400,
    "bad_multipart",
  ],
  ["bad channel name", "LHTTP/1.0 chat\r\nsubscribe:no*stars\r\n\r\n", "chat", 400, "bad_channel"],
  [
    "41 channels in a list",
    `LHTTP/1.0 chat\r\npublish:${channels(41)}\r\n\r\n`,
    "chat",
    400,
    "too_many_channels",
  ],
  [
    "more subscriptions than the limit",
    `LHTTP/1.0 chat\r\nsubscribe:${channels(FIXTURE.maxSubscriptions + 1)}\r\n\r\n`,
    "chat",
    429,
    "subscription_limit",
  ],
  ["authorization refuses", "LHTTP/1.0 chat\r\npublish:vault\r\n\r\n", "chat", 403, "forbidden"],
  ["processor throws", "LHTTP/1.0 boom\r\n\r\n", "boom", 500, "internal"],
];

/** Steps for refused frames. */
export const errorSteps: Step[] = [
  {
    name: "error frames: every status, the request's command, the connection stays open",
    async run(sockets) {
      const a = await sockets.open();
      for (const [name, frame, command, status, code] of CASES) {
        a.send(frame);
        const answer = await a.next();
        assert.equal(answer.command, command, name);
        assertError(answer, { command, status, code });
      }
      // Still open, and nothing of the refused frames applied.
      const after = await a.request("LHTTP/1.0 chat\r\nsubscribe:still-open\r\n\r\n");
      assert.equal(after.headers.status, "200");
    },
  },
  {
    name: "error frames carry the request's ack",
    async run(sockets) {
      const a = await sockets.open();
      const refused = await a.request("LHTTP/1.0 chat\r\nsubscribe:bad!\r\n\r\n", "e1");
      assertError(refused, { command: "chat", status: 400, code: "bad_channel", ack: "e1" });
      const failed = await a.request("LHTTP/1.0 boom\r\n\r\n", "e2");
      assertError(failed, { command: "boom", status: 500, code: "internal", ack: "e2" });
    },
  },
  {
    name: "an invalid list applies nothing of the frame",
    async run(sockets) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      const answer = await a.request("LHTTP/1.0 chat\r\nsubscribe:atomic\r\npublish:bad!\r\n\r\n");
      assertError(answer, { command: "chat", status: 400, code: "bad_channel" });
      await b.request("LHTTP/1.0 chat\r\npublish:atomic\r\n\r\nnot for a");
      a.send("LHTTP/1.0 echo\r\n\r\nbarrier");
      assert.equal((await a.next()).body, "BARRIER");
    },
  },
  {
    name: "subscription limit counts what a connection holds",
    async run(sockets) {
      const a = await sockets.open();
      const full = channels(FIXTURE.maxSubscriptions, "s");
      assert.equal(
        (await a.request(`LHTTP/1.0 s\r\nsubscribe:${full}\r\n\r\n`)).headers.status,
        "200",
      );
      // Re-subscribing what it holds is a no-op; one more is refused.
      assert.equal((await a.request("LHTTP/1.0 s\r\nsubscribe:s0\r\n\r\n")).headers.status, "200");
      const over = await a.request("LHTTP/1.0 s\r\nsubscribe:one-more\r\n\r\n");
      assertError(over, { command: "s", status: 429, code: "subscription_limit" });
      await a.request("LHTTP/1.0 s\r\nunsubscribe:s0\r\n\r\n");
      assert.equal(
        (await a.request("LHTTP/1.0 s\r\nsubscribe:one-more\r\n\r\n")).headers.status,
        "200",
      );
    },
  },
];
