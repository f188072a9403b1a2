// `lhttp args` as a real Deno process, with its own environment and working folder.

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

/** What a finished `lhttp` process printed and returned. */
export interface LhttpRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lhttp args` to its end. */
export async function lhttp(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<LhttpRun> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    clearEnv: true,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** Writes `text` to a new file in a temporary folder; returns its path. */
export async function tempFile(name: string, text: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lhttp-config-" });
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, text);
  return path;
}

/** `MAIN`, for spawnServe. */
export const LHTTP_MAIN: string = MAIN;
