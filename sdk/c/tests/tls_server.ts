// An lhttp server for the C SDK's TLS tests: one LhttpServer behind plain
// HTTP/WebSocket (all routes, for the TypeScript peer and POST /publish) and
// behind TLS (WebSocket upgrades only, for the C client), so that a frame
// published on one side reaches subscribers on the other.
//
//   deno run -A sdk/c/tests/tls_server.ts --port PLAIN --tls-port TLS --cert PEM --key PEM
import { LhttpServer } from "../../../mod.ts";
import { serveDeno, upgradeDeno } from "../../../src/adapters/deno.ts";

function arg(name: string): string {
  const i = Deno.args.indexOf(name);
  if (i === -1 || i + 1 >= Deno.args.length) {
    console.error(`tls_server.ts: missing ${name}`);
    Deno.exit(2);
  }
  return Deno.args[i + 1];
}

const server = new LhttpServer();
const plain = serveDeno(server, { port: Number(arg("--port")), hostname: "127.0.0.1" });
const tls = Deno.serve({
  port: Number(arg("--tls-port")),
  hostname: "127.0.0.1",
  cert: Deno.readTextFileSync(arg("--cert")),
  key: Deno.readTextFileSync(arg("--key")),
  onListen: () => {},
  onError: () => new Response("error", { status: 500 }),
}, (request) => upgradeDeno(server, request));
console.error(`lhttp tls test server: plain ${plain.port}, tls ${(tls.addr as Deno.NetAddr).port}`);
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
