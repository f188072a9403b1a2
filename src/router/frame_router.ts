/**
 * What happens to one frame a connection read: parse, then the context, then
 * the pipeline, then the acknowledgement or the error frame.
 *
 * @module
 */

import { CloseCode } from "../codec/close_code.ts";
import { LhttpError } from "../codec/errors.ts";
import type { Frame, FrameData } from "../codec/frame.ts";
import type { Limits } from "../codec/limits.ts";
import { parseFrame, salvageAck } from "../codec/parse.ts";
import type { Connection } from "../connection/connection.ts";
import type { FrameHandler } from "../connection/inbox.ts";
import { Context } from "./context.ts";
import type { Pipeline } from "./pipeline.ts";
import type { PubSub } from "./pubsub.ts";
import type { Replies } from "./replies.ts";
import type { VerbatimPublish } from "./verbatim_publish.ts";

/** What a {@linkcode FrameRouter} is built from. */
export interface FrameRouterOptions {
  /** Parse limits. */
  limits: Limits;
  /** The steps each frame goes through. */
  pipeline: Pipeline;
  /** What contexts publish and subscribe through. */
  pubsub: PubSub;
  /** Acknowledgements and error frames. */
  replies: Replies;
  /** Plain publishes sent on as they came, where nothing could differ; off when absent. */
  verbatim?: VerbatimPublish;
}

/** Routes the frames of every connection of a server. */
export class FrameRouter implements FrameHandler {
  /** A router over the given parts. */
  constructor(readonly options: FrameRouterOptions) {}

  /** Handles one frame; a promise while an async step runs. */
  handle(connection: Connection, data: FrameData): Promise<void> | undefined {
    if (this.options.verbatim?.publish(data)) return;
    const { replies } = this.options;
    let frame: Frame;
    try {
      frame = parseFrame(data, this.options.limits);
    } catch (error) {
      if (error instanceof LhttpError && error.code === "frame_too_large") {
        connection.close(CloseCode.tooBig, "frame too large");
      } else {
        replies.error(
          connection,
          "error",
          salvageAck(data, this.options.limits.maxHeaderBytes),
          error,
        );
      }
      return;
    }
    const ack = frame.headers.get("ack");
    if (ack === "") {
      replies.error(
        connection,
        frame.command,
        undefined,
        new LhttpError("bad_header", 'The "ack" header needs a token'),
      );
      return;
    }
    const ctx = new Context(connection, frame, this.options.pubsub);
    try {
      const result = this.options.pipeline.run(ctx);
      if (result instanceof Promise) {
        return result.then(() => this.#acknowledge(ctx), (error) => this.#fail(ctx, error));
      }
      this.#acknowledge(ctx);
    } catch (error) {
      this.#fail(ctx, error);
    }
    return undefined;
  }

  /** Answers a frame refused before parsing, with its `ack` when it can be read. */
  refuse(connection: Connection, data: FrameData, error: LhttpError): void {
    const ack = salvageAck(data, this.options.limits.maxHeaderBytes);
    this.options.replies.error(connection, "error", ack, error);
  }

  #acknowledge(ctx: Context): void {
    const ack = ctx.request.headers.get("ack");
    if (ack !== undefined) this.options.replies.ack(ctx.connection, ctx.reply.command, ack);
  }

  #fail(ctx: Context, error: unknown): void {
    const ack = ctx.request.headers.get("ack");
    this.options.replies.error(ctx.connection, ctx.request.command, ack, error);
  }
}
