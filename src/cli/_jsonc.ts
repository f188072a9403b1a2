// JSON with comments and trailing commas (JSONC), with line and column on errors.

/** A configuration file that does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsoncSyntaxError, parseJsonc } from "./_jsonc.ts";
 * assert.throws(() => parseJsonc("{"), JsoncSyntaxError);
 * ```
 */
export class JsoncSyntaxError extends SyntaxError {
  /** Machine code for scripts. */
  readonly code = "config_syntax";
  /** Creates the error; `message` names the line and column. */
  constructor(message: string) {
    super(message);
    this.name = "JsoncSyntaxError";
  }
}

/**
 * Parses JSONC: JSON plus `//` and `/* *\/` comments and trailing commas.
 * Throws {@linkcode JsoncSyntaxError} naming the line and column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonc } from "./_jsonc.ts";
 * assert.deepEqual(parseJsonc('{ "a": "//x", // note\n "b": [1, 2,], }'), { a: "//x", b: [1, 2] });
 * assert.throws(() => parseJsonc('{\n  "a": 1 "b": 2 }'), /line 2/);
 * ```
 */
export function parseJsonc(text: string): unknown {
  const plain = stripComments(text.replace(/^\uFEFF/, ""));
  try {
    return JSON.parse(plain);
  } catch (error) {
    const message = (error as Error).message;
    const at = Number(message.match(/position (\d+)/)?.[1] ?? NaN);
    if (Number.isNaN(at)) throw new JsoncSyntaxError(`Invalid JSON: ${message}`);
    const before = plain.slice(0, at).split("\n");
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    const near = JSON.stringify(plain.slice(at, at + 12));
    throw new JsoncSyntaxError(`Invalid JSON at line ${line}, column ${column}, near ${near}`);
  }
}

// Blanks comments (keeping newlines, so positions hold) and drops trailing commas.
function stripComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") (out += " ", i++);
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === ",") {
      const rest = text.slice(i + 1).match(/^(\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*[\]}]/);
      out += rest ? " " : ",";
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"' && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
  return Math.min(i + 1, text.length);
}
