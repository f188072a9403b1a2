/**
 * `share: "none"`: a hub of this tab's own, in-process, where there is
 * nothing to share through (no Web Locks or `BroadcastChannel`).
 *
 * @module
 */

import { LhttpClient } from "./lhttp_client.ts";
import type { ClientOptions } from "./options.ts";
import { SharedHub } from "./_shared_hub.ts";
import type { TabLink, TabReceiver } from "./_shared_protocol.ts";

/** A link to a hub in this tab, on a client of its own. */
export function localLink(url: string, options: ClientOptions, receive: TabReceiver): TabLink {
  const hub = new SharedHub(new LhttpClient(url, options), {
    send: (_, message) => receive(message),
    cast: (_, message) => receive(message),
  });
  return { leader: true, post: (request) => void hub.serve(request), close: () => hub.close() };
}
