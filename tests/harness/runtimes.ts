// The runtimes the fixture servers run on, and child-process handling for
// them: start on a random port, read `PORT <n>` from stdout, stop with
// SIGTERM and wait for every stream and the exit status (Deno's sanitizers
// stay on).

import { bundle } from "./bundle.ts";

/** A runtime a fixture can run on. */
export interface Runtime {
  /** Test name: deno, bun, node20, node24. */
  name: string;
  /** The command (program and leading args) that runs `entry`. */
  command(entry: string): Promise<string[]>;
}

const ROOT = new URL("../../", import.meta.url).pathname;

// `npx -y pkg` prints the path of the cached binary, so children are the real
// runtime (signals reach it directly, not an npx wrapper).
const resolved = new Map<string, Promise<string>>();
function binary(program: string, npxPackage: string): Promise<string> {
  const key = `${program} ${npxPackage}`;
  let pending = resolved.get(key);
  if (!pending) {
    pending = (async () => {
      if (program !== "" && await works(program)) return program;
      const { code, stdout, stderr } = await new Deno.Command("npx", {
        args: ["-y", npxPackage, "-e", "console.log(process.execPath)"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const path = new TextDecoder().decode(stdout).trim().split("\n").pop() ?? "";
      if (code !== 0 || path === "") {
        throw new Error(`npx -y ${npxPackage} failed: ${new TextDecoder().decode(stderr)}`);
      }
      return path;
    })();
    resolved.set(key, pending);
  }
  return pending;
}

async function works(program: string): Promise<boolean> {
  try {
    const { code } = await new Deno.Command(program, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

/** Deno runs the TypeScript source; Bun and Node run its bundle. */
export const RUNTIMES: readonly Runtime[] = [
  { name: "deno", command: (entry) => Promise.resolve([Deno.execPath(), "run", "-A", entry]) },
  {
    name: "bun",
    command: async (entry) => [await binary("bun", "bun@1.4.5"), await bundle(entry)],
  },
  {
    name: "node20",
    command: async (entry) => [await nodeMajor(20), await bundle(entry)],
  },
  {
    name: "node24",
    command: async (entry) => [await binary("", "node@24"), await bundle(entry)],
  },
];

// The machine's node is Node 20; when it is not, fetch Node 20 from npm.
async function nodeMajor(major: number): Promise<string> {
  try {
    const { stdout } = await new Deno.Command("node", { args: ["--version"], stdout: "piped" })
      .output();
    if (new TextDecoder().decode(stdout).startsWith(`v${major}.`)) return "node";
  } catch {
    // No node on PATH: fall through to npx.
  }
  return await binary("", `node@${major}`);
}

/** A running child process that printed `PORT <n>`. */
export interface Child {
  /** The port it listens on. */
  port: number;
  /** Its process id (for RSS readings). */
  pid: number;
  /** Everything it wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Sends `signal` (SIGTERM by default) and waits for exit; resolves to the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** Starts `entry` on `runtime` with `args`; resolves once it printed its port. */
export async function startChild(
  runtime: Runtime,
  entry: string,
  args: string[] = [],
): Promise<Child> {
  const [program, ...lead] = await runtime.command(entry);
  const child = new Deno.Command(program, {
    args: [...lead, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let log = "";
  let resolvePort!: (port: number) => void;
  const port = new Promise<number>((resolve) => resolvePort = resolve);
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      log += chunk;
      const match = log.match(/^PORT (\d+)$/m);
      if (match) resolvePort(Number(match[1]));
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status;
  const early = status.then((s) => {
    throw new Error(`${runtime.name} fixture exited with ${s.code} before listening:\n${log}`);
  });
  early.catch(() => {}); // Exits after listening are reported by stop().
  let stopped: Promise<number> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM") =>
    stopped ??= (async () => {
      try {
        child.kill(signal);
      } catch {
        // Already exited.
      }
      const { code } = await status;
      await pumps;
      return code;
    })();
  try {
    return { port: await Promise.race([port, early]), pid: child.pid, output: () => log, stop };
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
}
