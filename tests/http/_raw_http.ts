// A raw HTTP/1.1 client for tests: requests written as bytes, answers read
// one after another on one keep-alive connection, and whether the server closed it.

/** One parsed answer. */
export interface Answer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

// One HTTP/1.1 exchange after another on one keep-alive connection.
export class RawHttp {
  #buffer = new Uint8Array(0);
  private constructor(readonly conn: Deno.TcpConn, readonly host: string) {}

  static async open(url: string): Promise<RawHttp> {
    const { hostname, port } = new URL(url);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    conn.setNoDelay(true);
    return new RawHttp(conn, `${hostname}:${port}`);
  }

  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    for (let sent = 0; sent < bytes.length;) sent += await this.conn.write(bytes.subarray(sent));
  }

  /** Sends a POST with `body` (text as UTF-8, or bytes as they are) and its content-length. */
  async post(
    path: string,
    body: string | Uint8Array,
    headers: Record<string, string> = {},
  ): Promise<void> {
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const lines = Object.entries({ "content-length": String(bytes.length), ...headers })
      .map(([name, value]) => `${name}: ${value}\r\n`).join("");
    const head = new TextEncoder().encode(
      `POST ${path} HTTP/1.1\r\nHost: ${this.host}\r\n${lines}\r\n`,
    );
    const request = new Uint8Array(head.length + bytes.length);
    request.set(head);
    request.set(bytes, head.length);
    await this.write(request);
  }

  async answer(): Promise<Answer> {
    for (;;) {
      const text = new TextDecoder().decode(this.#buffer);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        const [start, ...lines] = text.slice(0, end).split("\r\n");
        const headers = new Map(lines.map((line) => {
          const at = line.indexOf(":");
          return [line.slice(0, at).toLowerCase(), line.slice(at + 1).trim()] as [string, string];
        }));
        const length = Number(headers.get("content-length") ?? 0);
        if (this.#buffer.length >= end + 4 + length) {
          const body = text.slice(end + 4, end + 4 + length);
          this.#buffer = this.#buffer.slice(end + 4 + length);
          return { status: Number(start.split(" ")[1]), headers, body };
        }
      }
      const chunk = new Uint8Array(16 * 1024);
      const read = await this.conn.read(chunk);
      if (read === null) throw new Error(`connection closed; got ${JSON.stringify(text)}`);
      const grown = new Uint8Array(this.#buffer.length + read);
      grown.set(this.#buffer);
      grown.set(chunk.subarray(0, read), this.#buffer.length);
      this.#buffer = grown;
    }
  }

  // Resolves to true once the server closed the connection.
  async closed(): Promise<boolean> {
    try {
      return await this.conn.read(new Uint8Array(1024)) === null;
    } catch {
      return true;
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}
