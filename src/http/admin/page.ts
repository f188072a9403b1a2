/**
 * The admin page: one HTML document with its style and script inline (no
 * CDN, nothing else to serve), talking to `/admin/api/...`. It builds the DOM
 * with `textContent` only, so names from clients cannot inject markup.
 *
 * @module
 */

const STYLE = `
:root { color-scheme: light dark; --bg: #f5f6f8; --card: #fff; --fg: #1b1f24; --muted: #5b6570;
  --line: #dde1e6; --accent: #2457c5; --bad: #b42318; --ok: #067647; }
@media (prefers-color-scheme: dark) { :root { --bg: #111418; --card: #1a1f25; --fg: #e6e9ed;
  --muted: #98a2ad; --line: #2c333b; --accent: #7aa2ff; --bad: #ff8a80; --ok: #6ce9a6; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; align-items: center; gap: 12px; padding: 10px 20px; background: var(--card);
  border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 1; }
header h1 { font-size: 16px; margin: 0; }
header .who { color: var(--muted); flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 14px; margin: 0 0 10px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td.wrap { white-space: normal; word-break: break-word; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
th.sort { cursor: pointer; user-select: none; }
th.sort::after { content: " \\2195"; opacity: .5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
input, textarea, select, button { font: inherit; color: inherit; }
input, textarea, select { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 7px 9px; min-width: 0; }
textarea { width: 100%; min-height: 70px; resize: vertical; }
button { border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 6px; padding: 7px 12px; cursor: pointer; }
button.ghost { background: transparent; color: var(--accent); }
button.danger { background: transparent; border-color: var(--bad); color: var(--bad); padding: 3px 8px; }
.row { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin-bottom: 8px; }
.row > input { flex: 1 1 140px; }
.muted { color: var(--muted); }
.bad { color: var(--bad); }
.ok { color: var(--ok); }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; border: 1px solid currentColor; }
#login { max-width: 380px; width: calc(100% - 32px); margin: 12vh auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 24px; }
#login h1 { margin: 0 0 6px; font-size: 20px; }
#login input { width: 100%; margin: 12px 0; }
#login button { width: 100%; }
#trace-log { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--bg); border: 1px solid var(--line);
  border-radius: 6px; padding: 8px; height: 220px; overflow: auto; margin: 0; white-space: pre-wrap; word-break: break-all; }
[hidden] { display: none !important; }
tr.pick { cursor: pointer; } tr.pick:hover td { background: var(--bg); }
#presence h3 { font-size: 13px; margin: 12px 0 4px; } #presence ul { margin: 0; padding-left: 18px; }
@media (max-width: 600px) { header, main { padding-left: 10px; padding-right: 10px; } section { padding: 12px; }
  .wide-only { display: none; } th, td { padding: 6px 5px; } }
`;

const SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
const state = { node: "", nodes: [], channels: [], sort: { key: "subscribers", dir: -1 }, trace: null, lines: 0 };
function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node.setAttribute(key, value);
  }
  for (const child of children || []) node.append(child);
  return node;
}
async function api(path, init) {
  const response = await fetch("/admin/api/" + path, Object.assign({ credentials: "same-origin" }, init || {}));
  const body = await response.json().catch(() => ({ reason: response.statusText }));
  if (response.status === 401 && path !== "login") { showLogin("Your session ended; log in again."); }
  if (!response.ok) throw new Error(body.reason || ("HTTP " + response.status));
  return body;
}
const post = (path, body) => api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
function showLogin(message) {
  $("app").hidden = true; $("login").hidden = false;
  $("login-error").textContent = message || "";
  stopTrace();
}
async function login(event) {
  event.preventDefault();
  const token = $("token").value;
  $("login-error").textContent = "";
  try {
    await post("login", { token });
    $("token").value = "";
    start();
  } catch (error) { $("login-error").textContent = error.message; }
}
async function logout() { await post("logout", {}).catch(() => {}); showLogin(""); }
const bytes = (n) => n >= 1048576 ? (n / 1048576).toFixed(1) + " MiB" : (n / 1024).toFixed(0) + " KiB";
const uptime = (s) => s >= 86400 ? Math.floor(s / 86400) + "d " + Math.floor(s % 86400 / 3600) + "h" : s >= 3600 ? Math.floor(s / 3600) + "h " + Math.floor(s % 3600 / 60) + "m" : Math.floor(s / 60) + "m " + (s % 60) + "s";
function renderNodes() {
  const rows = state.nodes.map((n) => n.status === "ok"
    ? el("tr", { "data-node": n.node }, [el("td", { text: n.node + (n.node === state.node ? " (this)" : "") }),
      el("td", {}, [el("span", { class: "pill " + (n.draining ? "bad" : "ok"), text: n.draining ? "draining" : "ok" })]),
      el("td", { class: "wide-only", text: n.runtime }), el("td", { class: "wide-only", text: n.version }), el("td", { class: "num", text: uptime(n.uptimeS) }),
      el("td", { class: "num", text: String(n.connections) }), el("td", { class: "num", text: String(n.subscriptions) }),
      el("td", { class: "num", text: bytes(n.memory.rssBytes) }), el("td", { class: "num", text: String(n.deliveriesPerS) }),
      el("td", { class: "wide-only", text: n.bus })])
    : el("tr", { "data-node": n.node }, [el("td", { text: n.node }),
      el("td", {}, [el("span", { class: "pill bad", text: "no answer" })]), el("td", { class: "muted", colspan: "8", text: "did not answer in time" })]));
  $("nodes-body").replaceChildren(...rows);
  const select = $("conn-node");
  const chosen = select.value || state.node;
  select.replaceChildren(...state.nodes.map((n) => el("option", { value: n.node, text: n.node + (n.status === "ok" ? "" : " (no answer)") })));
  select.value = state.nodes.some((n) => n.node === chosen) ? chosen : state.node;
}
function renderChannels() {
  const query = $("channel-search").value.trim().toLowerCase();
  const { key, dir } = state.sort;
  const list = state.channels.filter((c) => c.channel.toLowerCase().includes(query))
    .sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0) * dir || (a.channel < b.channel ? -1 : 1));
  $("channels-body").replaceChildren(...list.map((c) => el("tr", { class: "pick", title: "Show presence", on: { click: () => showPresence(c.channel) } }, [
    el("td", { class: "wrap", text: c.channel }), el("td", { class: "num", text: String(c.subscribers) }),
    el("td", { class: "wrap muted wide-only", text: Object.entries(c.nodes).map(([n, k]) => n + ": " + k).join(", ") })])));
  $("channels-empty").hidden = list.length > 0;
}
async function showPresence(channel) {
  const box = $("presence");
  box.hidden = false;
  box.replaceChildren(el("p", { class: "muted", text: "Presence of " + channel + "\u2026" }));
  try {
    const r = await api("channels/" + encodeURIComponent(channel) + "/presence");
    const items = r.nodes.map((n) => n.off
      ? el("li", { class: "muted", text: n.node + ": no presence kept for this channel" })
      : el("li", { text: n.node + ": " + n.clients + " connections, " + n.users + " users" +
        (n.members.length ? " \u2014 " + n.members.map((m) => m.user || m.connection).join(", ") : "") }));
    for (const node of r.missing) items.push(el("li", { class: "bad", text: node + ": no answer" }));
    box.replaceChildren(el("h3", { text: "Presence of " + channel }), el("ul", {}, items));
  } catch (error) { box.replaceChildren(el("p", { class: "bad", text: error.message })); }
}
async function renderConnections() {
  const node = $("conn-node").value || state.node;
  try {
    const { connections } = await api("nodes/" + encodeURIComponent(node) + "/connections");
    $("conn-error").textContent = "";
    $("conn-body").replaceChildren(...connections.map((c) => el("tr", { "data-connection": String(c.id) }, [
      el("td", { class: "num", text: String(c.id) }), el("td", { text: c.user || "\\u2014" }), el("td", { class: "wide-only", text: c.address || "\\u2014" }),
      el("td", { class: "wrap", text: c.channels.join(" ") || "\\u2014" }),
      el("td", {}, [el("button", { class: "danger", "data-disconnect": String(c.id), text: "Disconnect", on: { click: () => disconnect(node, c.id) } })])])));
    $("conn-empty").hidden = connections.length > 0;
  } catch (error) {
    $("conn-body").replaceChildren(); $("conn-empty").hidden = true;
    $("conn-error").textContent = error.message;
  }
}
async function disconnect(node, id) {
  try { await post("disconnect", { node, connection: id }); $("conn-error").textContent = ""; }
  catch (error) { $("conn-error").textContent = error.message; }
  refresh();
}
async function publish(event) {
  event.preventDefault();
  const out = $("publish-result");
  try {
    const r = await post("publish", { channel: $("pub-channel").value, command: $("pub-command").value || "message", body: $("pub-body").value });
    out.className = "ok"; out.textContent = "Published to " + r.channels.join(" ") + ": " + r.delivered + " local deliveries";
  } catch (error) { out.className = "bad"; out.textContent = error.message; }
}
function stopTrace() {
  if (state.trace) { state.trace.close(); state.trace = null; }
  $("trace-toggle").textContent = "Start"; $("trace-status").textContent = "";
}
function toggleTrace(event) {
  event.preventDefault();
  if (state.trace) return stopTrace();
  const channel = $("trace-channel").value.trim();
  if (!channel) { $("trace-status").textContent = "Name a channel"; return; }
  const source = new EventSource("/admin/api/trace?channel=" + encodeURIComponent(channel));
  state.trace = source; $("trace-toggle").textContent = "Stop"; $("trace-log").textContent = ""; state.lines = 0;
  let skipped = 0;
  source.addEventListener("open", () => { $("trace-status").textContent = "Tracing " + channel; });
  source.addEventListener("frame", (e) => {
    const data = JSON.parse(e.data);
    skipped += data.skipped;
    const log = $("trace-log");
    log.append(document.createTextNode((data.binary ? "[binary, base64] " : "") + data.frame.replace(/\\r\\n/g, "\\n") + "\\n\\u2014\\n"));
    if (++state.lines > 200) log.removeChild(log.firstChild);
    log.scrollTop = log.scrollHeight;
    $("trace-status").textContent = "Tracing " + channel + (skipped ? " (" + skipped + " frames skipped over the rate cap)" : "");
  });
  source.onerror = () => { if (state.trace === source && source.readyState === 2) { $("trace-status").textContent = "The trace was refused or ended"; stopTrace(); } };
}
async function refresh() {
  try {
    const [nodes, channels] = await Promise.all([api("nodes"), api("channels")]);
    state.node = nodes.node; state.nodes = nodes.nodes; state.channels = channels.channels;
    $("who").textContent = "node " + state.node + " \\u00b7 " + state.nodes.length + " node" + (state.nodes.length === 1 ? "" : "s");
    renderNodes(); renderChannels(); await renderConnections();
  } catch (error) { $("who").textContent = error.message; }
}
let timer;
function start() {
  $("login").hidden = true; $("app").hidden = false;
  clearInterval(timer); timer = setInterval(() => { if (!$("app").hidden) refresh(); }, 2000);
  refresh();
}
document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  $("publish-form").addEventListener("submit", publish);
  $("trace-form").addEventListener("submit", toggleTrace);
  $("channel-search").addEventListener("input", renderChannels);
  $("conn-node").addEventListener("change", renderConnections);
  for (const th of document.querySelectorAll("th.sort")) th.addEventListener("click", () => {
    const key = th.dataset.key; state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : (key === "channel" ? 1 : -1) }; renderChannels();
  });
  api("nodes").then(start, () => showLogin(""));
});
`;

const BODY = `
<div id="login" hidden>
  <h1>lhttp admin</h1>
  <p class="muted">Enter the admin token of this server.</p>
  <form id="login-form" autocomplete="off">
    <input id="token" type="password" name="token" placeholder="Admin token" aria-label="Admin token" required>
    <button type="submit">Log in</button>
    <p id="login-error" class="bad" role="alert"></p>
  </form>
</div>
<div id="app" hidden>
  <header><h1>lhttp admin</h1><span id="who" class="who"></span><button id="logout" class="ghost">Log out</button></header>
  <main>
    <section class="wide"><h2>Nodes</h2><div class="scroll"><table>
      <thead><tr><th>Node</th><th>Status</th><th class="wide-only">Runtime</th><th class="wide-only">Version</th><th class="num">Uptime</th><th class="num">Conns</th>
      <th class="num">Subs</th><th class="num">Memory</th><th class="num">Deliveries/s</th><th class="wide-only">Bus</th></tr></thead>
      <tbody id="nodes-body"></tbody></table></div></section>
    <section><h2>Channels</h2>
      <div class="row"><input id="channel-search" type="search" placeholder="Search channels" aria-label="Search channels"></div>
      <div class="scroll"><table><thead><tr><th class="sort" data-key="channel">Channel</th><th class="sort num" data-key="subscribers">Subscribers</th><th class="wide-only">Per node</th></tr></thead>
      <tbody id="channels-body"></tbody></table></div><p id="channels-empty" class="muted">No channels.</p>
      <div id="presence" hidden></div></section>
    <section><h2>Connections</h2>
      <div class="row"><label for="conn-node" class="muted">Node</label><select id="conn-node"></select></div>
      <div class="scroll"><table><thead><tr><th class="num">Id</th><th>User</th><th class="wide-only">Address</th><th>Subscriptions</th><th></th></tr></thead>
      <tbody id="conn-body"></tbody></table></div><p id="conn-empty" class="muted">No connections.</p><p id="conn-error" class="bad" role="alert"></p></section>
    <section><h2>Publish</h2>
      <form id="publish-form">
        <div class="row"><input id="pub-channel" placeholder="Channel(s)" aria-label="Channel" required><input id="pub-command" placeholder="Command (message)" aria-label="Command"></div>
        <textarea id="pub-body" placeholder="Body" aria-label="Body"></textarea>
        <div class="row"><button type="submit">Publish</button><span id="publish-result" role="status"></span></div>
      </form></section>
    <section><h2>Live trace</h2>
      <form id="trace-form" class="row"><input id="trace-channel" placeholder="Channel" aria-label="Trace channel"><button id="trace-toggle" type="submit">Start</button></form>
      <p id="trace-status" class="muted" role="status"></p><pre id="trace-log"></pre></section>
  </main>
</div>`;

/**
 * The admin page, as served at `GET /admin`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ADMIN_PAGE } from "./page.ts";
 * assert.match(ADMIN_PAGE, /^<!doctype html>/);
 * assert.ok(!/<script src|<link /.test(ADMIN_PAGE)); // nothing fetched from elsewhere
 * ```
 */
export const ADMIN_PAGE: string = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>lhttp admin</title><style>${STYLE}</style></head>
<body>${BODY}<script>${SCRIPT}</script></body></html>
`;
