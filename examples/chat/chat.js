// The chat demo: one room is one lhttp channel. Messages, presence and
// "is typing" notices are frames published into it; the server delivers every
// frame to every subscriber, the sender included, so the list shows only what
// the room really received. The page asks for a nickname; the demo server
// (server.ts) stamps each frame with a unique display name, and the page learns
// its own from the frames it gets back.

import { LhttpClient } from "./vendor/lhttp.mjs";

const params = new URLSearchParams(location.search);
const room = (params.get("room") ?? location.hash.slice(1) ?? "").replace(/[^A-Za-z0-9_-]/g, "") ||
  "lobby";
const channel = `chat.${room}`;
const me = crypto.randomUUID().slice(0, 8);
const PRESENCE_EVERY = 20_000; // ms between "here" heartbeats
const PRESENCE_TTL = 50_000; // ms after which a silent member counts as gone
const TYPING_EVERY = 2_000;
const TYPING_SHOWN = 3_000;

const $ = (id) => document.getElementById(id);
const list = $("messages");
const nickInput = $("nick");
const text = $("text");
nickInput.value = clean(params.get("nick") ?? localStorage.getItem("lhttp-nick") ?? "") ||
  `guest-${me.slice(0, 4)}`;
$("room").textContent = `#${room}`;
document.title = `#${room} · lhttp chat`;

const client = new LhttpClient(
  `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`,
);
const members = new Map(); // id → { nick, seen }
const typists = new Map(); // id → { nick, until }
let myName = ""; // the display name the server gave this page
let named = false; // whether a frame of this connection came back with it yet

client.on("state", ({ to }) => {
  document.body.dataset.state = to;
  $("status").textContent = {
    connecting: "connecting…",
    open: "connected",
    reconnecting: "reconnecting…",
    closed: "disconnected",
  }[to];
  render();
});
client.on("reconnecting", ({ delay }) => {
  $("status").textContent = `reconnecting in ${(delay / 1000).toFixed(1)} s…`;
});
client.on("open", ({ reconnected }) => {
  if (reconnected) system("Reconnected.");
  announce("join");
});
client.on("close", ({ wasOpen }) => {
  if (wasOpen) system("Connection lost; messages you send now are queued.");
  // Who is online is unknown until the room answers the next join.
  members.clear();
  typists.clear();
  named = false;
  render();
});
client.on("error", (error) => console.warn("lhttp:", error));

// History (PROTOCOL.md section 13): a newcomer, or a reloaded tab, sees the
// room's last messages; a reconnect recovers what it missed by itself, and says
// so when the server could not.
let historyShown = false;
client.on("subscribed", async (event) => {
  if (event.channel !== channel || !event.history) return;
  if (event.wasRecovering && !event.recovered) {
    system("Some messages were missed while offline.", "failed");
  }
  if (event.wasRecovering || historyShown) return;
  historyShown = true;
  try {
    const { publications } = await client.history(channel, { limit: 50 });
    const earlier = publications.filter((frame) =>
      frame.command === "chat" && Number(frame.headers.get("offset")) <= event.offset
    );
    list.prepend(...earlier.map((frame) =>
      messageItem(
        frame.headers.get("nick") ?? "anonymous",
        String(frame.body),
        frame.headers.get("time"),
        frame.headers.get("id") === me,
      )
    ));
    list.scrollTop = list.scrollHeight;
  } catch (error) {
    console.warn("lhttp: no history:", error);
  }
});

client.subscribe(channel, (frame) => {
  const id = frame.headers.get("id") ?? "";
  const author = frame.headers.get("nick") ?? "anonymous";
  if (id === me) ownName(author);
  else if (id) members.set(id, { nick: author, seen: Date.now() });
  switch (frame.command) {
    case "chat":
      typists.delete(id);
      message(author, String(frame.body), frame.headers.get("time"), id === me);
      break;
    case "presence":
      onPresence(id, author, frame.headers.get("presence"));
      break;
    case "typing":
      if (id !== me) typists.set(id, { nick: author, until: Date.now() + TYPING_SHOWN });
      break;
  }
  render();
});

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = text.value.trim();
  if (!body) return;
  text.value = "";
  try {
    await client.publish(channel, body, {
      command: "chat",
      headers: { nick: nick(), id: me, time: new Date().toISOString() },
    });
  } catch (error) {
    system(`Not sent (${error.code ?? error.name}): ${body}`, "failed");
  }
});

let lastTyping = 0;
text.addEventListener("input", () => {
  if (client.state !== "open" || Date.now() - lastTyping < TYPING_EVERY) return;
  lastTyping = Date.now();
  publishQuietly("typing", {});
});

nickInput.addEventListener("change", () => {
  nickInput.value = clean(nickInput.value) || `guest-${me.slice(0, 4)}`;
  localStorage.setItem("lhttp-nick", nickInput.value);
  announce("here");
});

addEventListener("pagehide", () => announce("leave"));
setInterval(() => {
  if (client.state === "open") announce("here");
  render();
}, PRESENCE_EVERY);
setInterval(render, 1000); // expires typing notices

function onPresence(id, author, kind) {
  if (id === me) return;
  if (kind === "leave") {
    members.delete(id);
    typists.delete(id);
  } else if (kind === "join") {
    system(`${author} joined.`);
    announce("here"); // so the newcomer counts us too
  }
}

function ownName(name) {
  named = true;
  if (name === myName) return;
  const first = myName === "";
  myName = name;
  const taken = name === nick() ? "" : ` ("${nick()}" is taken here)`;
  system(first ? `You joined #${room} as ${name}${taken}.` : `You are now ${name}${taken}.`);
}

function announce(kind) {
  publishQuietly("presence", { presence: kind });
}

function publishQuietly(command, headers) {
  // Presence and typing notices are best effort: not worth queueing or reporting.
  if (client.state !== "open") return;
  client.publish(channel, "", { command, headers: { ...headers, nick: nick(), id: me } })
    .catch(() => {});
}

function render() {
  const now = Date.now();
  for (const [id, member] of members) if (now - member.seen > PRESENCE_TTL) members.delete(id);
  for (const [id, typist] of typists) if (typist.until < now) typists.delete(id);
  const others = [...members.values()].map((member) => member.nick)
    .sort((a, b) => a.localeCompare(b));
  // Shown only while connected and named: a stale list would claim people are here.
  const shown = client.state === "open" && named;
  $("online").hidden = $("people").hidden = !shown;
  $("offline").hidden = shown;
  $("offline").textContent = client.state === "open" ? "joining…" : "offline";
  if (shown) {
    $("online").textContent = `${others.length + 1} online`;
    const self = person(myName, "self");
    self.append(" ", span("you", "(you)"));
    $("people").replaceChildren(self, ...others.map((name) => person(name)));
  }
  const typing = [...typists.values()].map((typist) => typist.nick);
  $("typing").textContent = typing.length === 0
    ? ""
    : `${typing.join(", ")} ${typing.length === 1 ? "is" : "are"} typing…`;
}

function message(author, body, time, mine) {
  append(messageItem(author, body, time, mine));
}

function messageItem(author, body, time, mine) {
  const item = document.createElement("li");
  item.className = mine ? "msg mine" : "msg";
  const when = new Date(time ?? Date.now());
  item.append(
    span(
      "time",
      (isNaN(when) ? new Date() : when).toLocaleTimeString([], {
        hour: "2-digit",
        minute: "2-digit",
      }),
    ),
    span("author", author),
    span("text", body),
  );
  return item;
}

function system(note, extra = "") {
  const item = document.createElement("li");
  item.className = `system ${extra}`.trim();
  item.textContent = note;
  append(item);
}

function append(item) {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(item);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function person(name, className = "") {
  const item = document.createElement("li");
  item.className = className;
  item.append(span("name", name));
  return item;
}

function span(className, content) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = content; // never innerHTML: messages are untrusted
  return element;
}

function nick() {
  return nickInput.value;
}

function clean(name) {
  // Header values may not hold line breaks; keep nicknames short and printable.
  // The server cleans names the same way (names.ts), so a name it keeps reads the same.
  // deno-lint-ignore no-control-regex -- control characters are exactly what is removed
  return name.replace(/[\x00-\x1f\x7f]/g, "").replace(/\s+/g, " ").trim().slice(0, 32);
}
