import assert from "node:assert/strict";
import { HmacSha256, sha256 } from "../../src/presence/_hmac_sha256.ts";
import { Cursors } from "../../src/presence/cursor.ts";

Deno.test("presence cursors' HMAC-SHA256 agrees with Web Crypto at every length around the block edges", async () => {
  for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
    const key = crypto.getRandomValues(new Uint8Array(keyLength));
    const hmac = new HmacSha256(key);
    const subtle = keyLength === 0 ? undefined : await crypto.subtle.importKey(
      "raw",
      key,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    for (let length = 0; length <= 300; length += length < 140 ? 1 : 37) {
      const message = crypto.getRandomValues(new Uint8Array(length));
      assert.deepEqual(
        sha256(message),
        new Uint8Array(await crypto.subtle.digest("SHA-256", message)),
        `sha256 of ${length} bytes`,
      );
      if (subtle) {
        assert.deepEqual(
          hmac.mac(message),
          new Uint8Array(await crypto.subtle.sign("HMAC", subtle, message)),
          `key ${keyLength}, message ${length}`,
        );
      }
    }
  }
});

Deno.test("presence cursors: any node name, any channel; garbage, other channels and other processes are bad_cursor", () => {
  const cursors = new Cursors();
  for (const [channel, epoch] of [["room", "n1"], ["chat.é", "eu.west-1.a"], ["a\nb", "ü7"]]) {
    const cursor = cursors.issue(channel, epoch, 123456789);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.equal(cursors.read(cursor, channel, epoch), 123456789);
    assert.throws(() => cursors.read(cursor, channel, `${epoch}x`), { code: "stale_cursor" });
    assert.throws(() => cursors.read(cursor, `${channel}x`, epoch), { code: "bad_cursor" });
    assert.throws(() => new Cursors().read(cursor, channel, epoch), { code: "bad_cursor" });
  }
  for (const garbage of ["", "=", "a", "bm9wZQ", "bm9wZQ==", "!!!!", "forged", "a".repeat(5000)]) {
    assert.throws(() => cursors.read(garbage, "room", "n1"), { code: "bad_cursor" }, garbage);
  }
});
