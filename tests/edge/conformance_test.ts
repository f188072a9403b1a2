// The conformance suite against the Worker: the fixture server in a Durable
// Object (one object for every request), run by local workerd. One step
// differs: workerd decodes a text message that is not UTF-8 with U+FFFD
// instead of closing with 1007; that behaviour is pinned here instead.

import assert from "node:assert/strict";
import { conformance } from "../conformance/suite.ts";
import { startUpstream } from "../conformance/_upstream.ts";
import { rawUpgrade, sendRawFrame } from "../harness/ws_client.ts";
import { startWorkerd, workerdTest } from "../harness/workerd.ts";

const NOT_UTF8 = "a text message that is not UTF-8 closes the socket with 1007";
const LOSSY = "workerd decodes text messages with U+FFFD and never sees invalid UTF-8";

workerdTest("conformance on workerd (Durable Object, hibernation API)", async (t) => {
  const upstream = startUpstream();
  const worker = await startWorkerd("tests/edge/_worker_fixture.ts", {
    vars: { UPSTREAM: upstream.url },
  });
  try {
    await conformance(t, { url: worker.url, upstream: upstream.url, skip: { [NOT_UTF8]: LOSSY } });
    await t.step("workerd: a text message that is not UTF-8 arrives with U+FFFD", async () => {
      const { status, conn } = await rawUpgrade(worker.url.replace(/^http/, "ws") + "/");
      try {
        assert.equal(status, 101);
        const head = new TextEncoder().encode("LHTTP/1.0 echo\r\n\r\n");
        await sendRawFrame(conn, 1, new Uint8Array([...head, 0xff]));
        // The echo processor answers the uppercased body: one U+FFFD (EF BF BD).
        const frame = new Uint8Array(256);
        let length = 0;
        while (length < 2 || length < 2 + frame[1]) {
          const n = await conn.read(frame.subarray(length));
          assert.ok(n !== null, "the socket closed");
          length += n;
        }
        const text = new TextDecoder().decode(frame.subarray(2, 2 + frame[1]));
        assert.equal(frame[0] & 0x0f, 1, "a text frame");
        assert.ok(text.endsWith("\r\n\r\n\uFFFD"), JSON.stringify(text));
      } finally {
        conn.close();
      }
    });
  } catch (error) {
    throw new Error(`workerd output:\n${worker.output()}`, { cause: error });
  } finally {
    await worker.stop();
    await upstream.shutdown();
  }
});
