// The upstream HTTP service the fixture servers may call (allowlisted by URL).

/** A running upstream service. */
export interface Upstream {
  /** Base URL, ending in `/`. */
  url: string;
  /** Stops it. */
  shutdown(): Promise<void>;
}

/** Size of the `/huge` answer: over the fixture's upstream cap. */
export const HUGE_BYTES = 10_000;

/**
 * Starts the upstream service on a free loopback port:
 * `/echo` answers `METHOD note|body` (note from the `x-note` header),
 * `/teapot` answers 418, `/huge` answers {@linkcode HUGE_BYTES} bytes, and
 * `/slow` answers only at shutdown.
 */
export function startUpstream(): Upstream {
  const waiting = new Set<() => void>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/echo") {
      const body = await request.text();
      const own = ["upstream", "publish", "subscribe", "ack"].filter((name) =>
        request.headers.has(name)
      );
      const note = request.headers.get("x-note");
      return new Response(`${request.method} ${note} own=${own.join(",")}|${body}`);
    }
    if (path === "/teapot") return new Response("short and stout", { status: 418 });
    if (path === "/huge") return new Response("x".repeat(HUGE_BYTES));
    if (path === "/slow") {
      // Answers only at shutdown: callers time out long before.
      await new Promise<void>((resolve) => waiting.add(resolve));
      return new Response("too late");
    }
    return new Response("not found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    async shutdown() {
      for (const resolve of waiting) resolve();
      await server.shutdown();
    },
  };
}
