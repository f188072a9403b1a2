// Run by Node or Bun in the consumer project (tests/npm_consumer_test.ts):
// imports every export of the installed package by its public name, as read
// from the installed package.json, and prints one JSON line: the exports and
// the names each module exports, or the error that import threw.

import { readFileSync } from "node:fs";
import process from "node:process";

const manifest = JSON.parse(
  readFileSync(new URL("./node_modules/@lhttp/lhttp/package.json", import.meta.url), "utf8"),
);
const result = {};
for (const name of Object.keys(manifest.exports)) {
  if (name === "./package.json") continue;
  const specifier = name === "." ? manifest.name : `${manifest.name}/${name.slice(2)}`;
  try {
    result[name] = Object.keys(await import(specifier)).sort();
  } catch (error) {
    result[name] = `${error?.name}: ${error?.message}`;
  }
}
console.log(JSON.stringify(result));
process.exitCode = 0;
