// The layers of src/ (ARCHITECTURE.md): a file may import its own folder and
// lower layers only; the client imports nothing but the codec.

import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** Rank of each folder of src/, lowest first. */
export const LAYERS: Record<string, number> = {
  codec: 0,
  telemetry: 1,
  hub: 2,
  connection: 3,
  namespaces: 3,
  // Positions and engines; PubSub uses them.
  history: 3.5,
  router: 4,
  // Observe the router's lifecycle; the server wires them.
  webhooks: 4.5,
  presence: 4.5,
  server: 5,
  nats: 5,
  // The JetStream history engine: history/ and nats/ below it.
  jetstream: 5.5,
  http: 6,
  adapters: 7,
  cli: 8,
  client: 1,
};
// Folders that may import only these (besides themselves).
const ONLY: Record<string, string[]> = {
  client: ["codec"],
  namespaces: ["codec"],
  history: ["codec", "telemetry", "hub"],
};

function layerOf(file: string): string {
  const top = relative(SRC, file).split("/")[0];
  return top.endsWith(".ts") ? "(root)" : top;
}

/** Every violation in the import graph of src/, as "from → to" lines. */
export function violations(files: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    const from = layerOf(file);
    if (from === "(root)") continue;
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = resolve(dirname(file), match[1]);
      const to = layerOf(target);
      if (to === from) continue;
      const allowed = ONLY[from]
        ? ONLY[from].includes(to)
        : to in LAYERS && from in LAYERS && LAYERS[to] < LAYERS[from];
      const ranked = to in LAYERS && from in LAYERS;
      if (!allowed || !ranked) {
        found.push(`${relative(SRC, file)} → ${relative(SRC, target)} (${from} → ${to})`);
      }
    }
  }
  return found;
}

function sources(dir: string, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) sources(path, out);
    else if (entry.name.endsWith(".ts")) out[path] = Deno.readTextFileSync(path);
  }
  return out;
}

Deno.test("src/ imports point down the layers only", () => {
  assert.deepEqual(violations(sources(SRC)), []);
});

Deno.test("every folder of src/ has a layer", () => {
  const folders = [...Deno.readDirSync(SRC)].filter((e) => e.isDirectory).map((e) => e.name);
  assert.deepEqual(folders.filter((name) => !(name in LAYERS)), []);
});

Deno.test("the layer check catches an upward import and a client import of the server", () => {
  const bad = violations({
    [join(SRC, "codec/x.ts")]: 'import { Hub } from "../hub/hub.ts";',
    [join(SRC, "client/y.ts")]: 'import type { Connection } from "../connection/connection.ts";',
    [join(SRC, "router/z.ts")]: 'import { Hub } from "../hub/hub.ts";\nimport "./same.ts";',
  });
  assert.equal(bad.length, 2, bad.join("\n"));
});

Deno.test("scripts/ import from tests/ only through the harness folder, never a test file", () => {
  const scripts = resolve(SRC, "../scripts");
  const offenders: string[] = [];
  for (const [file, text] of Object.entries(sources(scripts))) {
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = relative(resolve(SRC, ".."), resolve(dirname(file), match[1]));
      if (target.startsWith("tests/") && !target.startsWith("tests/harness/")) {
        offenders.push(`${relative(scripts, file)} → ${target}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});
