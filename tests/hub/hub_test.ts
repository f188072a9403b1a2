// The hub keeps a channel's lone subscriber without a Set (src/hub/_one.ts):
// the switch to a Set at the second subscriber and back at one must not show
// in deliveries, counts, fan-out hooks or bus subscriptions.

import assert from "node:assert/strict";
import type { FrameData } from "../../src/codec/frame.ts";
import type { Bus } from "../../src/hub/bus.ts";
import { Hub, type LocalFanout, type Subscriber } from "../../src/hub/hub.ts";

interface Named extends Subscriber {
  name: string;
  got: FrameData[];
}

function subscriber(name: string): Named {
  const got: FrameData[] = [];
  return { name, got, channels: new Set(), deliver: (data) => void got.push(data) };
}

function recordingBus(log: string[]): Bus {
  return {
    state: "connected",
    start() {},
    subscribe: (channel) => void log.push(`bus+ ${channel}`),
    unsubscribe: (channel) => void log.push(`bus- ${channel}`),
    publish() {},
    close: () => Promise.resolve(),
  };
}

Deno.test("hub: a channel goes from one subscriber to many and back, unseen by deliveries", () => {
  const log: string[] = [];
  const hub = new Hub<Named>({ bus: recordingBus(log) });
  const [a, b, c] = [subscriber("a"), subscriber("b"), subscriber("c")];
  assert.ok(hub.subscribe(a, "room"));
  assert.equal(hub.subscribe(a, "room"), false);
  assert.equal(hub.deliver("room", "1"), 1);
  assert.ok(hub.subscribe(b, "room"));
  assert.ok(hub.subscribe(c, "room"));
  assert.equal(hub.subscriberCount("room"), 3);
  assert.equal(hub.deliver("room", "2"), 3);
  assert.ok(hub.unsubscribe(a, "room"));
  assert.ok(hub.unsubscribe(c, "room"));
  assert.equal(hub.unsubscribe(c, "room"), false);
  assert.equal(hub.subscriberCount("room"), 1);
  assert.equal(hub.deliver("room", "3"), 1);
  assert.deepEqual([a.got, b.got, c.got], [["1", "2"], ["2", "3"], ["2"]]);
  assert.ok(hub.unsubscribe(b, "room"));
  assert.equal(hub.unsubscribe(b, "room"), false);
  assert.equal(hub.deliver("room", "4"), 0);
  assert.deepEqual([hub.channelCount, hub.subscriptionCount], [0, 0]);
  assert.deepEqual(log, ["bus+ room", "bus- room"]);
  assert.deepEqual([...a.channels, ...b.channels, ...c.channels], []);
});

Deno.test("hub: fan-out hooks see the channel's subscribers as a set, whatever it holds", () => {
  const seen: string[] = [];
  const names = (set: ReadonlySet<Named>) => [...set].map((s) => s.name).join(",");
  const fanout: LocalFanout<Named> = {
    subscribe: (s, channel, set) => void seen.push(`+${s.name} ${channel} [${names(set)}]`),
    unsubscribe: (s, channel, set) => void seen.push(`-${s.name} ${channel} [${names(set)}]`),
    fanOut(channel, data, set) {
      seen.push(`fan ${channel} [${names(set)}] size ${set.size}`);
      for (const s of set) s.deliver(data);
    },
  };
  const hub = new Hub<Named>({ fanout });
  const [a, b] = [subscriber("a"), subscriber("b")];
  hub.subscribe(a, "room");
  hub.deliver("room", "x");
  hub.subscribe(b, "room");
  hub.deliver("room", "y");
  hub.unsubscribe(a, "room");
  hub.deliver("room", "z");
  hub.unsubscribeAll(b);
  assert.deepEqual(seen, [
    "+a room [a]",
    "fan room [a] size 1",
    "+b room [a,b]",
    "fan room [a,b] size 2",
    "-a room [b]",
    "fan room [b] size 1",
    "-b room []",
  ]);
  assert.deepEqual([a.got, b.got], [["x", "y"], ["y", "z"]]);
});

Deno.test("hub: a lone subscriber's set answers like a Set", () => {
  let lone: ReadonlySet<Named> | undefined;
  const hub = new Hub<Named>({ fanout: { fanOut: (_channel, _data, set) => void (lone = set) } });
  const [a, b] = [subscriber("a"), subscriber("b")];
  hub.subscribe(a, "room");
  hub.deliver("room", "x");
  assert.ok(lone);
  assert.equal(lone.size, 1);
  assert.ok(lone.has(a));
  assert.equal(lone.has(b), false);
  assert.deepEqual([...lone.values()], [a]);
  assert.deepEqual([...lone.keys()], [a]);
  assert.deepEqual([...lone.entries()], [[a, a]]);
  const each: Named[] = [];
  lone.forEach((value) => each.push(value));
  assert.deepEqual(each, [a]);
  assert.deepEqual([...lone.union(new Set([b]))], [a, b]);
  assert.ok(lone.isSubsetOf(new Set([a, b])));
  assert.ok(lone.isDisjointFrom(new Set([b])));
});

Deno.test("hub: a pattern and an exact channel with one subscriber each deliver once each", () => {
  const hub = new Hub<Named>();
  const [a, b] = [subscriber("a"), subscriber("b")];
  hub.subscribe(a, "room.1");
  hub.subscribe(a, "room.*");
  hub.subscribe(b, "room.*");
  assert.equal(hub.deliver("room.1", "x"), 2);
  assert.deepEqual([a.got, b.got], [["x"], ["x"]]);
});
