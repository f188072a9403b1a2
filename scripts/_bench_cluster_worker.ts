// A worker of scripts/bench_cluster.ts: holds a group of subscriber sockets on
// one node, in its own thread so receiving is not the bottleneck of the bench.
//
// In:  { url, sockets, channel, expect }   Out: "ready", then { done: true } once
// every socket has received `expect` published frames, or { error } on a failure.

/// <reference lib="deno.worker" />

interface Job {
  url: string;
  sockets: number;
  channel: string;
  expect: number;
}

self.onmessage = async (event: MessageEvent<Job>) => {
  const { url, sockets, channel, expect } = event.data;
  let complete = 0;
  const opened: WebSocket[] = [];
  try {
    await Promise.all(Array.from({ length: sockets }, () =>
      new Promise<void>((resolve, reject) => {
        const socket = new WebSocket(url);
        opened.push(socket);
        let count = -1; // the subscribe acknowledgement comes first
        socket.onopen = () =>
          socket.send(`LHTTP/1.0 bench\r\nsubscribe:${channel}\r\nack:s\r\n\r\n`);
        socket.onmessage = () => {
          if (++count === 0) resolve();
          if (count === expect && ++complete === sockets) {
            for (const each of opened) each.close();
            self.postMessage({ done: true });
          }
        };
        socket.onclose = (close) => {
          if (count < expect) {
            self.postMessage({ error: `socket closed ${close.code} after ${count}` });
          }
        };
        socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
      })));
    self.postMessage("ready");
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
