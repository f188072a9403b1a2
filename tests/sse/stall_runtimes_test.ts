// A stream that is never read, on real `lhttp serve` processes (Deno, Bun,
// Node 20): publications pile up only to the outgoing-buffer cap, then the
// session is closed (4008, cap 1 MiB) and released, while a reading session
// goes on and gets every frame.

import assert from "node:assert/strict";
import { startServe, until } from "../harness/serve_child.ts";
import { openSession } from "./_sse.ts";

for (const name of ["deno", "bun", "node20"]) {
  Deno.test(`${name}: an SSE stream never read is released at the buffer cap; a reader goes on`, async () => {
    const child = await startServe(name);
    const port = Number(new URL(child.url).port);
    const stalled = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      const reader = await openSession(`${child.url}/sse?channel=room`);
      await stalled.write(new TextEncoder().encode(
        "GET /sse?channel=room HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n",
      ));
      const health = async () => (await (await fetch(`${child.url}/healthz`)).json()).connections;
      await until(async () => (await health()) === 2, "both sessions open");
      const body = "x".repeat(16 * 1024);
      let published = 0;
      let got = 0;
      const reading = (async () => {
        for (;;) {
          const frame = await reader.nextFrame().catch(() => undefined);
          if (frame === undefined) return;
          got++;
        }
      })();
      while ((await health()) === 2) {
        for (let i = 0; i < 20; i++) {
          await fetch(`${child.url}/publish`, {
            method: "POST",
            body: `LHTTP/1.0 flood\r\npublish:room\r\n\r\n${body}`,
          }).then((response) => response.body?.cancel());
          published++;
        }
        assert.ok(published < 20_000, "the stalled session was never released");
      }
      assert.equal(await health(), 1);
      await until(() => got >= published, "the reader got every frame");
      await reader.close();
      await reading;
    } finally {
      stalled.close();
      assert.equal(await child.stop(), 0);
    }
  });
}
