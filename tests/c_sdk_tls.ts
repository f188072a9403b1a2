// Peers for the C SDK's TLS failure tests (tests/c_sdk_test.ts): a TLS
// WebSocket server with a chosen certificate, a TCP listener that never
// answers, one that hangs up in the middle of the handshake, and a proxy in
// front of a TLS server that truncates or corrupts the first application
// data record.

/** A listening peer; `close()` stops it and ends its connections. */
export interface Peer {
  port: number;
  close(): Promise<void>;
}

/** A TLS WebSocket server that sends "hello" to each client. */
export function tlsWebSocketServer(cert: string, key: string): Peer {
  const server = Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    cert: Deno.readTextFileSync(cert),
    key: Deno.readTextFileSync(key),
    onListen: () => {},
    onError: () => new Response("error", { status: 500 }),
  }, (request) => {
    if (request.headers.get("upgrade") !== "websocket") return new Response("no", { status: 400 });
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => socket.send("LHTTP/1.0 hello\r\n\r\nover tls");
    socket.onerror = () => {};
    return response;
  });
  return {
    port: (server.addr as Deno.NetAddr).port,
    async close() {
      await server.shutdown();
    },
  };
}

/** Accepts TCP connections and runs `onConn` for each; tracks them for close(). */
function tcpPeer(onConn: (conn: Deno.Conn) => Promise<void>): Peer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  const loop = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      tasks.push(onConn(conn).catch(() => {}).finally(() => conns.delete(conn)));
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
      await loop;
      await Promise.allSettled(tasks);
    },
  };
}

/** Reads until `n` bytes arrived or the peer closed. */
async function readAtLeast(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out: number[] = [];
  const buf = new Uint8Array(4096);
  while (out.length < n) {
    const got = await conn.read(buf);
    if (got === null) break;
    out.push(...buf.subarray(0, got));
  }
  return new Uint8Array(out);
}

/** Accepts and reads, and never writes a byte: a server that stalls mid-handshake. */
export function stallingServer(): Peer {
  return tcpPeer(async (conn) => {
    const buf = new Uint8Array(4096);
    while (await conn.read(buf) !== null) { /* swallow the ClientHello, answer nothing */ }
  });
}

/** Reads the ClientHello, sends the first 6 bytes of a ServerHello record, and hangs up. */
export function closingServer(): Peer {
  return tcpPeer(async (conn) => {
    await readAtLeast(conn, 5);
    await conn.write(new Uint8Array([0x16, 0x03, 0x03, 0x00, 0x4a, 0x02]));
    conn.close();
  });
}

/**
 * A proxy to the TLS server on `target` that passes everything through except
 * the server's `nth` application data record (type 23; the first carries the
 * HTTP 101 answer, the second the first WebSocket message): "truncate" sends
 * its header and half its body, then hangs up; "corrupt" flips its last byte.
 */
export function recordProxy(target: number, mode: "truncate" | "corrupt", nth = 1): Peer {
  return tcpPeer(async (client) => {
    const server = await Deno.connect({ hostname: "127.0.0.1", port: target });
    const up = client.readable.pipeTo(server.writable).catch(() => {});
    let pending = new Uint8Array(0);
    let done = false;
    let seen = 0;
    try {
      const buf = new Uint8Array(16384);
      while (true) {
        const got = await server.read(buf);
        if (got === null) break;
        if (done) {
          await client.write(buf.slice(0, got));
          continue;
        }
        const joined = new Uint8Array(pending.length + got);
        joined.set(pending);
        joined.set(buf.subarray(0, got), pending.length);
        pending = joined;
        // forward complete records until the first application data record
        while (!done && pending.length >= 5) {
          const len = (pending[3] << 8) | pending[4];
          if (pending.length < 5 + len) break;
          const record = pending.slice(0, 5 + len);
          pending = pending.slice(5 + len);
          if (record[0] !== 23 || ++seen < nth) {
            await client.write(record);
            continue;
          }
          done = true;
          if (mode === "truncate") {
            await client.write(record.subarray(0, 5 + (len >> 1)));
            client.close();
            server.close();
            return;
          }
          record[record.length - 1] ^= 0x01;
          await client.write(record);
          if (pending.length) await client.write(pending);
        }
      }
    } finally {
      try {
        server.close();
      } catch { /* closed */ }
      try {
        client.close();
      } catch { /* closed */ }
      await up;
    }
  });
}
