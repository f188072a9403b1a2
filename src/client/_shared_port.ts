/**
 * `PortLink`: a tab's side of the `SharedWorker` path. The worker (built as
 * `lhttp-shared-worker.js`, see `shared_worker.ts`) holds the connection; the
 * tab talks to it over the worker's `MessagePort`. It says `hello` (with the
 * URL and the options that survive `postMessage`) once it holds its own lock,
 * which the worker watches to learn when the tab is gone.
 *
 * @module
 */

import type { ClientOptions } from "./options.ts";
import { holdLock, tabLock } from "./_shared_locks.ts";
import type {
  HubMessage,
  TabLink,
  TabNotice,
  TabReceiver,
  TabRequest,
} from "./_shared_protocol.ts";

/** The part of the DOM's `SharedWorker` used here (Deno's types have none). */
export type SharedWorkerConstructor = new (
  url: string | URL,
  options?: { name?: string },
) => { port: MessagePort };

/** The runtime's `SharedWorker`, if any. */
export function sharedWorker(): SharedWorkerConstructor | undefined {
  return (globalThis as { SharedWorker?: SharedWorkerConstructor }).SharedWorker;
}

/** The options a worker can receive: functions (`WebSocket`, `clock`) stay behind; `token` is asked for. */
export function cloneableOptions(options: object): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    try {
      kept[key] = structuredClone(value);
    } catch {
      // Not cloneable: it cannot cross to the worker.
    }
  }
  return kept;
}

/** The `SharedWorker` link. */
export class PortLink implements TabLink {
  /** A tab never holds the connection on this path: the worker does. */
  readonly leader = false;
  readonly #port: MessagePort;
  readonly #ready: Promise<void>;
  readonly #bye = () => this.#port.postMessage({ t: "bye", tab: this.tab } satisfies TabNotice);
  #leave!: () => void;
  #closed = false;

  /** Starts (or joins) the worker at `workerUrl` named `name`, which connects to `url`. */
  constructor(
    readonly tab: string,
    name: string,
    url: string,
    options: ClientOptions,
    workerUrl: string | URL,
    receive: TabReceiver,
  ) {
    const Worker = sharedWorker();
    if (!Worker) throw new TypeError("This runtime has no SharedWorker");
    this.#port = new Worker(workerUrl, { name }).port;
    this.#port.onmessage = (event) => {
      const message = event.data as HubMessage;
      if (message.t === "token") this.#token(message.id, options.token);
      else receive(message);
    };
    const lock = tabLock(name, tab);
    const stay = new Promise<void>((resolve) => (this.#leave = resolve));
    const { name: _, share: __, workerUrl: ___, ...rest } = options as Record<string, unknown>;
    const hello: TabNotice = {
      t: "hello",
      tab,
      lock,
      url,
      options: cloneableOptions(rest),
      token: options.token !== undefined,
    };
    this.#ready = holdLock(lock, stay).then(() => this.#port.postMessage(hello));
    globalThis.addEventListener?.("pagehide", this.#bye);
  }

  /** To the worker, after `hello`. */
  post(request: TabRequest): void {
    void this.#ready.then(() => !this.#closed && this.#port.postMessage(request));
  }

  async #token(id: number, token: ClientOptions["token"]): Promise<void> {
    let answer: TabNotice;
    try {
      answer = { t: "token", tab: this.tab, id, value: await token?.() };
    } catch (error) {
      answer = { t: "token", tab: this.tab, id, error: String(error) };
    }
    if (!this.#closed) this.#port.postMessage(answer);
  }

  /** Leaves: the worker releases this tab's channels (and closes after the last tab). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    globalThis.removeEventListener?.("pagehide", this.#bye);
    await this.#ready;
    this.#bye();
    this.#leave();
    this.#port.close();
  }
}
