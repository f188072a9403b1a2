// Validation of namespace rules, at construction of the server.

import assert from "node:assert/strict";
import { LhttpServer } from "../../mod.ts";
import { NamespaceError, Namespaces } from "../../src/internal.ts";

const refuses = (rules: unknown, code: string, message: RegExp, authorizers = {}) =>
  assert.throws(() => new Namespaces(rules, { authorizers }), (error: unknown) => {
    assert.ok(error instanceof NamespaceError, String(error));
    assert.ok(error instanceof TypeError);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });

Deno.test("namespaces: unknown keys are refused with a suggestion", () => {
  refuses(
    [{ prefix: "chat.", publsh: false }],
    "namespace_unknown_key",
    /"publsh".*did you mean "publish"\?/,
  );
  refuses(
    [{ prefix: "chat.", maxSubscriber: 3 }],
    "namespace_unknown_key",
    /did you mean "maxSubscribers"/,
  );
  refuses([{ prefix: "chat.", colour: 3 }], "namespace_unknown_key", /unknown key "colour"$/);
});

Deno.test("namespaces: values of the wrong type are refused, the value quoted", () => {
  refuses({ prefix: "a" }, "namespace_not_a_list", /must be a list/);
  refuses(["chat."], "namespace_bad_value", /must be an object/);
  refuses([{ publish: true }], "namespace_bad_value", /needs a "prefix".*got undefined/);
  refuses([{ prefix: "a b" }], "namespace_bad_value", /got "a b"/);
  refuses([{ prefix: "a.*" }], "namespace_bad_value", /got "a\.\*"/);
  refuses([{ prefix: "inbox#" }], "namespace_bad_value", /got "inbox#"/);
  refuses(
    [{ prefix: "a", publish: "no" }],
    "namespace_bad_value",
    /"publish" must be true or false, got "no"/,
  );
  refuses([{ prefix: "a", maxSubscribers: 1.5 }], "namespace_bad_value", /whole number.*got 1\.5/);
  refuses([{ prefix: "a", maxSubscribers: -1 }], "namespace_bad_value", /got -1/);
  refuses([{ prefix: "a", historySize: "10" }], "namespace_bad_value", /"historySize"/);
  refuses([{ prefix: "a", historyAgeMs: Infinity }], "namespace_bad_value", /got Infinity/);
  refuses(
    [{ prefix: "a", presence: 1 }],
    "namespace_bad_value",
    /"presence" must be true or false/,
  );
  refuses([{ prefix: "a", joinLeave: null }], "namespace_bad_value", /got null/);
});

Deno.test("namespaces: an authorizer must be known", () => {
  refuses(
    [{ prefix: "a", authorize: "admins" }],
    "namespace_unknown_authorizer",
    /"admins".*\(known: none\)/,
  );
  refuses(
    [{ prefix: "a", authorize: "admin" }],
    "namespace_unknown_authorizer",
    /known: "admins"/,
    {
      admins: () => true,
    },
  );
  refuses(
    [{ prefix: "a", authorize: true }],
    "namespace_bad_value",
    /name of an authorizer, or false/,
  );
  assert.ok(new Namespaces([{ prefix: "a", authorize: false }]));
});

Deno.test("namespaces: duplicate prefixes and prefixes differing only in case are refused", () => {
  refuses(
    [{ prefix: "chat." }, { prefix: "chat." }],
    "namespace_duplicate",
    /"chat\." is set twice/,
  );
  refuses(
    [{ prefix: "Chat." }, { prefix: "chat." }],
    "namespace_overlap",
    /"Chat\." and "chat\." differ only in case/,
  );
});

Deno.test("namespaces: the server validates its rules when constructed", () => {
  assert.throws(
    () => new LhttpServer({ namespaces: [{ prefix: "a", subscrbe: false } as never] }),
    { name: "NamespaceError", code: "namespace_unknown_key" },
  );
});

Deno.test("namespaces: the longest matching prefix wins; defaults elsewhere; rules are frozen", () => {
  const namespaces = new Namespaces([
    { prefix: "", historySize: 1 },
    { prefix: "chat.", historySize: 50, presence: true },
    { prefix: "chat.admin.", subscribe: false },
  ]);
  assert.equal(namespaces.resolve("news").historySize, 1);
  assert.equal(namespaces.resolve("chat.room").historySize, 50);
  assert.equal(namespaces.resolve("chat.room").presence, true);
  assert.equal(namespaces.resolve("chat.admin.x").subscribe, false);
  assert.equal(
    namespaces.resolve("chat.admin.x").historySize,
    0,
    "a rule does not inherit its parent",
  );
  assert.equal(namespaces.resolve("chat.admin.x").prefix, "chat.admin.");
  assert.ok(Object.isFrozen(namespaces.resolve("chat.room")));
  const none = new Namespaces();
  assert.deepEqual({ ...none.resolve("x") }, {
    publish: true,
    subscribe: true,
    requireUser: false,
    maxSubscribers: Infinity,
    queryHistory: true,
    historySize: 0,
    historyAgeMs: 0,
    latest: false,
    presence: false,
    joinLeave: false,
  });
});
