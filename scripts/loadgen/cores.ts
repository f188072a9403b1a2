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
 * CPU seconds (user + system) a process used so far, from /proc/PID/stat.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuSeconds } from "./cores.ts";
 * assert.ok(await cpuSeconds(Deno.pid) > 0);
 * ```
 */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // Fields after the parenthesised name, which may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return (utime + stime) / 100; // USER_HZ is 100 on Linux
}
