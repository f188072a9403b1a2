// The frames a server answers with: acknowledgements, error frames, upstream answers.

import type { FrameData } from "../codec/frame.ts";
import { LhttpError } from "../codec/errors.ts";
import type { Connection } from "../connection/connection.ts";
import type { Logger } from "../telemetry/log.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import type { Frame } from "../codec/frame.ts";
import type { UpstreamAnswer } from "./upstream.ts";
import { strictDecoder } from "../codec/_utf8.ts";

/** `status:200` for a frame that asked for an acknowledgement. */
export function ackFrame(command: string, ack: string): Frame {
  return { command, headers: new Map([["ack", ack], ["status", "200"]]), body: "" };
}

/** The status frame of a refused or failed frame (PROTOCOL.md section 7). */
export function errorFrame(command: string, ack: string | undefined, error: LhttpError): Frame {
  const headers = new Map([
    ["status", String(error.status)],
    ["code", error.code],
    ["reason", error.message.replace(/[\r\n]+/g, " ")],
  ]);
  if (ack !== undefined) headers.set("ack", ack);
  return { command, headers, body: "" };
}

/** An upstream answer relayed to its sender: text when the body is UTF-8, else binary. */
export function upstreamFrame(
  command: string,
  ack: string | undefined,
  answer: UpstreamAnswer,
): Frame {
  const headers = new Map([["upstream-status", String(answer.status)]]);
  if (ack !== undefined) headers.set("ack", ack);
  return { command, headers, body: decodeOrBytes(answer.body) };
}

function decodeOrBytes(body: Uint8Array): FrameData {
  try {
    return strictDecoder.decode(body);
  } catch {
    return body;
  }
}

/** Sends acknowledgements and error frames, counting and logging them. */
export class Replies {
  /** Replies through the server's counters and logger. */
  constructor(readonly metrics: Metrics, readonly logger: Logger) {}

  /** The acknowledgement of a served frame. */
  ack(connection: Connection, command: string, ack: string): void {
    connection.send(ackFrame(command, ack));
  }

  /** The error frame of a refused or failed frame; unknown errors become `internal`. */
  error(connection: Connection, command: string, ack: string | undefined, error: unknown): void {
    const known = error instanceof LhttpError
      ? error
      : new LhttpError("internal", "The server failed to process the frame");
    if (known !== error) this.failure(error);
    this.metrics.count(this.metrics.errors, known.code);
    if (this.logger.enabled("debug")) {
      this.logger.log("debug", "error frame", { connection: connection.id, code: known.code });
    }
    connection.send(errorFrame(command, ack, known));
  }

  /** Logs a processor's or hook's failure. */
  failure(error: unknown): void {
    this.logger.log("error", "processor failed", {
      error: error instanceof Error ? error.stack ?? error.message : String(error),
    });
  }
}
