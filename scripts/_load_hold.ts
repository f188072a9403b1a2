// A holder process of `scripts/load.ts`: opens `count` WebSockets to `url`,
// subscribes each to one of 100 channels (acknowledged), prints `HELD <n>`,
// then keeps them open until stdin closes.
//
//   deno run -A scripts/_load_hold.ts ws://127.0.0.1:PORT/ 5000

const [url, countText] = Deno.args;
const count = Number(countText);
const CONCURRENCY = 200; // connects in flight, under the listen backlog
const sockets: WebSocket[] = [];
let failed = 0;

function open(i: number): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send(`LHTTP/1.0 hold\r\nsubscribe:hold-${i % 100}\r\nack:1\r\n\r\n`);
    ws.onmessage = () => {
      ws.onmessage = null;
      sockets.push(ws);
      resolve();
    };
    ws.onerror = () => {
      failed++;
      resolve();
    };
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) await open(next++);
  }),
);
console.log(`HELD ${sockets.length} FAILED ${failed}`);
// Hold until the parent closes stdin (or kills us).
for await (const _ of Deno.stdin.readable) {
  // Nothing is ever written; the loop ends when the parent closes stdin.
}
Deno.exit(0);
