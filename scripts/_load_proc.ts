// Child processes of `scripts/load.ts`: spawn, wait for a line on stdout,
// sample RSS from /proc, stop with a bounded wait.

/** A running child. */
export interface Proc {
  pid: number;
  /** The match of the readiness line. */
  match: RegExpMatchArray;
  /** Ends it (stdin closed or SIGTERM, SIGKILL after 15 s) and waits for its exit. */
  stop(): Promise<void>;
}

/** Spawns `command + args` and resolves once stdout matches `ready` (60 s at most). */
export async function spawnProc(
  command: string[],
  args: string[],
  ready: RegExp,
  stdinStops = false,
): Promise<Proc> {
  const [program, ...lead] = command;
  const child = new Deno.Command(program, {
    args: [...lead, ...args],
    cwd: new URL("../", import.meta.url).pathname,
    stdin: stdinStops ? "piped" : "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let out = "";
  let found!: (match: RegExpMatchArray) => void;
  const matched = new Promise<RegExpMatchArray>((resolve) => found = resolve);
  const pump = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      out += chunk;
      const match = out.match(ready);
      if (match) found(match);
    }
  })();
  const stop = async () => {
    if (stdinStops) await child.stdin.close().catch(() => {});
    else child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await child.status;
    clearTimeout(timer);
    await pump;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${program} not ready in 60 s:\n${out}`)), 60_000);
  });
  try {
    const match = await Promise.race([
      matched,
      timeout,
      child.status.then(() => {
        throw new Error(`${program} exited early:\n${out}`);
      }),
    ]);
    return { pid: child.pid, match, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** `VmRSS` or `VmHWM` (peak) of `pid` in MB, from /proc (Linux). */
export function rss(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}
