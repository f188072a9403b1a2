// Core pinning for the benches: the server on CPU 0, the load generator on
// CPU 1, so neither steals the other's core (taskset when present; a no-op
// without it, and the benches say so).

/** Whether `taskset` works here. */
export const TASKSET: boolean = await (async () => {
  try {
    const { code } = await new Deno.Command("taskset", { args: ["-V"], stdout: "null" }).output();
    return code === 0;
  } catch {
    return false;
  }
})();

/**
 * Pins a running process and all its threads to one core.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pin } from "./cores.ts";
 * assert.equal(await pin(Deno.pid, 0, false), undefined);
 * ```
 */
export async function pin(pid: number, cpu: number, enabled = TASKSET): Promise<void> {
  if (!enabled) return;
  await new Deno.Command("taskset", {
    args: ["-a", "-p", "-c", String(cpu), String(pid)],
    stdout: "null",
  }).output();
}

/**
 * `command` prefixed so that it starts on core `cpu`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onCore } from "./cores.ts";
 * assert.deepEqual(onCore(["x"], 1, true), ["taskset", "-c", "1", "x"]);
 * assert.deepEqual(onCore(["x"], 1, false), ["x"]);
 * ```
 */
export function onCore(command: string[], cpu: number, enabled = TASKSET): string[] {
  return enabled ? ["taskset", "-c", String(cpu), ...command] : command;
}

/**
 * CPU seconds a process used so far, all its threads: the nanosecond run times
 * of /proc/PID/task/TID/schedstat (the tick counts of /proc/PID/stat, at 10 ms,
 * are too coarse for a run of a tenth of a second), else utime + stime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuSeconds } from "./cores.ts";
 * assert.ok(await cpuSeconds(Deno.pid) > 0);
 * ```
 */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    let nanoseconds = 0;
    for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
      const text = await Deno.readTextFile(`/proc/${pid}/task/${task.name}/schedstat`)
        .catch(() => "0"); // a thread that just ended
      nanoseconds += Number(text.split(" ")[0]);
    }
    if (nanoseconds > 0) return nanoseconds / 1e9;
  } catch {
    // No schedstat here: fall back to ticks.
  }
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // Fields after the parenthesised name, which may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}
