import assert from "node:assert/strict";
import fc from "fast-check";
import { ChannelMembers } from "../../src/presence/channel_members.ts";

Deno.test("channel members: under any joins and leaves, counts match a model and pages list each member once in join order", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 5 })),
        {
          maxLength: 400,
        },
      ),
      fc.integer({ min: 1, max: 7 }),
      (ops, limit) => {
        const members = new ChannelMembers("e");
        const model = new Map<string, string>(); // connection -> user, in join order
        for (const [join, n, u] of ops) {
          const connection = `c${n}`;
          if (join) {
            members.join({ connection, user: `u${u}` });
            model.delete(connection);
            model.set(connection, `u${u}`);
          } else {
            members.leave(connection);
            model.delete(connection);
          }
        }
        assert.equal(members.clients, model.size);
        assert.equal(members.users, new Set(model.values()).size);
        const listed: string[] = [];
        let after = 0;
        for (;;) {
          const page = members.page(after, limit);
          listed.push(...page.members.map((m) => m.connection));
          if (!page.more) break;
          assert.equal(page.members.length, limit);
          after = page.last;
        }
        assert.deepEqual(listed, [...model.keys()]);
      },
    ),
  );
});
