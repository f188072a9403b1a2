// A test-side SSE session: GET /sse with fetch, its events in order, POSTs
// with the session's secret.

import { frameOfEvent, type SseEvent, SseParser } from "../../src/client/sse_parser.ts";

export interface TestSession {
  response: Response;
  id: string;
  secret: string;
  post: string;
  /** The next event (not heartbeats); rejects when the stream ended first. */
  next(): Promise<SseEvent>;
  /** The next event that carries a frame, decoded. */
  nextFrame(): Promise<string | Uint8Array>;
  /** POSTs a frame; resolves to the response. */
  send(frame: string | Uint8Array, secret?: string): Promise<Response>;
  /** Cancels the stream. */
  close(): Promise<void>;
  /** Resolves once the stream ended. */
  ended: Promise<void>;
}

/** Opens `url` (`http://host/sse?...`); rejects with the status when not 200. */
export async function openSession(url: string, init: RequestInit = {}): Promise<TestSession> {
  const response = await fetch(url, init);
  if (response.status !== 200) {
    throw Object.assign(new Error(`status ${response.status}`), {
      status: response.status,
      body: await response.text(),
    });
  }
  const events: SseEvent[] = [];
  const waiting: Array<(event: SseEvent | undefined) => void> = [];
  const parser = new SseParser((event) => {
    const waiter = waiting.shift();
    if (waiter) waiter(event);
    else events.push(event);
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let done = false;
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch {
      // Cancelled or cut.
    }
    done = true;
    for (const waiter of waiting.splice(0)) waiter(undefined);
  })();
  const next = () =>
    new Promise<SseEvent>((resolve, reject) => {
      const event = events.shift();
      if (event) return resolve(event);
      if (done) return reject(new Error("the stream ended"));
      waiting.push((event) => event ? resolve(event) : reject(new Error("the stream ended")));
    });
  const first = await next();
  if (first.event !== "session") throw new Error(`first event was ${first.event}`);
  const { session, secret, post } = JSON.parse(first.data);
  const origin = new URL(url).origin;
  return {
    response,
    id: session,
    secret,
    post,
    next,
    async nextFrame() {
      for (;;) {
        const event = await next();
        const frame = frameOfEvent(event);
        if (frame !== undefined) return frame;
      }
    },
    send: (frame, key = secret) =>
      fetch(origin + post, {
        method: "POST",
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": typeof frame === "string" ? "text/plain" : "application/octet-stream",
        },
        body: frame as BodyInit,
      }),
    async close() {
      await reader.cancel().catch(() => {});
      await ended;
    },
    ended,
  };
}
