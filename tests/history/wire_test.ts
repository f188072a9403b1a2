// History on the wire (PROTOCOL.md section 13), against a real Deno server and
// raw WebSockets: exact frames, recovery all-or-nothing, bad positions.

import type { History } from "../../src/history/history.ts";
import assert from "node:assert/strict";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { serveDeno } from "../../src/adapters/deno.ts";
import type { RunningServer } from "../../src/adapters/serve_options.ts";
import { RawPeer } from "./_raw.ts";

function start(): { server: LhttpServer; running: RunningServer; url: string } {
  const server = new LhttpServer({
    history: [
      { prefix: "chat.", size: 5, ttlMs: 3_600_000 },
      { prefix: "state.", size: 1, ttlMs: 3_600_000, latest: true },
    ],
    historyRecoveryLimit: 4,
    authorize: ({ action, target }) => !(action === "subscribe" && target.includes("secret")),
  });
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
  return { server, running, url: `ws://127.0.0.1:${running.port}/` };
}

const offsets = (frames: string[]) =>
  frames.filter((f) => f.includes("\r\npublish:")).map((f) =>
    Number(/\r\noffset:(\d+)/.exec(f)![1])
  );

async function publishN(peer: RawPeer, channel: string, n: number, tag = "m"): Promise<void> {
  for (let i = 0; i < n; i++) {
    await peer.request(`LHTTP/1.0 chat\r\npublish:${channel}\r\n\r\n${tag}${i}`, `p${tag}${i}`);
  }
}

Deno.test("deliveries: no change without history, offset and epoch with it", async () => {
  const { server, running, url } = start();
  const a = await RawPeer.open(url);
  const b = await RawPeer.open(url);
  try {
    await a.request("LHTTP/1.0 subscribe\r\nsubscribe:news chat.room\r\n\r\n", "s");
    await b.request(
      "LHTTP/1.0 chat\r\npublish:news chat.room\r\nnick:b\r\noffset:99\r\n\r\nhi",
      "p",
    );
    const got = await a.until((all) => all.length >= 3);
    const epoch = (server.history as History).top("chat.room")!.epoch;
    assert.deepEqual(got.slice(1), [
      "LHTTP/1.0 chat\r\npublish:news\r\nnick:b\r\noffset:99\r\n\r\nhi",
      `LHTTP/1.0 chat\r\npublish:chat.room\r\noffset:1\r\nepoch:${epoch}\r\nnick:b\r\n\r\nhi`,
    ]);
  } finally {
    await a.close(), await b.close(), await running.shutdown();
  }
});

Deno.test("recover: the missed publications, then the position, then live ones, once each", async () => {
  const { server, running, url } = start();
  const pub = await RawPeer.open(url);
  const late = await RawPeer.open(url);
  try {
    await publishN(pub, "chat.room", 3);
    const epoch = (server.history as History).top("chat.room")!.epoch;
    const answer = await late.request(
      `LHTTP/1.0 subscribe\r\nsubscribe:chat.room\r\nrecover:chat.room,1,${epoch}\r\n\r\n`,
      "r",
    );
    assert.deepEqual(offsets(answer), [2, 3]);
    assert.equal(
      answer[2],
      `LHTTP/1.0 position\r\nposition:chat.room\r\nrecovered:true\r\noffset:3\r\nepoch:${epoch}\r\n\r\n`,
    );
    assert.match(answer[3], /\r\nack:r\r\n/);
    await publishN(pub, "chat.room", 1, "live");
    const all = await late.until((frames) => offsets(frames).length === 3);
    assert.deepEqual(offsets(all), [2, 3, 4]);
  } finally {
    await pub.close(), await late.close(), await running.shutdown();
  }
});

Deno.test("recover: never partial (other epoch, past the top, pushed out, over the limit)", async () => {
  const { server, running, url } = start();
  const pub = await RawPeer.open(url);
  try {
    await publishN(pub, "chat.room", 7); // size 5 keeps 3..7; the recovery limit is 4
    const epoch = (server.history as History).top("chat.room")!.epoch;
    const cases: [string, boolean, number[]][] = [
      [`chat.room,3,zzz`, false, []],
      [`chat.room,9,${epoch}`, false, []],
      [`chat.room,1,${epoch}`, false, []],
      [`chat.room,2,${epoch}`, false, []], // 5 missing, all kept, but over the limit of 4
      [`chat.room,3,${epoch}`, true, [4, 5, 6, 7]],
      [`chat.room,7,${epoch}`, true, []],
    ];
    for (const [entry, recovered, expected] of cases) {
      const peer = await RawPeer.open(url);
      const answer = await peer.request(
        `LHTTP/1.0 subscribe\r\nsubscribe:chat.room\r\nrecover:${entry}\r\n\r\n`,
        "r",
      );
      assert.deepEqual(offsets(answer), expected, entry);
      const position = answer.find((f) => f.startsWith("LHTTP/1.0 position"))!;
      assert.equal(
        position,
        `LHTTP/1.0 position\r\nposition:chat.room\r\nrecovered:${recovered}\r\noffset:7\r\nepoch:${epoch}\r\n\r\n`,
        entry,
      );
      await peer.close();
    }
    const fresh = await RawPeer.open(url);
    const bare = await fresh.request(
      "LHTTP/1.0 subscribe\r\nsubscribe:chat.room news\r\nrecover:chat.room news\r\n\r\n",
      "b",
    );
    assert.deepEqual(bare.slice(0, 2), [
      `LHTTP/1.0 position\r\nposition:chat.room\r\noffset:7\r\nepoch:${epoch}\r\n\r\n`,
      "LHTTP/1.0 position\r\nposition:news\r\n\r\n",
    ]);
    await fresh.close();
  } finally {
    await pub.close(), await running.shutdown();
  }
});

Deno.test("bad positions are refused whole; other connections are untouched", async () => {
  const { server, running, url } = start();
  const bystander = await RawPeer.open(url);
  const bad = await RawPeer.open(url);
  try {
    await bystander.request("LHTTP/1.0 subscribe\r\nsubscribe:chat.room\r\n\r\n", "s");
    const epoch = (server.history as History).top("chat.room")!.epoch;
    const refusals: [string, string][] = [
      [`subscribe:chat.room\r\nrecover:chat.room,-1,${epoch}`, "400 bad_position"],
      [`subscribe:chat.room\r\nrecover:chat.room,abc,${epoch}`, "400 bad_position"],
      [`subscribe:chat.room\r\nrecover:chat.room,99999999999999999,${epoch}`, "400 bad_position"],
      [`subscribe:chat.room\r\nrecover:chat.room,9007199254740993,${epoch}`, "400 bad_position"],
      [`subscribe:chat.room\r\nrecover:chat.room,1,bad!epoch`, "400 bad_position"],
      [`subscribe:chat.room\r\nrecover:chat.other,1,${epoch}`, "400 bad_position"],
      [`recover:chat.room,1,${epoch}`, "400 bad_position"],
      [`subscribe:chat.secret\r\nrecover:chat.secret,0,${epoch}`, "403 forbidden"],
    ];
    for (const [headers, expected] of refusals) {
      const [answer] = await bad.request(`LHTTP/1.0 subscribe\r\n${headers}\r\n\r\n`, "x");
      const [status, code] = expected.split(" ");
      assert.match(answer, new RegExp(`\r\nstatus:${status}\r\ncode:${code}\r\n`), headers);
    }
    assert.equal(server.hub.subscriptionCount, 1, "no refused frame subscribed");
    await publishN(bad, "chat.room", 1);
    const got = await bystander.until((all) => offsets(all).length === 1);
    assert.deepEqual(offsets(got), [1]);
  } finally {
    await bystander.close(), await bad.close(), await running.shutdown();
  }
});

Deno.test("history query: last N, after an offset, bounded and checked", async () => {
  const { server, running, url } = start();
  const peer = await RawPeer.open(url);
  try {
    await publishN(peer, "chat.room", 7);
    const epoch = (server.history as History).top("chat.room")!.epoch;
    const last = await peer.request(
      "LHTTP/1.0 history\r\nhistory:chat.room\r\nlimit:2\r\n\r\n",
      "h",
    );
    assert.deepEqual(last.slice(0, 3), [
      `LHTTP/1.0 chat\r\nhistory:chat.room\r\noffset:6\r\nepoch:${epoch}\r\n\r\nm5`,
      `LHTTP/1.0 chat\r\nhistory:chat.room\r\noffset:7\r\nepoch:${epoch}\r\n\r\nm6`,
      `LHTTP/1.0 history\r\nhistory:chat.room\r\ncount:2\r\noffset:7\r\nepoch:${epoch}\r\n\r\n`,
    ]);
    const after = await peer.request(
      `LHTTP/1.0 history\r\nhistory:chat.room\r\nsince:5,${epoch}\r\n\r\n`,
      "a",
    );
    assert.deepEqual(after.slice(0, 2).map((f) => /offset:(\d+)/.exec(f)![1]), ["6", "7"]);
    const refusals: [string, string][] = [
      ["history:chat.room\r\nlimit:9", "400 history_limit"],
      ["history:chat.room\r\nlimit:0", "400 bad_limit"],
      ["history:chat.room\r\nlimit:x", "400 bad_limit"],
      [`history:chat.room\r\nsince:1,${epoch}`, "410 position_expired"],
      [`history:chat.room\r\nsince:8,${epoch}`, "410 position_expired"],
      ["history:chat.room\r\nsince:1,other", "410 position_expired"],
      ["history:chat.room\r\nsince:1", "400 bad_position"],
      ["history:chat.a chat.b", "400 bad_channel"],
      ["history:chat.secret", "403 forbidden"],
    ];
    for (const [headers, expected] of refusals) {
      const answer = await peer.request(`LHTTP/1.0 history\r\n${headers}\r\n\r\n`, "q");
      assert.equal(answer.length, 1, `${headers}: nothing but the error`);
      const [status, code] = expected.split(" ");
      assert.match(answer[0], new RegExp(`\r\nstatus:${status}\r\ncode:${code}\r\n`), headers);
    }
    const none = await peer.request("LHTTP/1.0 history\r\nhistory:news\r\n\r\n", "n");
    assert.equal(none[0], "LHTTP/1.0 history\r\nhistory:news\r\ncount:0\r\n\r\n");
  } finally {
    await peer.close(), await running.shutdown();
  }
});

Deno.test("latest value: a new subscriber gets the last publication at once", async () => {
  const { server, running, url } = start();
  const pub = await RawPeer.open(url);
  const sub = await RawPeer.open(url);
  try {
    await pub.request("LHTTP/1.0 state\r\npublish:state.lamp\r\n\r\noff", "1");
    await pub.request("LHTTP/1.0 state\r\npublish:state.lamp\r\n\r\non", "2");
    const epoch = (server.history as History).top("state.lamp")!.epoch;
    const answer = await sub.request("LHTTP/1.0 subscribe\r\nsubscribe:state.lamp\r\n\r\n", "s");
    assert.equal(
      answer[0],
      `LHTTP/1.0 state\r\npublish:state.lamp\r\noffset:2\r\nepoch:${epoch}\r\n\r\non`,
    );
    const again = await sub.request("LHTTP/1.0 subscribe\r\nsubscribe:state.lamp\r\n\r\n", "t");
    assert.equal(again.length, 1, "an existing subscriber is not handed it again");
  } finally {
    await pub.close(), await sub.close(), await running.shutdown();
  }
});
