// The JetStream history engine against a real `nats-server -js` (PROTOCOL.md
// section 13): the publisher's own copy before its ack, the latest value, and
// bad input refused with the same errors as the embedded engine.

import assert from "node:assert/strict";
import { skipNats } from "../harness/nats_server.ts";
import { startJetStream } from "../harness/jetstream_nodes.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { serveDeno } from "../../src/adapters/deno.ts";
import { connectNats } from "../../src/nats/mod.ts";
import { JetStreamHistory } from "../../src/jetstream/mod.ts";
import { RawPeer } from "../history/_raw.ts";
import { within } from "../client/_guard.ts";

const RULES = [
  { prefix: "chat.", size: 100, ttlMs: 3_600_000 },
  { prefix: "state.", size: 5, ttlMs: 3_600_000, latest: true },
];

/** A server on a fresh JetStream; `fn` gets it and a URL; everything is stopped after. */
async function withServer(
  fn: (url: string, server: LhttpServer, history: JetStreamHistory) => Promise<void>,
): Promise<void> {
  const nats = await startJetStream();
  const connection = await connectNats({ servers: nats.url });
  const history = await JetStreamHistory.create({ connection, rules: RULES, recoveryLimit: 4 });
  const server = new LhttpServer({
    history,
    authorize: ({ action, target }) => !(action === "subscribe" && target.includes("secret")),
  });
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
  try {
    await fn(`ws://127.0.0.1:${running.port}/`, server, history);
  } finally {
    await running.shutdown();
    await history.close();
    await connection.close();
    await nats.stop();
  }
}

async function stored(history: JetStreamHistory, channel: string, offset: number): Promise<void> {
  while (((await history.top(channel))?.offset ?? 0) < offset) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const NATS = { ignore: skipNats, sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...NATS,
  name: "JetStream: an acknowledged publish's own copy comes before its ack, every time",
  async fn() {
    await withServer(async (url) => {
      const peer = await RawPeer.open(url);
      try {
        await peer.request("LHTTP/1.0 subscribe\r\nsubscribe:chat.room news\r\n\r\n", "s");
        for (let i = 0; i < 40; i++) {
          // Two channels, one of them without history: the ack follows both copies.
          const answer = await within(
            peer.request(`LHTTP/1.0 chat\r\npublish:chat.room news\r\n\r\nm${i}`, `p${i}`),
            `ack ${i}`,
          );
          const copies = answer.filter((frame) => frame.endsWith(`\r\n\r\nm${i}`));
          assert.equal(copies.length, 2, `both copies of m${i} before its ack: ${answer}`);
          assert.match(answer.at(-1)!, new RegExp(`\r\nack:p${i}\r\n`));
          assert.match(copies.find((f) => f.includes("publish:chat.room"))!, /\r\noffset:\d+\r\n/);
        }
      } finally {
        await peer.close();
      }
    });
  },
});

Deno.test({
  ...NATS,
  name: "JetStream: latest value for a new subscriber, before its ack; none with a position",
  async fn() {
    await withServer(async (url, server, history) => {
      for (const body of ["on", "off", "dim"]) {
        server.publish("state.lamp", { command: "set", body });
      }
      server.publish("chat.room", { command: "chat", body: "not latest" });
      await stored(history, "state.lamp", 3);
      await stored(history, "chat.room", 4);
      const top = (await history.top("state.lamp"))!;
      const peer = await RawPeer.open(url);
      try {
        const got = await peer.request(
          "LHTTP/1.0 subscribe\r\nsubscribe:state.lamp chat.room\r\n\r\n",
          "s",
        );
        assert.deepEqual(got, [
          `LHTTP/1.0 set\r\npublish:state.lamp\r\noffset:${top.offset}\r\nepoch:${history.epoch}\r\n\r\ndim`,
          "LHTTP/1.0 subscribe\r\nack:s\r\nstatus:200\r\n\r\n",
        ]);
        // Subscribed already: no second latest value.
        const again = await peer.request(
          "LHTTP/1.0 subscribe\r\nsubscribe:state.lamp\r\n\r\n",
          "t",
        );
        assert.deepEqual(again, ["LHTTP/1.0 subscribe\r\nack:t\r\nstatus:200\r\n\r\n"]);

        // A bare `recover` entry: the latest value, then the position frame.
        const fresh = await RawPeer.open(url);
        const bare = await fresh.request(
          "LHTTP/1.0 subscribe\r\nsubscribe:state.lamp\r\nrecover:state.lamp\r\n\r\n",
          "b",
        );
        assert.equal(bare.length, 3);
        assert.match(bare[0], /\r\n\r\ndim$/);
        assert.equal(
          bare[1],
          `LHTTP/1.0 position\r\nposition:state.lamp\r\noffset:${top.offset}\r\nepoch:${history.epoch}\r\n\r\n`,
        );
        await fresh.close();

        // A position: the replay decides, no latest value.
        const known = await RawPeer.open(url);
        const recovered = await known.request(
          `LHTTP/1.0 subscribe\r\nsubscribe:state.lamp\r\nrecover:state.lamp,${top.offset},${history.epoch}\r\n\r\n`,
          "k",
        );
        assert.equal(recovered.length, 2, String(recovered));
        assert.match(recovered[0], /^LHTTP\/1\.0 position\r\n.*recovered:true/s);
        await known.close();

        // Live copies follow the latest value as usual.
        server.publish("state.lamp", { command: "set", body: "bright" });
        const live = await peer.until((all) => all.some((f) => f.endsWith("\r\n\r\nbright")));
        assert.match(live.at(-1)!, new RegExp(`\r\nprev:${top.offset}\r\n`));
      } finally {
        await peer.close();
      }
    });
  },
});

Deno.test({
  ...NATS,
  name: "JetStream: bad positions and history queries are refused with the embedded errors",
  async fn() {
    await withServer(async (url, server, history) => {
      const peer = await RawPeer.open(url);
      try {
        for (let i = 0; i < 6; i++) server.publish("chat.room", { command: "chat", body: `m${i}` });
        await stored(history, "chat.room", 6);
        const epoch = history.epoch;
        const refusals: [string, string, string][] = [
          ["subscribe", `subscribe:chat.room\r\nrecover:chat.room,-1,${epoch}`, "400 bad_position"],
          [
            "subscribe",
            `subscribe:chat.room\r\nrecover:chat.room,abc,${epoch}`,
            "400 bad_position",
          ],
          ["subscribe", `subscribe:chat.room\r\nrecover:chat.room,1,bad!epoch`, "400 bad_position"],
          ["subscribe", `subscribe:chat.room\r\nrecover:chat.other,1,${epoch}`, "400 bad_position"],
          ["subscribe", `recover:chat.room,1,${epoch}`, "400 bad_position"],
          ["subscribe", `subscribe:chat.secret\r\nrecover:chat.secret,0,${epoch}`, "403 forbidden"],
          ["history", "history:chat.room\r\nlimit:9", "400 history_limit"],
          ["history", "history:chat.room\r\nlimit:0", "400 bad_limit"],
          ["history", "history:chat.room\r\nlimit:x", "400 bad_limit"],
          ["history", "history:chat.room\r\nsince:99,other", "410 position_expired"],
          ["history", `history:chat.room\r\nsince:999999,${epoch}`, "410 position_expired"],
          ["history", "history:chat.room\r\nsince:1", "400 bad_position"],
          ["history", "history:chat.a chat.b", "400 bad_channel"],
          ["history", "history:chat.secret", "403 forbidden"],
        ];
        for (const [command, headers, expected] of refusals) {
          const answer = await peer.request(`LHTTP/1.0 ${command}\r\n${headers}\r\n\r\n`, "x");
          assert.equal(answer.length, 1, `${headers}: nothing but the error`);
          const [status, code] = expected.split(" ");
          assert.match(answer[0], new RegExp(`\r\nstatus:${status}\r\ncode:${code}\r\n`), headers);
        }
        assert.equal(server.hub.subscriptionCount, 0, "no refused frame subscribed");
        // More missing than the recovery limit (4): nothing replayed, recovered:false.
        const first = (await history.since("chat.room", { offset: 0, epoch }))!;
        assert.equal(first.publications, undefined, "offset 0 recovers only an empty channel");
        const top = (await history.top("chat.room"))!.offset;
        const far = await peer.request(
          `LHTTP/1.0 subscribe\r\nsubscribe:chat.room\r\nrecover:chat.room,${
            top - 5
          },${epoch}\r\n\r\n`,
          "f",
        );
        assert.equal(far.length, 2, String(far));
        assert.match(far[0], /\r\nrecovered:false\r\n/);
      } finally {
        await peer.close();
      }
    });
  },
});
