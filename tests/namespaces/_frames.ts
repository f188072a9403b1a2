// Raw frames for the namespace tests.

/** An LHTTP frame with `headers` and `body`. */
export const frame = (command: string, headers: Record<string, string> = {}, body = "") =>
  `LHTTP/1.0 ${command}\r\n${
    Object.entries(headers).map(([k, v]) => `${k}:${v}\r\n`).join("")
  }\r\n${body}`;
