// Run by Node 22+ in the consumer project (tests/npm_consumer_test.ts):
// `require()`s every export of the installed package (the `default` export
// condition) and prints one JSON line: the names each module exports, or the
// error code require threw.

const { readFileSync } = require("node:fs");
const path = require("node:path");

const manifest = JSON.parse(
  readFileSync(path.join(__dirname, "node_modules/@lhttp/lhttp/package.json"), "utf8"),
);
const result = {};
for (const name of Object.keys(manifest.exports)) {
  if (name === "./package.json") continue;
  const specifier = name === "." ? manifest.name : `${manifest.name}/${name.slice(2)}`;
  try {
    result[name] = Object.keys(require(specifier)).filter((key) => key !== "__esModule").sort();
  } catch (error) {
    result[name] = `${error?.code ?? error?.name}: ${error?.message?.split("\n")[0]}`;
  }
}
console.log(JSON.stringify(result));
