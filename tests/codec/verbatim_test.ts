import assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_LIMITS, parseFrame, serializeFrame } from "../../mod.ts";
import { verbatimChannel } from "../../src/internal.ts";

const plain = (command: string, channel: string, body = "hi") =>
  `LHTTP/1.0 ${command}\r\npublish:${channel}\r\n\r\n${body}`;

Deno.test("verbatimChannel: a plain publish names its channel", () => {
  assert.equal(verbatimChannel(plain("chat", "room"), DEFAULT_LIMITS), "room");
  assert.equal(verbatimChannel(plain("chat", "inbox#alice", ""), DEFAULT_LIMITS), "inbox#alice");
  assert.equal(verbatimChannel(plain("ünï", "a.b", "x\r\n\r\ny"), DEFAULT_LIMITS), "a.b");
});

Deno.test("verbatimChannel: anything the long way would change or refuse is not verbatim", () => {
  const none = [
    "LHTTP/1.0 chat\r\npublish:room\r\nack:1\r\n\r\nhi", // an ack to answer
    "LHTTP/1.0 chat\r\nx:y\r\npublish:room\r\n\r\nhi", // another header
    "LHTTP/1.0 chat\r\nPublish:room\r\n\r\nhi", // a name the parse lowercases
    "LHTTP/1.0 chat\r\npublish: room\r\n\r\nhi", // blanks the parse trims
    "LHTTP/1.0 chat\r\npublish:a b\r\n\r\nhi", // two channels
    "LHTTP/1.0 chat\r\npublish:a.*\r\n\r\nhi", // a wildcard (refused)
    "LHTTP/1.0 chat\r\npublish:room\r\n", // no blank line
    "LHTTP/1.0 two words\r\npublish:room\r\n\r\nhi", // a bad command
    "LHTTP/1.0 \r\npublish:room\r\n\r\nhi", // an empty command
    "LHTTP/1.1 chat\r\npublish:room\r\n\r\nhi", // another version
    "LHTTP/1.0 chat\r\npublish:\r\n\r\nhi", // an empty list
  ];
  for (const frame of none) assert.equal(verbatimChannel(frame, DEFAULT_LIMITS), undefined, frame);
});

Deno.test("verbatimChannel: limits the parse enforces leave the frame to the parse", () => {
  const frame = plain("chat", "room", "x".repeat(100));
  assert.equal(verbatimChannel(frame, { ...DEFAULT_LIMITS, maxFrameBytes: 50 }), undefined);
  assert.equal(verbatimChannel(frame, { ...DEFAULT_LIMITS, maxHeaderBytes: 10 }), undefined);
  assert.equal(verbatimChannel(frame, { ...DEFAULT_LIMITS, maxChannelLength: 3 }), undefined);
  assert.equal(verbatimChannel(frame, { ...DEFAULT_LIMITS, maxHeaders: 0 }), undefined);
});

// The defining property: a frame named verbatim parses to exactly one publish
// header, and its publication on that channel is the frame itself.
Deno.test("verbatimChannel: property: verbatim frames serialize back to themselves", () => {
  const piece = fc.constantFrom(
    "LHTTP/1.0 ",
    "chat",
    "\r\n",
    "publish:",
    "room",
    " ",
    "\t",
    "#",
    "*",
    ":",
    "\r",
    "\n",
    "ü",
    "x",
  );
  let verbatim = 0;
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
      const input = parts.join("");
      const channel = verbatimChannel(input, DEFAULT_LIMITS);
      if (channel === undefined) return;
      verbatim++;
      const frame = parseFrame(input, DEFAULT_LIMITS);
      assert.deepEqual([...frame.headers], [["publish", channel]]);
      assert.equal(serializeFrame(frame), input);
    }),
    {
      numRuns: 20000,
      examples: [[["LHTTP/1.0 ", "chat", "\r\n", "publish:", "room", "\r\n", "\r\n"]]],
    },
  );
  assert.ok(verbatim > 0, "the generator produced verbatim frames");
});
