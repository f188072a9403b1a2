// Small WebSocket servers that behave like servers the client must cope with:
// the original Go lhttp (no acknowledgements, headers forwarded verbatim) and
// a server that accepts the upgrade and then refuses the login with a close code.

/** A running stand-in. */
export interface StandIn {
  url: string;
  /** Every text message received, in order. */
  received: string[];
  /** Resolves once `count` subscriptions in all were made. */
  subscriptions(count: number): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The original lhttp, as `../shared/reference/original-lhttp.md` describes it:
 * text frames only, dropped silently when too short, too long or not
 * `LHTTP/1.0`; `subscribe`/`unsubscribe` split on single spaces; `publish`
 * forwards the frame as it came (an `ack` header included) to every
 * subscriber, the publisher too; never an acknowledgement or an error frame.
 */
export function originalServer(): StandIn {
  const channels = new Map<string, Set<WebSocket>>();
  const received: string[] = [];
  let made = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = (event) => {
      if (typeof event.data !== "string") return;
      const text = event.data;
      received.push(text);
      if (text.length <= 9 || text.length > 40_960 || !text.startsWith("LHTTP/1.0")) return;
      const head = text.split("\r\n\r\n")[0];
      const headers = new Map<string, string>();
      for (const line of head.split("\r\n").slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) headers.set(line.slice(0, colon), line.slice(colon + 1));
      }
      for (const name of headers.get("subscribe")?.split(" ") ?? []) {
        if (!channels.has(name)) channels.set(name, new Set());
        channels.get(name)!.add(socket);
        made++;
      }
      for (const name of headers.get("unsubscribe")?.split(" ") ?? []) {
        channels.get(name)?.delete(socket);
      }
      for (const name of headers.get("publish")?.split(" ") ?? []) {
        for (const peer of channels.get(name) ?? []) {
          if (peer.readyState === WebSocket.OPEN) peer.send(text);
        }
      }
      for (const waiter of [...waiters]) {
        if (made >= waiter.count) waiters.splice(waiters.indexOf(waiter), 1), waiter.resolve();
      }
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    received,
    subscriptions: (count) =>
      made >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    shutdown: () => server.shutdown(),
  };
}

/**
 * A server whose `authenticate` refuses the way the lhttp server does: it
 * accepts the upgrade, then closes with `code` (4401 or 4403) and a reason,
 * unless the query's `token` is `good`. An accepted connection echoes frames.
 */
export function refusingServer(code = 4401): StandIn & { tokens: (string | null)[] } {
  const tokens: (string | null)[] = [];
  const received: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    const token = new URL(request.url).searchParams.get("token");
    tokens.push(token);
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => {
      if (token !== "good") socket.close(code, token === null ? "token required" : "bad token");
    };
    socket.onmessage = (event) => {
      received.push(String(event.data));
      socket.send(String(event.data));
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    received,
    tokens,
    subscriptions: () => Promise.resolve(),
    shutdown: () => server.shutdown(),
  };
}
