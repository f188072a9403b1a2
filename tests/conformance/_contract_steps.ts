// Conformance steps for the contract gaps of PROTOCOL.md sections 2, 3, 6 and 7:
// refusals keep their ack, refused frames have no side effects, hop-by-hop
// headers never travel on, and each copy of a multi-channel publish names its channel.

import assert from "node:assert/strict";
import { assertError } from "./_assert.ts";
import type { Step } from "./suite.ts";

const headerLines = (count: number) =>
  Array.from({ length: count }, (_, i) => `h${i}:v`).join("\r\n");

// [name, frame with an ack:<token> line before its fault, status, code]
const BROKEN: Array<[string, string, number, string]> = [
  ["wrong version", "LHTTP/2.0 chat\r\nack:t1\r\n\r\n", 505, "bad_version"],
  ["line without colon", "LHTTP/1.0 chat\r\nack:t2\r\nnocolon\r\n\r\n", 400, "bad_header"],
  ["33 headers", `LHTTP/1.0 chat\r\nack:t3\r\n${headerLines(32)}\r\n\r\n`, 431, "too_many_headers"],
  [
    "head over 8 KiB",
    `LHTTP/1.0 chat\r\nack:t4\r\nbig:${"v".repeat(8200)}\r\n\r\n`,
    431,
    "headers_too_large",
  ],
  ["bad start line", "LHTTP/1.0 \r\nack:t5\r\n\r\n", 400, "bad_start_line"],
];

/** Steps for the contract of errors, acks and published headers. */
export const contractSteps: Step[] = [
  {
    name: "refusals of broken frames echo the ack token read before the fault",
    async run(sockets) {
      const a = await sockets.open();
      for (const [name, frame, status, code] of BROKEN) {
        a.send(frame);
        const answer = await a.next();
        assert.equal(answer.headers.ack, frame.match(/ack:(t\d)/)![1], name);
        assertError(answer, { command: "error", status, code });
      }
      a.send("LHTTP/1.0 chat\r\nack:\r\n\r\n");
      const empty = await a.next();
      assertError(empty, { command: "chat", status: 400, code: "bad_header" });
      assert.equal(empty.headers.ack, undefined);
    },
  },
  {
    name: "a frame refused for its upstream publishes nothing",
    async run(sockets) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      await b.request("LHTTP/1.0 chat\r\nsubscribe:side-effects\r\n\r\n");
      const refused = await a.request(
        "LHTTP/1.0 chat\r\npublish:side-effects\r\nupstream:POST http://127.0.0.2:1/\r\n\r\nleak",
        "u1",
      );
      assertError(refused, { command: "chat", status: 403, code: "upstream_forbidden", ack: "u1" });
      const bad = await a.request(
        "LHTTP/1.0 chat\r\nsubscribe:side-sub\r\npublish:side-effects\r\nupstream:FETCH x\r\n\r\nleak",
        "u2",
      );
      assertError(bad, { command: "chat", status: 400, code: "bad_upstream", ack: "u2" });
      await a.request("LHTTP/1.0 chat\r\npublish:side-effects\r\n\r\nafter");
      assert.equal((await b.next()).body, "after", "the refused frames were not published");
      await a.request("LHTTP/1.0 chat\r\npublish:side-sub\r\n\r\nnot for a");
      a.send("LHTTP/1.0 echo\r\n\r\nbarrier");
      assert.equal((await a.next()).body, "BARRIER", "the refused frame did not subscribe");
    },
  },
  {
    name: "published frames carry no ack, upstream, status, code, reason or upstream-status",
    async run(sockets, target) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      await b.request("LHTTP/1.0 chat\r\nsubscribe:hop\r\n\r\n");
      a.send(
        "LHTTP/1.0 chat\r\npublish:hop\r\nack:mine\r\nstatus:500\r\ncode:fake\r\nreason:spoofed\r\n" +
          `upstream-status:200\r\nupstream:POST ${target.upstream}echo?secret=abc\r\nkeep:me\r\n\r\nhi`,
      );
      const delivered = await b.next();
      assert.equal(delivered.body, "hi");
      assert.equal(delivered.headers.keep, "me");
      for (const name of ["ack", "upstream", "status", "code", "reason", "upstream-status"]) {
        assert.equal(delivered.headers[name], undefined, `${name} travelled on: ${delivered.raw}`);
      }
      const answer = await a.waitFor((frame) => frame.headers["upstream-status"] !== undefined);
      const echoed = String(answer.body);
      assert.doesNotMatch(echoed, /\r\nack:/, "the upstream service does not get the sender's ack");
      assert.doesNotMatch(echoed, /secret=abc/, "nor the upstream header");
    },
  },
  {
    name: "a multi-channel publish sends one copy per distinct channel, each naming its channel",
    async run(sockets) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      await b.request("LHTTP/1.0 chat\r\nsubscribe:multi-1 multi-2\r\n\r\n");
      await a.request("LHTTP/1.0 chat\r\npublish:multi-1 multi-2 multi-1\r\n\r\nboth");
      const copies = [await b.next(), await b.next()];
      assert.deepEqual(copies.map((copy) => copy.headers.publish).sort(), ["multi-1", "multi-2"]);
      assert.ok(copies.every((copy) => copy.body === "both"));
      a.send("LHTTP/1.0 chat\r\npublish:multi-1\r\n\r\nend");
      assert.equal((await b.next()).body, "end", "no third copy");
    },
  },
  {
    name:
      "a client offering the subprotocol lhttp gets it echoed (browsers refuse the handshake otherwise)",
    async run(sockets) {
      const ws = new WebSocket(sockets.url, ["lhttp"]);
      try {
        const protocol = await new Promise<string>((resolve, reject) => {
          ws.onopen = () => resolve(ws.protocol);
          ws.onclose = (event) => reject(new Error(`closed with ${event.code} before open`));
        });
        assert.equal(protocol, "lhttp");
      } finally {
        ws.close();
      }
    },
  },
];
