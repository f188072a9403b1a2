import assert from "node:assert/strict";
import { DEFAULT_LIMITS, LhttpServer } from "../../mod.ts";
import {
  Connection,
  Hub,
  Metrics,
  VerbatimPublish,
  type VerbatimPublishOptions,
} from "../../src/internal.ts";

const FRAME = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi";

function setup(options: Partial<VerbatimPublishOptions> = {}) {
  const metrics = new Metrics();
  const hub = new Hub<Connection>();
  const sent: unknown[] = [];
  const peer = { send: (data: unknown) => void sent.push(data), close() {} };
  hub.subscribe(
    new Connection(peer, { maxBufferedBytes: 1024, slowConsumer: "close", metrics }),
    "room",
  );
  const verbatim = new VerbatimPublish({
    limits: DEFAULT_LIMITS,
    hub,
    metrics,
    middleware: [],
    processors: new Map(),
    guarded: false,
    stamped: false,
    ...options,
  });
  return { verbatim, sent, metrics };
}

Deno.test("VerbatimPublish: a plain publish goes out as it came, counted", () => {
  const { verbatim, sent, metrics } = setup();
  assert.ok(verbatim.publish(FRAME));
  assert.deepEqual(sent, [FRAME]);
  assert.equal(metrics.publishes, 1);
  assert.equal(metrics.bytesOut, FRAME.length);
});

Deno.test("VerbatimPublish: server text goes as it came unless history stamps it", () => {
  const { verbatim, sent } = setup({ guarded: true, middleware: [(_ctx, next) => next()] });
  assert.deepEqual(verbatim.publishText(FRAME), ["room", 1]);
  assert.deepEqual(sent, [FRAME]);
  assert.equal(setup({ stamped: true }).verbatim.publishText(FRAME), undefined);
  assert.equal(setup().verbatim.publishText("LHTTP/1.0 chat\r\npublish:a b\r\n\r\n"), undefined);
});

Deno.test("VerbatimPublish: middleware, a processor, or hooks send the frame the long way", () => {
  const cases: Array<Partial<VerbatimPublishOptions>> = [
    { middleware: [(_ctx, next) => next()] },
    { processors: new Map([["chat", {}]]) },
    { guarded: true },
    { stamped: true },
  ];
  for (const options of cases) {
    const { verbatim, sent } = setup(options);
    assert.equal(verbatim.publish(FRAME), false);
    assert.deepEqual(sent, []);
  }
  // A processor for another command leaves the way open.
  assert.ok(setup({ processors: new Map([["other", {}]]) }).verbatim.publish(FRAME));
  // Binary frames and frames with more headers are not verbatim.
  assert.equal(setup().verbatim.publish(new TextEncoder().encode(FRAME)), false);
  assert.equal(
    setup().verbatim.publish("LHTTP/1.0 chat\r\npublish:room\r\nack:1\r\n\r\nhi"),
    false,
  );
});

// Through a whole server: what subscribers get is the same either way.
Deno.test("VerbatimPublish: a server delivers the same frames with and without the short way", () => {
  const run = (configure: (server: LhttpServer) => void) => {
    const server = new LhttpServer({ pacing: false });
    configure(server);
    const got: unknown[] = [];
    const subscriber = server.open({ send: (data) => void got.push(data), close() {} });
    server.receive(subscriber, "LHTTP/1.0 s\r\nsubscribe:room\r\n\r\n");
    const publisher = server.open({ send() {}, close() {} });
    server.receive(publisher, FRAME);
    server.receive(publisher, "LHTTP/1.0 chat\r\npublish:room\r\nack:7\r\n\r\nhi");
    server.receive(publisher, "LHTTP/1.0 chat\r\npublish:room\r\nextra:1\r\n\r\nhi");
    return { got, server };
  };
  const short = run(() => {});
  const long = run((server) => server.use((_ctx, next) => next()));
  assert.deepEqual(short.got, long.got);
  assert.deepEqual(short.got, [
    FRAME,
    FRAME,
    "LHTTP/1.0 chat\r\npublish:room\r\nextra:1\r\n\r\nhi",
  ]);
  assert.equal(short.server.metrics.publishes, long.server.metrics.publishes);
  // A processor that rewrites the reply still gets every frame of its command.
  const rewritten = run((server) =>
    server.processor("chat", { onMessage: (ctx) => void ctx.setHeader("seen", "yes") })
  );
  assert.ok(rewritten.got.every((frame) => String(frame).includes("seen:yes")));
});
