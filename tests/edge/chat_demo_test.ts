// The chat demo on workerd (examples/workers): the page with the content
// types browsers need for module scripts, and a chat message round trip with
// the display names of examples/chat/names.ts.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Sockets } from "../harness/ws_client.ts";
import { startWorkerd, workerdTest } from "../harness/workerd.ts";

workerdTest("the chat demo runs on workerd: page, script, a message with a name", async () => {
  const worker = await startWorkerd("examples/workers/worker.ts", {
    assets: fileURLToPath(new URL("../../examples/chat/", import.meta.url)),
  });
  const sockets = new Sockets(worker.url.replace(/^http/, "ws") + "/");
  try {
    const page = await fetch(`${worker.url}/`);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(await page.text(), /<html/i);
    const script = await fetch(`${worker.url}/chat.js`);
    assert.match(script.headers.get("content-type") ?? "", /^text\/javascript/);
    await script.body?.cancel();
    const ann = await sockets.open();
    const bob = await sockets.open();
    await bob.request("LHTTP/1.0 chat\r\nsubscribe:chat.lobby\r\nname:bob\r\n\r\n");
    await ann.request("LHTTP/1.0 chat\r\npublish:chat.lobby\r\nname:ann\r\n\r\nhello");
    const message = await bob.waitFor((frame) => frame.body === "hello");
    assert.equal(message.headers.publish, "chat.lobby");
    assert.ok(message.headers.nick, "the server names the sender");
  } catch (error) {
    throw new Error(`workerd output:\n${worker.output()}`, { cause: error });
  } finally {
    await sockets.closeAll();
    await worker.stop();
  }
});
