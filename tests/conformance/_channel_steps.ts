// Conformance steps for channel names and wildcards (PROTOCOL.md sections 2,
// 12 and 14): every hostile name is refused with a clear error or kept apart
// from every other name, and patterns match by token.

import assert from "node:assert/strict";
import { assertError } from "./_assert.ts";
import type { TestSocket } from "../harness/ws_client.ts";
import type { Step } from "./suite.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

// Proves `socket` got nothing more: the answer to an `echo` sent now comes next.
async function assertNothingMore(socket: TestSocket): Promise<void> {
  socket.send("LHTTP/1.0 echo\r\n\r\nbarrier");
  const next = await socket.next();
  assert.equal(next.body, "BARRIER", `unexpected frame ${JSON.stringify(next.raw)}`);
}

// Subscribes `subscriber` to `to`, publishes to each of `others` (which must
// not reach it) and then to `to`, which must be the one frame it gets.
async function onlyExact(
  subscriber: TestSocket,
  publisher: TestSocket,
  to: string,
  others: string[],
) {
  const ack = await subscriber.request(`LHTTP/1.0 chat\r\nsubscribe:${to}\r\n\r\n`);
  assert.equal(ack.headers.status, "200", `subscribe ${JSON.stringify(to)}: ${ack.raw}`);
  for (const other of others) {
    const answer = await publisher.request(`LHTTP/1.0 chat\r\npublish:${other}\r\n\r\n${other}`);
    assert.equal(answer.headers.status, "200", `publish ${JSON.stringify(other)}`);
  }
  await publisher.request(`LHTTP/1.0 chat\r\npublish:${to}\r\n\r\nexact`);
  const got = await subscriber.next();
  assert.deepEqual([got.headers.publish, got.body], [to, "exact"], `delivery on ${to}`);
  await assertNothingMore(subscriber);
}

// Names refused on subscribe and on publish, with the connection left open.
const REFUSED: [string, string][] = [
  ["NUL", "a\u0000b"],
  ["dollar", "$SYS"],
  ["star inside a token", "a*"],
  ["greater-than inside a token", "a>b"],
  ["a leading #", "#a"],
  ["a trailing #", "a#"],
  ["two #", "a#b#c"],
  ["non-ASCII", "caf\u00e9"],
  ["129 characters", "x".repeat(129)],
  ["a control character", "a\u0001b"],
  ["DEL", "a\u007fb"],
];

/** Steps for channel names and wildcard subscriptions. */
export const channelSteps: Step[] = [
  {
    name: "hostile channel names are bad_channel on subscribe and publish; the socket stays open",
    async run(sockets) {
      const a = await sockets.open();
      for (const [what, name] of REFUSED) {
        for (const header of ["subscribe", "publish"]) {
          const answer = await a.request(`LHTTP/1.0 chat\r\n${header}:${name}\r\n\r\n`);
          assertError(answer, { command: "chat", status: 400, code: "bad_channel" });
          assert.ok(
            answer.headers.reason.includes("must") || answer.headers.reason.includes("Cannot"),
            what,
          );
        }
      }
      const wildcard = await a.request("LHTTP/1.0 chat\r\npublish:cx.*\r\n\r\n");
      assertError(wildcard, { command: "chat", status: 400, code: "bad_channel" });
      assert.match(wildcard.headers.reason, /Cannot publish to the wildcard "cx\.\*"/);
      const crlf = await a.request("LHTTP/1.0 chat\r\nsubscribe:a\rb\r\n\r\n");
      assertError(crlf, { command: "error", status: 400, code: "bad_header" });
      const utf8 = new Uint8Array([
        ...bytes("LHTTP/1.0 chat\r\nsubscribe:a"),
        0xff,
        ...bytes("\r\n\r\n"),
      ]);
      assertError(await a.request(utf8), { command: "error", status: 400, code: "invalid_utf8" });
      await assertNothingMore(a);
    },
  },
  {
    name: "spaces and tabs separate channels; a name is never cut or joined",
    async run(sockets) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      await a.request("LHTTP/1.0 chat\r\nsubscribe:sp1 \t sp2\r\n\r\n");
      await b.request("LHTTP/1.0 chat\r\npublish:sp2\r\n\r\nx");
      assert.equal((await a.next()).headers.publish, "sp2");
      await assertNothingMore(a);
    },
  },
  {
    name: "empty tokens, case, long and deep names are channels of their own",
    async run(sockets) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      await onlyExact(a, b, "e..b", ["e.b", "e...b", "e.", ".e"]);
      await onlyExact(await sockets.open(), b, ".e", ["e", "e.", "~.e", "~"]);
      await onlyExact(await sockets.open(), b, "e.", ["e", ".e", "e.~"]);
      await onlyExact(await sockets.open(), b, "Room", ["room", "ROOM"]);
      await onlyExact(await sockets.open(), b, "t~7E", ["t~", "t~7E7E"]);
      await onlyExact(await sockets.open(), b, "x".repeat(128), ["x".repeat(127)]);
      const deep = Array(64).fill("d").join(".");
      await onlyExact(await sockets.open(), b, deep, [deep.slice(2), deep + "x"]);
    },
  },
  {
    name: "wildcards: * one token, > one or more, deliveries name the concrete channel",
    async run(sockets) {
      const [star, rest, publisher] = [
        await sockets.open(),
        await sockets.open(),
        await sockets.open(),
      ];
      assert.equal(
        (await star.request("LHTTP/1.0 chat\r\nsubscribe:wx.*\r\n\r\n")).headers.status,
        "200",
      );
      assert.equal(
        (await rest.request("LHTTP/1.0 chat\r\nsubscribe:wx.>\r\n\r\n")).headers.status,
        "200",
      );
      for (const channel of ["wx", "wxy.a", "wx.a.b", "wx.inbox#u", "wx.a"]) {
        await publisher.request(`LHTTP/1.0 chat\r\npublish:${channel}\r\n\r\n${channel}`);
      }
      const got = await star.next();
      assert.deepEqual([got.headers.publish, got.body], ["wx.a", "wx.a"]);
      await assertNothingMore(star);
      const first = await rest.next();
      const second = await rest.next();
      assert.deepEqual([first.headers.publish, second.headers.publish], ["wx.a.b", "wx.a"]);
      await assertNothingMore(rest);
    },
  },
  {
    name:
      "wildcards: one copy per connection across overlapping subscriptions; malformed patterns refused",
    async run(sockets) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      await a.request("LHTTP/1.0 chat\r\nsubscribe:ov.a ov.* ov.>\r\n\r\n");
      await b.request("LHTTP/1.0 chat\r\npublish:ov.a\r\n\r\nonce");
      assert.equal((await a.next()).body, "once");
      await assertNothingMore(a);
      for (const pattern of ["ov.>.a", "ov*", "*a", "ov.#*"]) {
        const answer = await a.request(`LHTTP/1.0 chat\r\nsubscribe:${pattern}\r\n\r\n`);
        assertError(answer, { command: "chat", status: 400, code: "bad_channel" });
      }
      await a.request("LHTTP/1.0 chat\r\nunsubscribe:ov.a ov.* ov.>\r\n\r\n");
      await b.request("LHTTP/1.0 chat\r\npublish:ov.a\r\n\r\ngone");
      await assertNothingMore(a);
    },
  },
  {
    name: "user-limited channels: another user's is forbidden, publishing to it is not",
    async run(sockets) {
      const a = await sockets.open();
      const answer = await a.request("LHTTP/1.0 chat\r\nsubscribe:inbox#someone\r\n\r\n");
      assertError(answer, { command: "chat", status: 403, code: "forbidden" });
      assert.match(answer.headers.reason, /limited to user "someone"/);
      const sent = await a.request("LHTTP/1.0 chat\r\npublish:inbox#someone\r\n\r\nhi");
      assert.equal(sent.headers.status, "200");
    },
  },
];
