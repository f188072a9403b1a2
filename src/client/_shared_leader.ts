/**
 * `LeaderLink`: tabs elect a leader with Web Locks and talk over a
 * `BroadcastChannel`; the leader runs the {@linkcode SharedHub}. When the
 * leader's tab goes, the lock passes to another tab, which starts a hub and
 * says so (`leader`): every tab asks again for what it holds, and the
 * positions that follow let each tab fetch what it missed meanwhile.
 *
 * @module
 */

import { LhttpClient } from "./lhttp_client.ts";
import type { ClientOptions } from "./options.ts";
import { SharedHub } from "./_shared_hub.ts";
import { holdLock, lockManager, tabLock, whenFree } from "./_shared_locks.ts";
import type {
  HubMessage,
  TabLink,
  TabNotice,
  TabReceiver,
  TabRequest,
} from "./_shared_protocol.ts";

const REQUESTS = new Set(["sub", "unsub", "pub", "fill"]);

/** The leader-election link; needs `BroadcastChannel` and `navigator.locks`. */
export class LeaderLink implements TabLink {
  readonly #bus: BroadcastChannel;
  readonly #ready: Promise<void>;
  readonly #watched = new Set<string>();
  readonly #bye = () => this.#bus.postMessage({ t: "bye", tab: this.tab } satisfies TabNotice);
  #hub?: SharedHub;
  #leave!: () => void;
  #closed = false;

  /** Joins the tabs sharing `name`; the first to get the lock connects to `url`. */
  constructor(
    readonly tab: string,
    readonly name: string,
    readonly url: string,
    readonly options: ClientOptions,
    readonly receive: TabReceiver,
  ) {
    this.#bus = new BroadcastChannel(name);
    this.#bus.onmessage = (event) => this.#onMessage(event.data);
    const stay = new Promise<void>((resolve) => (this.#leave = resolve));
    // Hold this tab's own lock before anyone hears of it: the leader watches it.
    this.#ready = holdLock(tabLock(name, tab), stay);
    void this.#ready.then(() =>
      lockManager()!.request(name, () => {
        if (this.#closed) return;
        this.#lead();
        return stay;
      })
    ).catch(() => {});
    globalThis.addEventListener?.("pagehide", this.#bye);
  }

  /** Whether this tab holds the connection. */
  get leader(): boolean {
    return this.#hub !== undefined;
  }

  /** To the hub: in this tab when leading, else over the channel. */
  post(request: TabRequest): void {
    if (this.#hub) void this.#hub.serve(request);
    else void this.#ready.then(() => this.#hub ? this.#hub.serve(request) : this.#post(request));
  }

  /** Leaves; a leader hands the connection on (the next tab gets the lock). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    globalThis.removeEventListener?.("pagehide", this.#bye);
    this.#bye();
    const hub = this.#hub;
    this.#hub = undefined;
    this.#leave();
    await hub?.close();
    this.#bus.close();
  }

  #post(message: TabRequest | TabNotice | HubMessage): void {
    if (!this.#closed) this.#bus.postMessage(message);
  }

  #lead(): void {
    const hub = new SharedHub(new LhttpClient(this.url, this.options), {
      send: (tab, message) => tab === this.tab ? this.receive(message) : this.#post(message),
      cast: (_, message) => {
        this.#post(message);
        this.receive(message);
      },
    });
    this.#hub = hub;
    const hello: HubMessage = { t: "leader", tab: this.tab };
    this.#post(hello);
    this.receive(hello);
  }

  #onMessage(message: TabRequest | TabNotice | HubMessage): void {
    if (REQUESTS.has(message.t)) {
      const request = message as TabRequest;
      if (!this.#hub) return;
      this.#watch(request.tab);
      void this.#hub.serve(request);
    } else if (message.t === "bye") this.#hub?.release(message.tab);
    else if (message.t !== "hello") this.receive(message as HubMessage);
  }

  // A tab that vanishes without a word (a crash) still frees its lock.
  #watch(tab: string): void {
    if (tab === this.tab || this.#watched.has(tab)) return;
    this.#watched.add(tab);
    whenFree(tabLock(this.name, tab), () => {
      this.#watched.delete(tab);
      this.#hub?.release(tab);
    });
  }
}
