// Run by Node or Bun in the consumer project before its optional peers are
// installed (tests/npm_consumer_test.ts): what each entry point does without
// them. Prints one JSON line: per entry point "ok" or the error it threw.

import process from "node:process";

const result = {};
const attempt = async (name, action) => {
  try {
    await action();
    result[name] = "ok";
  } catch (error) {
    result[name] = {
      name: error?.name,
      code: error?.code,
      packages: error?.packages,
      message: error?.message,
    };
  }
};
await attempt("@lhttp/lhttp", () => import("@lhttp/lhttp"));
await attempt("@lhttp/lhttp/client", () => import("@lhttp/lhttp/client"));
await attempt("@lhttp/lhttp/compat", () => import("@lhttp/lhttp/compat"));
await attempt("@lhttp/lhttp/node", () => import("@lhttp/lhttp/node"));
await attempt("@lhttp/lhttp/nats", () => import("@lhttp/lhttp/nats"));
await attempt("serve()", async () => {
  const { LhttpServer } = await import("@lhttp/lhttp");
  const { serve } = await import("@lhttp/lhttp/serve");
  const running = await serve(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
  await running.shutdown();
});
console.log(JSON.stringify(result));
process.exitCode = 0;
