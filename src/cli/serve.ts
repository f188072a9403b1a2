// `lhttp serve`: flags, environment variables, startup and graceful shutdown.

import process from "node:process";
import { createLogger } from "../telemetry/log.ts";
import { parseServeArgs, SERVE_HELP, type ServeConfig, UsageError } from "./_serve_config.ts";
import { serve } from "../adapters/serve.ts";
import { LhttpServer } from "../server/lhttp_server.ts";

/** Runs `lhttp serve` until SIGINT/SIGTERM; resolves to the exit code. */
export async function runServe(args: string[]): Promise<number> {
  let config: ServeConfig;
  try {
    config = parseServeArgs(args, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`lhttp serve: ${error.message}\n\n${SERVE_HELP}`);
    return 2;
  }
  if (config.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const { maxFrameBytes } = config;
  const logger = createLogger(config.logLevel);
  let bus;
  if (config.nats) {
    try {
      // Dynamic, so serving without --nats never loads NATS code.
      const { createCliBus } = await import("../nats/cli_bus.ts");
      const subjectPrefix = config.natsPrefix;
      bus = await createCliBus({ servers: config.nats, subjectPrefix, logger, maxFrameBytes });
    } catch (error) {
      process.stderr.write(`lhttp serve: --nats: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const server = new LhttpServer({
    bus,
    publishToken: config.publishToken,
    upstreamAllow: config.upstreamAllow,
    limits: maxFrameBytes === undefined ? undefined : { maxFrameBytes },
    allowedOrigins: config.allowOrigins,
    rateLimit: config.rateLimit
      ? { framesPerSecond: config.rateLimit, burst: 2 * config.rateLimit, closeAfter: 100 }
      : undefined,
    maxBufferedBytes: config.maxBufferedBytes,
    slowConsumer: config.slowConsumer,
    logger,
  });
  const hostname = config.host;
  const running = await serve(server, {
    port: config.port,
    hostname,
    static: config.static,
    idleTimeout: config.idleTimeout,
  });
  const shown = hostname === "0.0.0.0" ? "localhost" : hostname;
  process.stderr.write(
    `lhttp listening on http://${shown}:${running.port}/ (WebSocket ws://${shown}:${running.port}/)\n`,
  );
  if (bus) {
    process.stderr.write(`lhttp cluster bus: NATS ${config.nats} (state ${bus.state})\n`);
  }
  if (!config.publishToken && !isLoopback(hostname)) {
    logger.log(
      "warn",
      "POST /publish is open to anyone who can reach this port; set --publish-token",
      {
        host: hostname,
      },
    );
  }
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const stop = (signal: string) => {
    logger.log("info", "shutting down", { signal, connections: server.connections.size });
    // Clients get 1001 at once; a hung drain must not keep the process alive.
    deadline = setTimeout(() => process.exit(0), config.drainTimeout * 1000);
    void running.shutdown();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await running.finished;
  clearTimeout(deadline);
  process.stderr.write("lhttp stopped\n");
  return 0;
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.startsWith("127.") || hostname === "::1";
}
