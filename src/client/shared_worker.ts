/**
 * The `SharedWorker` side of `SharedLhttpClient` (`share: "worker"`): one
 * {@linkcode SharedHub} for every tab connected to the worker. Browsers load
 * it as `lhttp-shared-worker.js` (built by `deno task build:client` from
 * `_shared_worker_entry.ts`); point `workerUrl` at where you serve that file.
 * With a bundler, a worker file of your own does the same:
 * `import { serveSharedWorker } from "@lhttp/lhttp/shared-worker"; serveSharedWorker();`.
 * A tab is gone when it says `bye` (on `pagehide`) or when its lock frees (a
 * crash); the worker then releases its channels, and closes the connection
 * once no tab is left.
 *
 * @module
 */

import { LhttpClient } from "./lhttp_client.ts";
import type { ClientOptions } from "./options.ts";
import { SharedHub } from "./_shared_hub.ts";
import { whenFree } from "./_shared_locks.ts";
import type { TabNotice, TabRequest } from "./_shared_protocol.ts";

/**
 * Serves the tabs connected to a `SharedWorker`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedWorkerHost } from "./shared_worker.ts";
 * import { LhttpClient } from "./lhttp_client.ts";
 * import { holdLock } from "./_shared_locks.ts";
 * class Socket { readyState = 0; binaryType = ""; onopen = null; onmessage = null; onclose: any = null; onerror = null; send() {} close() { this.onclose?.({ code: 1000, reason: "" }); } }
 * const host = new SharedWorkerHost((url) => new LhttpClient(url, { WebSocket: Socket }));
 * const { port1, port2 } = new MessageChannel();
 * host.connect(port1);
 * const answer = new Promise<any>((resolve) => (port2.onmessage = (event) => resolve(event.data)));
 * // The tab holds its lock while it lives; the host watches it.
 * const { promise: gone, resolve: leave } = Promise.withResolvers<void>();
 * await holdLock("l", gone);
 * port2.postMessage({ t: "hello", tab: "t1", lock: "l", url: "ws://x/", options: {}, token: false });
 * port2.postMessage({ t: "pub", tab: "t1", id: 1, channel: "bad channel!", body: "" });
 * assert.equal((await answer).error.code, "bad_channel");
 * assert.equal(host.tabs, 1);
 * port2.postMessage({ t: "bye", tab: "t1" });
 * await new Promise((resolve) => setTimeout(resolve, 10));
 * assert.equal(host.tabs, 0);
 * leave();
 * port2.close();
 * ```
 */
export class SharedWorkerHost {
  readonly #ports = new Map<string, MessagePort>();
  readonly #connect: (url: string, options: ClientOptions) => LhttpClient;
  readonly #tokenTabs = new Set<string>();
  readonly #tokens = new Map<
    number,
    { tab: string; resolve(value?: string | null): void; reject(e: Error): void }
  >();
  #nextToken = 1;
  #hub?: SharedHub;

  /** `connect` makes the client on the first tab's `hello` (a plain `LhttpClient` by default). */
  constructor(
    connect: (url: string, options: ClientOptions) => LhttpClient = (url, options) =>
      new LhttpClient(url, options),
  ) {
    this.#connect = connect;
  }

  /** How many tabs are connected. */
  get tabs(): number {
    return this.#ports.size;
  }

  /** Serves one tab's port (from the worker's `connect` event). */
  connect(port: MessagePort): void {
    port.onmessage = (event) => this.#onMessage(port, event.data);
  }

  #onMessage(port: MessagePort, message: TabRequest | TabNotice): void {
    if (message.t === "hello") {
      this.#ports.set(message.tab, port);
      if (message.token) this.#tokenTabs.add(message.tab);
      const token = message.token ? () => this.#askToken() : undefined;
      this.#hub ??= new SharedHub(this.#connect(message.url, { ...message.options, token }), {
        send: (tab, answer) => this.#ports.get(tab)?.postMessage(answer),
        cast: (holders, frame) => {
          for (const tab of holders) this.#ports.get(tab)?.postMessage(frame);
        },
      });
      whenFree(message.lock, () => this.#leave(message.tab));
    } else if (message.t === "bye") this.#leave(message.tab);
    else if (message.t === "token") {
      const asked = this.#tokens.get(message.id);
      this.#tokens.delete(message.id);
      if (message.error === undefined) asked?.resolve(message.value);
      else asked?.reject(new Error(message.error));
    } else if (this.#hub && this.#ports.has(message.tab)) void this.#hub.serve(message);
  }

  // The client reconnects: a tab with a `token` option supplies the next one.
  #askToken(): Promise<string | null | undefined> {
    const tab = [...this.#tokenTabs].at(-1);
    if (tab === undefined) return Promise.reject(new Error("No tab left to supply a token"));
    const id = this.#nextToken++;
    const { promise, resolve, reject } = Promise.withResolvers<string | null | undefined>();
    this.#tokens.set(id, { tab, resolve, reject });
    this.#ports.get(tab)!.postMessage({ t: "token", id });
    return promise;
  }

  #leave(tab: string): void {
    const port = this.#ports.get(tab);
    if (!port) return;
    this.#ports.delete(tab);
    this.#tokenTabs.delete(tab);
    for (const [id, asked] of this.#tokens) {
      // The client's connect fails and retries, asking another tab.
      if (asked.tab === tab) (this.#tokens.delete(id), asked.reject(new Error("The tab left")));
    }
    port.close();
    this.#hub?.release(tab);
    if (this.#ports.size > 0) return;
    // The last tab left: nobody needs the connection.
    const hub = this.#hub;
    this.#hub = undefined;
    void hub?.close();
  }
}

/** Serves every tab that connects to this `SharedWorker` (the bundle's entry calls it). */
export function serveSharedWorker(scope: object = globalThis): SharedWorkerHost {
  const host = new SharedWorkerHost();
  (scope as { onconnect: unknown }).onconnect = (event: { ports: readonly MessagePort[] }) =>
    host.connect(event.ports[0]);
  return host;
}
