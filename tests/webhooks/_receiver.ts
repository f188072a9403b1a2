// A webhook receiver for tests: a real HTTP server that checks signatures and
// records events, or answers with a scripted status.

import { importSecret, verify } from "../../src/webhooks/signature.ts";
import type { WebhookEvent } from "../../src/webhooks/event.ts";

/** A running receiver. */
export interface Receiver {
  url: string;
  events: WebhookEvent[];
  /** Requests whose signature did not verify. */
  forged: number;
  /** Statuses to answer next, in order (then 200). */
  script: number[];
  /** Resolves once `predicate` holds for the events received. */
  until(predicate: (events: WebhookEvent[]) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** Starts a receiver checking signatures made with `secret`. */
export async function startReceiver(secret: string, port = 0): Promise<Receiver> {
  const key = await importSecret(secret);
  const waiters: (() => void)[] = [];
  const receiver: Receiver = {
    url: "",
    events: [],
    forged: 0,
    script: [],
    until(predicate) {
      return new Promise((resolve) => {
        const check = () => predicate(receiver.events) ? (resolve(), true) : false;
        if (!check()) waiters.push(() => void (check() || waiters.push(check as never)));
      });
    },
    close: () => server.shutdown(),
  };
  const server = Deno.serve({ port, hostname: "127.0.0.1", onListen() {} }, async (request) => {
    const body = await request.text();
    const status = receiver.script.shift() ?? 200;
    if (status !== 200) return new Response("no", { status });
    const timestamp = Number(request.headers.get("lhttp-timestamp"));
    const signature = request.headers.get("lhttp-signature") ?? "";
    if (!await verify(key, timestamp, body, signature)) {
      receiver.forged++;
      return new Response("bad signature", { status: 401 });
    }
    receiver.events.push(...JSON.parse(body).events);
    for (const waiter of waiters.splice(0)) waiter();
    return new Response("ok");
  });
  receiver.url = `http://127.0.0.1:${server.addr.port}/hooks`;
  return receiver;
}
