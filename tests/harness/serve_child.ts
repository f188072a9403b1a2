// `lhttp serve` as a child process (any runtime of `_runtimes.ts`, or any
// program such as the npm package's bin): its URL, its log, its `/metrics`
// samples, and its exit code.

import { RUNTIMES } from "./runtimes.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ENTRY = "tests/fixtures/cluster_cli.ts";

/** A running `lhttp serve` child. */
export interface ServeChild {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The child's process id. */
  pid: number;
  /** What it wrote to stderr so far. */
  output(): string;
  /** Its stderr so far, by complete line. */
  lines(): string[];
  /** Sends `signal` (SIGTERM) once, resolves to the exit code once its output ended. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/**
 * Spawns `program args`, an `lhttp serve` command, and resolves once it printed
 * its "lhttp listening on" line. A child that never exits on its own is killed
 * after `timeoutMs`, so a hung shutdown fails a test instead of hanging it.
 */
export async function spawnServe(
  program: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<ServeChild> {
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  let announce!: (url: string) => void;
  const announced = new Promise<string>((resolve) => announce = resolve);
  const reading = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      log += chunk;
      const match = log.match(/lhttp listening on (http:\/\/[^/\s]+)\//);
      if (match) announce(match[1].replace("localhost", "127.0.0.1"));
    }
  })();
  const kill = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // Already exited.
    }
  };
  const timer = setTimeout(() => kill("SIGKILL"), options.timeoutMs ?? 120_000);
  const status = child.status.then((s) => {
    clearTimeout(timer);
    announce("");
    return s.code;
  });
  let stopping: Promise<number> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM") =>
    stopping ??= (async () => {
      kill(signal);
      const code = await status;
      await reading;
      return code;
    })();
  const url = await announced;
  if (!url) {
    await stop("SIGKILL");
    throw new Error(`${program} ${args.join(" ")} did not start:\n${log}`);
  }
  const lines = () => log.split("\n").slice(0, -1);
  return { url, pid: child.pid, output: () => log, lines, stop };
}

/** Starts `lhttp serve --port 0 --host 127.0.0.1 ...args` on the runtime named `name`. */
export async function startServe(
  name: string,
  args: string[] = [],
  options: { timeoutMs?: number } = {},
): Promise<ServeChild> {
  const runtime = RUNTIMES.find((candidate) => candidate.name === name);
  if (!runtime) throw new Error(`unknown runtime ${name}`);
  const [program, ...lead] = await runtime.command(ENTRY);
  return await spawnServe(program, [
    ...lead,
    "serve",
    "--port",
    "0",
    "--host",
    "127.0.0.1",
    ...args,
  ], options);
}

/** `/metrics` of `url` as sample → value. */
export async function metrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line === "") continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** Polls `condition` every 25 ms, up to `ms` (generous: a guard against hangs, not a timing assertion). */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
