/**
 * The declarations half of the npm build: tsc (5.x) emits `.d.ts` files for
 * the entry points and everything they reach, with `.js` specifiers.
 *
 * @module
 */

import ts from "typescript";
import type { EntryPoint } from "./_npm_manifest.ts";

/**
 * Emits declarations for `entries` under `outDir`, keeping the source layout.
 *
 * Type checking is Deno's job (`deno check`); here `noCheck` lets tsc emit
 * without the packages installed. That is sound because the public API has
 * explicit types (JSR's slow-type check enforces it), and the consumer tests
 * type-check the result against the installed packages.
 */
export function emitDeclarations(root: string, entries: EntryPoint[], outDir: string): string[] {
  const options: ts.CompilerOptions = {
    declaration: true,
    emitDeclarationOnly: true,
    noCheck: true,
    rootDir: root,
    outDir,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: true,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    strict: true,
    skipLibCheck: true,
    types: [],
  };
  const program = ts.createProgram(entries.map((entry) => `${root}/${entry.source}`), options);
  const written: string[] = [];
  const result = program.emit(undefined, (file, text) => {
    // Relative `.ts` specifiers become `.js`: the declarations sit beside
    // nothing but each other, and consumers resolve them like ES modules.
    const fixed = text.replace(
      /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.tsx?(["'])/g,
      "$1$2.js$3",
    );
    ts.sys.writeFile(file, fixed);
    written.push(file);
  });
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (result.emitSkipped || errors.length) {
    const host = {
      getCanonicalFileName: (name: string) => name,
      getCurrentDirectory: () => root,
      getNewLine: () => "\n",
    };
    throw new Error(`tsc: ${ts.formatDiagnostics(errors, host)}`);
  }
  return written;
}
