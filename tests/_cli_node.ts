// `lhttp serve` as a child process on Deno, Bun or Node, run through
// `_runtimes.ts` (Bun and Node run a bundle). The port comes from the CLI's own
// "lhttp listening on http://HOST:PORT/" line on stderr.

import { RUNTIMES } from "./_runtimes.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const ENTRY = "tests/fixtures/cluster_cli.ts";

/** A runtime name from `_runtimes.ts`: deno, bun, node20, node24. */
export type Runtime = string;

/** A running `lhttp serve` child. */
export interface CliNode {
  readonly runtime: Runtime;
  readonly url: string;
  /** Everything it wrote to stderr so far, by line. */
  readonly lines: string[];
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  /** SIGTERM, then wait for the exit and the end of its output. */
  stop(): Promise<void>;
}

/** Starts `lhttp serve --port 0 ...args` on `runtime` and waits for its address. */
export async function startCliNode(runtime: Runtime, args: string[]): Promise<CliNode> {
  const serve = ["serve", "--port", "0", "--host", "127.0.0.1", ...args];
  const found = RUNTIMES.find((candidate) => candidate.name === runtime);
  if (!found) throw new Error(`unknown runtime ${runtime}`);
  const [command, ...lead] = await found.command(ENTRY);
  const child = new Deno.Command(command, {
    args: [...lead, ...serve],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let announce!: (url: string) => void;
  const announced = new Promise<string>((resolve) => announce = resolve);
  const reading = (async () => {
    let rest = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      rest += chunk;
      const parts = rest.split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const match = line.match(/lhttp listening on (http:\/\/[^/ ]+)\//);
        if (match) announce(match[1]);
      }
    }
  })();
  const exited = child.status.then((status) => {
    announce("");
    return status;
  });
  const url = await announced;
  let done = false;
  const end = async (signal: Deno.Signal) => {
    if (!done) {
      done = true;
      try {
        child.kill(signal);
      } catch { /* already exited */ }
    }
    await exited;
    await reading;
  };
  if (!url) {
    await end("SIGKILL");
    throw new Error(`${runtime} node did not start:\n${lines.join("\n")}`);
  }
  return { runtime, url, lines, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") };
}
