// `lhttp serve` nodes of a cluster test, on Deno, Bun or Node (see `_serve_child.ts`).

import { startServe } from "./serve_child.ts";

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
  const child = await startServe(runtime, args);
  return {
    runtime,
    url: child.url,
    get lines() {
      return child.lines();
    },
    kill: async () => void await child.stop("SIGKILL"),
    stop: async () => void await child.stop("SIGTERM"),
  };
}
