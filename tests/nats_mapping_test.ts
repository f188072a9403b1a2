// Unit tests of the channel → subject mapping and the payload envelope (no NATS needed).

import assert from "node:assert/strict";
import fc from "fast-check";
import { LhttpError } from "../src/codec/errors.ts";
import {
  assertSubjectPrefix,
  channelToSubject,
  channelToToken,
  encodeEnvelopes,
  EnvelopeReader,
  envelopeSize,
  type InvalidPayload,
  isWebSocketServers,
  parseServers,
  subjectToChannel,
} from "../src/nats/mod.ts";

const CHARS = "ABCXYZabcxyz0189_.:@/=+~-";
const channel = fc.string({
  unit: fc.constantFrom(...CHARS),
  minLength: 1,
  maxLength: 128,
});

Deno.test("subject mapping: examples", () => {
  assert.equal(channelToSubject("room"), "lhttp.room");
  assert.equal(channelToSubject("a.b"), "lhttp.a.b");
  assert.equal(channelToSubject("a~7Eb"), "lhttp.a~7E7Eb");
  assert.equal(channelToSubject("..."), "lhttp.~.~.~.~");
  assert.equal(channelToSubject("sensors.*.t"), "lhttp.sensors.*.t");
  assert.equal(channelToSubject("user@host/x=1+2:y-z_"), "lhttp.user@host/x=1+2:y-z_");
  assert.equal(channelToSubject("room", "acme.prod"), "acme.prod.room");
});

Deno.test("subject mapping: bad channels and prefixes are refused", () => {
  for (const bad of ["", "a b", "a*", "a>", "é", "a\tb"]) {
    assert.throws(() => channelToToken(bad), LhttpError);
  }
  for (const bad of ["", "a..b", ".a", "a.", "a.*", ">", "a b"]) {
    assert.throws(() => assertSubjectPrefix(bad), TypeError);
  }
  assert.equal(subjectToChannel("lhttp.a.*"), undefined);
  assert.equal(subjectToChannel("lhttp.a..b"), undefined);
  assert.equal(subjectToChannel("lhttp.a~2"), undefined);
  assert.equal(subjectToChannel("lhttpx.a"), undefined);
});

Deno.test("subject mapping: valid NATS tokens, round-tripping, injective", () => {
  fc.assert(fc.property(channel, (name) => {
    const token = channelToToken(name);
    for (const part of token.split(".")) assert.match(part, /^[^\s.*>]+$/);
    assert.equal(subjectToChannel(channelToSubject(name, "p.q"), "p.q"), name);
  }));
  fc.assert(fc.property(channel, channel, (a, b) => {
    if (a !== b) assert.notEqual(channelToSubject(a), channelToSubject(b));
  }));
  // Prefixes that are not prefixes of one another never share a subject.
  fc.assert(fc.property(channel, channel, (a, b) => {
    assert.notEqual(channelToSubject(a, "x"), channelToSubject(b, "y.x"));
  }));
});

Deno.test("envelope: text stays text, bytes stay bytes, own frames are dropped", () => {
  const me = new Uint8Array(8).fill(1);
  const peer = new Uint8Array(8).fill(2);
  const reader = new EnvelopeReader(me);
  const [text] = encodeEnvelopes(peer, "LHTTP/1.0 chat\r\n\r\nhé", 1024, 0);
  const [bytes] = encodeEnvelopes(peer, new Uint8Array([0, 255]), 1024, 1);
  assert.equal(reader.read(text), "LHTTP/1.0 chat\r\n\r\nhé");
  assert.deepEqual(reader.read(bytes), new Uint8Array([0, 255]));
  assert.equal(reader.read(encodeEnvelopes(me, "mine", 1024, 2)[0]), undefined);
  assert.equal(reader.read(new Uint8Array([0x54, 1])), undefined); // too short
});

Deno.test("envelope: chunks reassemble; a missing chunk drops only its frame", () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 1, maxLength: 3000 }),
    fc.integer({ min: 22, max: 600 }),
    (data, max) => {
      const reader = new EnvelopeReader(new Uint8Array(8));
      const payloads = encodeEnvelopes(new Uint8Array(8).fill(3), data, max, 9);
      assert.ok(payloads.every((payload) => payload.length <= max));
      const out = payloads.map((payload) => reader.read(payload));
      assert.deepEqual(out.at(-1), data);
      assert.ok(out.slice(0, -1).every((item) => item === undefined));
    },
  ));
  const node = new Uint8Array(8).fill(4);
  const reader = new EnvelopeReader(new Uint8Array(8));
  const lost = encodeEnvelopes(node, "a".repeat(300), 100, 1);
  const next = encodeEnvelopes(node, "b".repeat(300), 100, 2);
  assert.ok(lost.length > 2);
  assert.equal(reader.read(lost[0]), undefined);
  // lost[1] never arrives (NATS restarted), so lost[2] is discarded.
  assert.equal(reader.read(lost[2]), undefined);
  let result;
  for (const payload of next) result = reader.read(payload);
  assert.equal(result, "b".repeat(300));
  // Frames above the reader's limit are refused.
  const small = new EnvelopeReader(new Uint8Array(8), 100);
  assert.ok(
    encodeEnvelopes(node, "c".repeat(300), 100, 3).every((p) => small.read(p) === undefined),
  );
});

Deno.test("envelope: envelopeSize is the encoded size, for any text (lone surrogates too) and bytes", () => {
  const node = new Uint8Array(8);
  fc.assert(fc.property(
    fc.oneof(fc.string({ unit: "binary", maxLength: 600 }), fc.uint8Array({ maxLength: 600 })),
    fc.integer({ min: 22, max: 700 }),
    (data, max) => {
      const payloads = encodeEnvelopes(node, data, max, 0);
      assert.equal(envelopeSize(data, max), payloads.reduce((sum, p) => sum + p.length, 0));
    },
  ));
});

Deno.test("envelope: malformed payloads are refused and reported, valid ones still read", () => {
  const refused: InvalidPayload[] = [];
  const reader = new EnvelopeReader(new Uint8Array(8), 1000, (why) => refused.push(why));
  const peer = new Uint8Array(8).fill(6);
  const head = (kind: string) => [kind.charCodeAt(0), ...peer];
  const cases: [number[], InvalidPayload][] = [
    [[], "short"],
    [[0x54, 1, 2], "short"],
    [[0x51, ...peer, 65], "unknown_kind"],
    [head("T"), "empty"],
    [head("B"), "empty"],
    [[...head("T"), 0xed, 0xa0, 0x80], "invalid_utf8"], // an encoded surrogate
    [[...head("B"), ...new Uint8Array(1001)], "too_large"],
    [[...head("t"), 0, 0, 0, 1], "short"],
    [[...head("t"), 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 8, 65], "chunk_out_of_order"],
    [[...head("b"), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 65], "empty"],
    [[...head("b"), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, 0, 65], "too_large"],
  ];
  for (const [bytes, why] of cases) {
    refused.length = 0;
    assert.equal(reader.read(Uint8Array.from(bytes)), undefined, why);
    assert.deepEqual(refused, [why]);
  }
  // Invalid UTF-8 split over chunks is refused once the frame is complete.
  refused.length = 0;
  const bytes = new Uint8Array(30).fill(0x4c);
  bytes[12] = 0xff;
  const chunked = encodeEnvelopes(peer, bytes, 30, 3);
  chunked.forEach((payload) => payload[0] = 0x74); // claim text
  assert.ok(chunked.length > 1);
  assert.ok(chunked.every((payload) => reader.read(payload) === undefined));
  assert.deepEqual(refused, ["invalid_utf8"]);
  // A new frame replacing an unfinished one reports the lost one.
  refused.length = 0;
  const [first] = encodeEnvelopes(peer, "a".repeat(40), 30, 4);
  const fresh = encodeEnvelopes(peer, "b".repeat(40), 30, 5);
  reader.read(first);
  const out = fresh.map((payload) => reader.read(payload));
  assert.equal(out.at(-1), "b".repeat(40));
  assert.deepEqual(refused, ["chunk_out_of_order"]);
  // Reading on is unaffected.
  assert.equal(reader.read(encodeEnvelopes(peer, "ok", 100, 6)[0]), "ok");
});

Deno.test("server lists: comma-separated, one transport per list", () => {
  assert.deepEqual(parseServers(" nats://a:1 ,nats://b:2,"), ["nats://a:1", "nats://b:2"]);
  assert.throws(() => parseServers(" , "), TypeError);
  assert.equal(isWebSocketServers(["wss://a", "WS://b"]), true);
  assert.throws(() => isWebSocketServers(["ws://a", "nats://b"]), TypeError);
});
