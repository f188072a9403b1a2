// The npm package as a user gets it: build it (scripts/build_npm.ts), `npm
// pack` it, and `npm install` the tarball into a fresh project. Plus bounded
// child processes and the Node and Bun binaries the consumer tests run.

import { buildNpm, readDenoJson } from "../../scripts/build_npm.ts";
import { npmTarget } from "../../scripts/_npm_manifest.ts";
import { type ServeChild, spawnServe } from "./serve_child.ts";

/** What a child printed and how it ended. */
export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `program args` in `cwd` and collects its output; kills it after
 * `timeoutMs` (the result then shows a signal exit code and what it printed).
 */
export async function run(
  program: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<Output> {
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: { NO_COLOR: "1", npm_config_update_notifier: "false", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }, options.timeoutMs ?? 120_000);
  try {
    const { code, stdout, stderr } = await child.output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code, stdout: decode(stdout), stderr: decode(stderr) };
  } finally {
    clearTimeout(timer);
  }
}

/** Throws with the child's output unless it exited 0; returns its stdout. */
export function succeeded(what: string, output: Output): string {
  if (output.code !== 0) {
    throw new Error(`${what} exited ${output.code}\n${output.stdout}\n${output.stderr}`);
  }
  return output.stdout;
}

/** A temporary project with the packed package installed. */
export interface ConsumerProject {
  /** The project directory. */
  dir: string;
  /** The temporary directory holding it; remove it when done. */
  root: string;
  /** The generated package.json of the package. */
  manifest: Record<string, unknown>;
  /** The packed package. */
  tarball: string;
  /** What `npm install TARBALL` printed (the package alone: no peers). */
  install: Output;
  /** Installs the optional peers and the tools the typed consumer needs. */
  installPeers(): Promise<Output>;
}

// @types/node for the consumer's `tsc`: the oldest Node the package supports.
const NODE_TYPES = "@types/node@^20";

/**
 * Builds, packs and installs the package (alone, as a browser-client user
 * does) into a new temporary directory; `installPeers` then adds its optional
 * peers, the build's TypeScript and Node's types.
 */
export async function consumerProject(): Promise<ConsumerProject> {
  const dir = await Deno.makeTempDir({ prefix: "lhttp-npm-consumer-" });
  try {
    const { dir: pkg, manifest } = await buildNpm({ out: `${dir}/package` });
    const packed = succeeded(
      "npm pack",
      await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: pkg }),
    );
    const tarball = `${dir}/${JSON.parse(packed)[0].filename}`;
    const project = `${dir}/project`;
    await Deno.mkdir(project);
    await Deno.writeTextFile(
      `${project}/package.json`,
      JSON.stringify({ name: "lhttp-consumer", private: true, type: "module" }),
    );
    const npmInstall = async (specs: string[]) => {
      const output = await run("npm", ["install", "--no-audit", "--no-fund", ...specs], {
        cwd: project,
        timeoutMs: 300_000,
      });
      succeeded(`npm install ${specs.join(" ")}`, output);
      return output;
    };
    const install = await npmInstall([tarball]);
    // The build is in the tarball now; the project must not see it any other way.
    await Deno.remove(pkg, { recursive: true });
    const imports = (await readDenoJson()).imports ?? {};
    const pinned = (name: string) => pinnedSpec(imports, name);
    const peers = Object.keys(manifest.peerDependencies as Record<string, string>);
    const installPeers = () => npmInstall([...peers.map(pinned), pinned("typescript"), NODE_TYPES]);
    return { dir: project, root: dir, manifest, tarball, install, installPeers };
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
}

/** `name@range` as deno.json's import map pins it. */
export function pinnedSpec(imports: Record<string, string>, name: string): string {
  return `${name}@${npmTarget(imports[name])!.range}`;
}

const resolved = new Map<string, Promise<string>>();

/**
 * The binary of `runtime` (node20, node24, bun): the one on PATH when it is
 * that version, otherwise fetched with `npx -y` (its real path, so signals
 * reach the runtime itself and not an npx wrapper).
 */
export function runtimeBinary(runtime: "node20" | "node24" | "bun"): Promise<string> {
  let pending = resolved.get(runtime);
  if (!pending) {
    pending = (async () => {
      const [program, npxPackage, version] = runtime === "bun"
        ? ["bun", "bun@1.4.5", /^1\./]
        : ["node", `node@${runtime.slice(4)}`, new RegExp(`^v${runtime.slice(4)}\\.`)];
      const local = await run(program, ["--version"], { cwd: "/", timeoutMs: 30_000 })
        .catch(() => undefined);
      if (local?.code === 0 && version.test(local.stdout.trim())) return program;
      const out = succeeded(
        `npx -y ${npxPackage}`,
        await run("npx", ["-y", npxPackage, "-e", "console.log(process.execPath)"], {
          cwd: "/",
          timeoutMs: 300_000,
        }),
      );
      return out.trim().split("\n").pop()!;
    })();
    resolved.set(runtime, pending);
  }
  return pending;
}

/** A running `lhttp serve` child: see `_serve_child.ts`. */
export type Served = ServeChild;

/** Starts `program args` (an `lhttp serve` command) in `cwd`; see {@linkcode spawnServe}. */
export function startServe(
  program: string,
  args: string[],
  options: { cwd: string; timeoutMs?: number },
): Promise<Served> {
  return spawnServe(program, args, { cwd: options.cwd, timeoutMs: options.timeoutMs ?? 60_000 });
}
