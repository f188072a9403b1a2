// Optional packages the CLI loads only when a command needs them (npm:
// optional peer dependencies): their absence becomes one sentence.

/**
 * The sentence of a missing optional package (the npm build's
 * `MissingPeerError`, or a bare module-not-found), else undefined.
 */
export function missingPeer(error: unknown): string | undefined {
  const { code, name, message = "" } = (error ?? {}) as {
    code?: string;
    name?: string;
    message?: string;
  };
  if (name === "MissingPeerError") return message;
  if (code !== "ERR_MODULE_NOT_FOUND" && !/Cannot find (package|module)/.test(message)) {
    return undefined;
  }
  const found = message.match(/(?:package|module) ['"]((?:@[^/'"]+\/)?[^/'"]+)/);
  if (!found || found[1].startsWith(".")) return undefined;
  return `this needs the package ${found[1]}, which is not installed: run npm install ${found[1]}`;
}
