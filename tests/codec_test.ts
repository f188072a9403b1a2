import assert from "node:assert/strict";
import fc from "fast-check";
import { salvageAck } from "../src/internal.ts";
import {
  buildMultipart,
  createFrame,
  encodeFrame,
  FrameError,
  type FrameInit,
  parseFrame,
  serializeFrame,
  splitMultipart,
} from "../mod.ts";

interface Vector {
  name: string;
  input: string;
  command?: string;
  headers?: [string, string][];
  body?: string;
  parts?: { headers: [string, string][]; body: string }[];
  error?: string;
}

const vectors: Vector[] = JSON.parse(
  await Deno.readTextFile(new URL("./vectors/frames.json", import.meta.url)),
).frames;
const encoder = new TextEncoder();

function parseWithParts(input: string | Uint8Array) {
  const frame = parseFrame(input);
  return { frame, parts: splitMultipart(frame) };
}

for (const vector of vectors) {
  Deno.test(`golden frame: ${vector.name}`, () => {
    for (const input of [vector.input, encoder.encode(vector.input)]) {
      if (vector.error) {
        assert.throws(() => parseWithParts(input), (error: unknown) => {
          assert.ok(error instanceof FrameError, `expected FrameError, got ${error}`);
          assert.equal(error.code, vector.error);
          return true;
        });
        continue;
      }
      const { frame, parts } = parseWithParts(input);
      assert.equal(frame.command, vector.command);
      assert.deepEqual([...frame.headers], vector.headers);
      const body = typeof frame.body === "string"
        ? frame.body
        : new TextDecoder().decode(frame.body);
      assert.equal(body, vector.body);
      assert.equal(typeof frame.body, typeof input, "text in, text body; bytes in, bytes body");
      if (vector.parts) {
        assert.ok(parts);
        assert.deepEqual(
          parts.map((part) => ({
            headers: [...part.headers],
            body: typeof part.body === "string" ? part.body : new TextDecoder().decode(part.body),
          })),
          vector.parts,
        );
      } else {
        assert.equal(parts, undefined);
      }
    }
  });
}

Deno.test("serialize writes the exact wire form", () => {
  const frame = createFrame({
    command: "chat",
    headers: { Publish: "room", seen: "yes" },
    body: "hi",
  });
  assert.equal(serializeFrame(frame), "LHTTP/1.0 chat\r\npublish:room\r\nseen:yes\r\n\r\nhi");
  const binary = serializeFrame({ ...frame, body: new Uint8Array([0, 255]) });
  assert.ok(binary instanceof Uint8Array);
  assert.deepEqual([...binary.subarray(-2)], [0, 255]);
  assert.deepEqual(encodeFrame(frame), encoder.encode(serializeFrame(frame) as string));
});

Deno.test("serialize refuses CR/LF injection and broken tokens", () => {
  const cases: FrameInit[] = [
    { command: "chat\r\npublish:all", headers: {} },
    { command: "two words", headers: {} },
    { command: "", headers: {} },
    { command: "chat", headers: { publish: "room\r\nsubscribe:admin" } },
    { command: "chat", headers: { publish: "room\nx" } },
    { command: "chat", headers: { "bad:name": "v" } },
    { command: "chat", headers: { "bad name": "v" } },
    { command: "chat", headers: { "": "v" } },
  ];
  for (const init of cases) {
    assert.throws(() => serializeFrame(createFrame(init)), FrameError, JSON.stringify(init));
  }
});

Deno.test("frame and header size limits", () => {
  assert.throws(() => parseFrame("LHTTP/1.0 a\r\n\r\n" + "x".repeat(100), { maxFrameBytes: 50 }), {
    code: "frame_too_large",
  });
  // Multi-byte characters count in bytes, not UTF-16 units.
  assert.throws(() => parseFrame("LHTTP/1.0 a\r\n\r\n" + "é".repeat(30), { maxFrameBytes: 50 }), {
    code: "frame_too_large",
  });
  const many = "LHTTP/1.0 a\r\n" + Array.from({ length: 33 }, (_, i) => `h${i}:v`).join("\r\n");
  assert.throws(() => parseFrame(many), { code: "too_many_headers" });
  assert.throws(() => parseFrame("LHTTP/1.0 a\r\nbig:" + "v".repeat(9000) + "\r\n\r\n"), {
    code: "headers_too_large",
  });
  const bomb = encoder.encode("LHTTP/1.0 a\r\nbig:" + "v".repeat(9000) + "\r\n\r\n");
  assert.throws(() => parseFrame(bomb), { code: "headers_too_large" });
});

Deno.test("binary frames: bytes body, UTF-8 head required", () => {
  const head = encoder.encode("LHTTP/1.0 img\r\npublish:cam\r\n\r\n");
  const input = new Uint8Array([...head, 0xff, 0x00, 0x0d, 0x0a]);
  const frame = parseFrame(input);
  assert.deepEqual([...(frame.body as Uint8Array)], [0xff, 0x00, 0x0d, 0x0a]);
  const badHead = new Uint8Array([...encoder.encode("LHTTP/1.0 x\r\nk:"), 0xff, 13, 10, 13, 10]);
  assert.throws(() => parseFrame(badHead), { code: "invalid_utf8" });
});

const token = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
const value = fc.stringMatching(/^[^\r\n \t]([^\r\n]{0,20}[^\r\n \t])?$/).filter((v) =>
  v.length > 0
);
const frameArb = fc.record({
  command: token,
  headers: fc.uniqueArray(fc.tuple(token, fc.oneof(value, fc.constant(""))), {
    selector: ([name]) => name,
    maxLength: 8,
  }),
  body: fc.string({ unit: "binary", maxLength: 200 }),
});

Deno.test("property: serialize → parse round-trips text frames", () => {
  fc.assert(
    fc.property(frameArb, ({ command, headers, body }) => {
      const frame = createFrame({ command, headers, body });
      const parsed = parseFrame(serializeFrame(frame));
      assert.equal(parsed.command, command);
      assert.deepEqual([...parsed.headers], headers);
      assert.equal(parsed.body, body);
    }),
    { numRuns: 2000 },
  );
});

Deno.test("property: serialize → parse round-trips binary frames", () => {
  fc.assert(
    fc.property(frameArb, fc.uint8Array({ maxLength: 200 }), ({ command, headers }, body) => {
      const parsed = parseFrame(serializeFrame(createFrame({ command, headers, body })));
      assert.deepEqual(parsed.body, body);
      assert.deepEqual([...parsed.headers], headers);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("property: multipart build → split round-trips", () => {
  const part = fc.record({
    headers: fc.uniqueArray(fc.tuple(token, value), { selector: ([n]) => n, maxLength: 3 }),
    body: fc.string({ unit: "binary", maxLength: 40 }),
  });
  fc.assert(
    fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
      const { offsets, body } = buildMultipart(parts);
      const frame = parseFrame(
        serializeFrame(createFrame({ command: "up", headers: { multipart: offsets }, body })),
      );
      const split = splitMultipart(frame)!;
      assert.deepEqual(
        split.map((p) => ({ headers: [...p.headers], body: p.body })),
        parts.map((p) => ({ headers: p.headers, body: p.body })),
      );
    }),
    { numRuns: 1000 },
  );
});

function onlyFrameErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof FrameError, `threw ${error}`);
  }
}

Deno.test("property: arbitrary strings and bytes only ever throw FrameError", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 300 }), (input) => {
      onlyFrameErrors(() => parseWithParts(input));
      onlyFrameErrors(() => parseWithParts("LHTTP/1.0 x\r\n" + input));
      onlyFrameErrors(() => parseWithParts("LHTTP/1.0 x\r\nmultipart:0 3 9\r\n\r\n" + input));
    }),
    { numRuns: 10_000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
      onlyFrameErrors(() => parseWithParts(input));
      onlyFrameErrors(() =>
        parseWithParts(new Uint8Array([...encoder.encode("LHTTP/1.0 x\r\n"), ...input]))
      );
    }),
    { numRuns: 10_000 },
  );
});

Deno.test("property: mutated valid frames only ever throw FrameError", () => {
  const seeds = vectors.map((vector) => encoder.encode(vector.input));
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      (seed, mutations) => {
        const bytes = seed.slice();
        for (const [at, byte] of mutations) if (bytes.length) bytes[at % bytes.length] = byte;
        onlyFrameErrors(() => parseWithParts(bytes));
        onlyFrameErrors(() => parseWithParts(new TextDecoder().decode(bytes)));
      },
    ),
    { numRuns: 20_000 },
  );
});

Deno.test("the command limit counts characters, not UTF-16 code units", () => {
  const emoji = "😀".repeat(64); // 128 UTF-16 code units, 64 characters
  assert.equal(parseFrame(`LHTTP/1.0 ${emoji}\r\n\r\n`).command, emoji);
  assert.throws(() => parseFrame(`LHTTP/1.0 ${emoji}x\r\n\r\n`), { code: "bad_start_line" });
});

Deno.test("salvageAck reads the ack of a broken frame up to its first broken line", () => {
  assert.equal(salvageAck("LHTTP/2.0 chat\r\nack:v\r\n\r\n"), "v");
  assert.equal(salvageAck("LHTTP/1.0 chat\r\nack:a\r\nx:1\r\nno colon\r\nack:b\r\n\r\n"), "a");
  assert.equal(salvageAck("LHTTP/1.0 chat\r\nack:\r\n\r\n"), undefined);
  assert.equal(salvageAck(new TextEncoder().encode("LHTTP/1.0 c\r\nack:7\r\nx:\xff")), "7");
  assert.equal(salvageAck(`LHTTP/1.0 c\r\nbig:${"v".repeat(9000)}\r\nack:late\r\n\r\n`), undefined);
});

Deno.test("multipart parts are held to the frame's head limits, with the same codes", () => {
  const part = (head: string) => `${head}\r\n\r\nbody`;
  const frameOf = (body: string) => ({
    command: "up",
    headers: new Map([["multipart", "0"]]),
    body,
  });
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `h${i}:v`).join("\r\n");
  assert.equal(splitMultipart(frameOf(part(lines(32))))![0].headers.size, 32);
  assert.throws(() => splitMultipart(frameOf(part(lines(33)))), { code: "too_many_headers" });
  assert.throws(
    () => splitMultipart(frameOf(part(`big:${"v".repeat(20_000)}`))),
    { code: "headers_too_large", status: 431 },
  );
});
