// The built-in steps of frame processing, written as middleware:
// multipart split → processor → subscribe → publish → unsubscribe → upstream.

import { splitMultipart } from "../codec/multipart.ts";
import { LhttpError } from "../codec/errors.ts";
import type { Limits } from "../codec/limits.ts";
import type { Middleware, Processor } from "./middleware.ts";
import type { Context } from "./context.ts";

/** Splits multipart bodies into `ctx.parts`. */
export function multipartStep(limits: Limits): Middleware {
  return (ctx, next) => {
    if (ctx.request.headers.has("multipart")) ctx.parts = splitMultipart(ctx.request, limits);
    return next();
  };
}

/** Runs the processor registered for the frame's command. */
export function processorStep(processors: Map<string, Processor>): Middleware {
  return (ctx, next) => {
    const processor = processors.get(ctx.command);
    if (!processor) return next();
    const commands = ctx.connection.commands;
    const first = !commands.has(ctx.command);
    commands.add(ctx.command);
    const opened = first ? processor.onOpen?.(ctx) : undefined;
    const handled = opened instanceof Promise
      ? opened.then(() => processor.onMessage?.(ctx))
      : processor.onMessage?.(ctx);
    return handled instanceof Promise ? handled.then(next) : next();
  };
}

/** What the pub/sub step needs from the server. */
export interface PubSubHost {
  authorize(
    ctx: Context,
    action: "subscribe" | "publish",
    channels: string[],
  ): void | Promise<void>;
  channels(value: string): string[];
  subscribe(ctx: Context, channels: string[]): void;
  publish(ctx: Context, channels: string[]): void;
  unsubscribe(ctx: Context, channels: string[]): void;
}

/** Applies the reply's `subscribe`, `publish` and `unsubscribe` headers, in that order. */
export function pubSubStep(host: PubSubHost): Middleware {
  return (ctx, next) => {
    const headers = ctx.reply.headers;
    const subscribe = headers.get("subscribe");
    const publish = headers.get("publish");
    const unsubscribe = headers.get("unsubscribe");
    if (subscribe === undefined && publish === undefined && unsubscribe === undefined) {
      return next();
    }
    // Every list is validated and authorized before anything changes.
    const toSubscribe = subscribe === undefined ? [] : host.channels(subscribe);
    const toPublish = publish === undefined ? [] : host.channels(publish);
    const toUnsubscribe = unsubscribe === undefined ? [] : host.channels(unsubscribe);
    const apply = () => {
      if (toSubscribe.length) host.subscribe(ctx, toSubscribe);
      if (toPublish.length) host.publish(ctx, toPublish);
      if (toUnsubscribe.length) host.unsubscribe(ctx, toUnsubscribe);
      return next();
    };
    const allowed = [
      toSubscribe.length ? host.authorize(ctx, "subscribe", toSubscribe) : undefined,
      toPublish.length ? host.authorize(ctx, "publish", toPublish) : undefined,
    ].filter((result) => result instanceof Promise);
    return allowed.length ? Promise.all(allowed).then(apply) : apply();
  };
}

/** Starts the upstream request named by the reply's `upstream` header, without waiting for it. */
export function upstreamStep(start: (ctx: Context, value: string) => void): Middleware {
  return (ctx, next) => {
    const value = ctx.reply.headers.get("upstream");
    if (value !== undefined) start(ctx, value);
    return next();
  };
}

/** Refusal used by authorization. */
export function forbidden(action: string, channels: string[]): LhttpError {
  return new LhttpError(
    "forbidden",
    `Not allowed to ${action} ${JSON.stringify(channels.join(" "))}`,
  );
}
