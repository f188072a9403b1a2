// The JSON Schema of a config file, generated from the zod schema, for editors.

import { z } from "zod";
import { OPTION_KEYS, OPTIONS } from "./_config_options.ts";
import { FILE_SCHEMA } from "./_config_resolve.ts";

/** Where the shipped schema lives in the package.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCHEMA_PATH } from "./_config_json_schema.ts";
 * assert.equal(SCHEMA_PATH, "schema/lhttp.schema.json");
 * ```
 */
export const SCHEMA_PATH = "schema/lhttp.schema.json";

/**
 * The JSON Schema (draft 2020-12) of `lhttp.json`, each key with its help
 * and default; `schema/lhttp.schema.json` is this, written out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configJsonSchema } from "./_config_json_schema.ts";
 * const schema = configJsonSchema() as { properties: Record<string, { description?: string }>; additionalProperties: boolean };
 * assert.equal(schema.additionalProperties, false);
 * assert.match(schema.properties.maxFrameBytes.description!, /Largest frame/);
 * ```
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(FILE_SCHEMA, { io: "input" }) as {
    properties: Record<string, Record<string, unknown>>;
  } & Record<string, unknown>;
  for (const key of OPTION_KEYS) {
    const spec: { help: string; default?: unknown } = OPTIONS[key];
    const property = schema.properties[key];
    property.description = spec.help;
    if (spec.default !== undefined) property.default = spec.default;
  }
  schema.properties.$schema.description = "The JSON Schema of this file, for editors";
  return {
    $schema: schema.$schema,
    $id: "https://jsr.io/@lhttp/lhttp/schema/lhttp.schema.json",
    title: "lhttp serve configuration",
    description: "The config file of lhttp serve (lhttp serve --config FILE); JSON or JSONC.",
    ...schema,
  };
}

/** The schema as the file holds it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configJsonSchemaText } from "./_config_json_schema.ts";
 * assert.equal(JSON.parse(configJsonSchemaText()).title, "lhttp serve configuration");
 * ```
 */
export function configJsonSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + "\n";
}
