// `lhttp serve`: flags, environment variables, startup and graceful shutdown.

import process from "node:process";
import { parseArgs } from "node:util";
import { createLogger, isLogLevel } from "../log.ts";
import { serve } from "../serve.ts";
import { LhttpServer } from "../server.ts";

const HELP = `Usage: lhttp serve [options]

Options (environment variable in brackets):
  --port N                 Port to listen on, default 8081            [LHTTP_PORT]
  --host ADDR              Interface to bind, default 0.0.0.0          [LHTTP_HOST]
  --static DIR             Serve a folder at /                          [LHTTP_STATIC]
  --publish-token TOKEN    Require "Authorization: Bearer TOKEN" on POST /publish
                                                                        [LHTTP_PUBLISH_TOKEN]
  --upstream-allow PREFIX  Allow upstream requests to URLs starting with PREFIX;
                           repeatable (comma-separated in the variable) [LHTTP_UPSTREAM_ALLOW]
  --max-frame-bytes N      Largest frame, default 1048576               [LHTTP_MAX_FRAME_BYTES]
  --allow-origin ORIGIN    Allow browser upgrades from ORIGIN ("*" any); repeatable;
                           same-origin only by default                  [LHTTP_ALLOW_ORIGIN]
  --log-level LEVEL        debug, info, warn (default), error, silent   [LHTTP_LOG_LEVEL]
  --nats URL[,URL...]      Join a cluster over NATS (nats:// or ws://)  [LHTTP_NATS]
  --nats-prefix PREFIX     NATS subject prefix, default lhttp           [LHTTP_NATS_PREFIX]
  -h, --help               Show this help
`;

/** Runs `lhttp serve` until SIGINT/SIGTERM; resolves to the exit code. */
export async function runServe(args: string[]): Promise<number> {
  const env = process.env;
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: "string", default: env.LHTTP_PORT ?? "8081" },
        host: { type: "string", default: env.LHTTP_HOST ?? "0.0.0.0" },
        static: { type: "string", default: env.LHTTP_STATIC },
        "publish-token": { type: "string", default: env.LHTTP_PUBLISH_TOKEN },
        "upstream-allow": {
          type: "string",
          multiple: true,
          default: list(env.LHTTP_UPSTREAM_ALLOW),
        },
        "max-frame-bytes": { type: "string", default: env.LHTTP_MAX_FRAME_BYTES },
        "allow-origin": { type: "string", multiple: true, default: list(env.LHTTP_ALLOW_ORIGIN) },
        "log-level": { type: "string", default: env.LHTTP_LOG_LEVEL ?? "warn" },
        nats: { type: "string", default: env.LHTTP_NATS },
        "nats-prefix": { type: "string", default: env.LHTTP_NATS_PREFIX },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`lhttp serve: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = integer(values.port, "--port");
  const frameFlag = values["max-frame-bytes"];
  const maxFrameBytes = frameFlag === undefined
    ? undefined
    : integer(frameFlag, "--max-frame-bytes");
  const level = values["log-level"];
  if (!isLogLevel(level)) {
    process.stderr.write(`lhttp serve: --log-level ${JSON.stringify(level)} is not a level\n`);
    return 2;
  }
  if (port === undefined || (frameFlag !== undefined && maxFrameBytes === undefined)) return 2;
  const logger = createLogger(level);
  const allowOrigins = values["allow-origin"];
  let bus;
  if (values.nats) {
    try {
      // Dynamic, so serving without --nats never loads NATS code.
      const { createCliBus } = await import("../nats/cli_bus.ts");
      const subjectPrefix = values["nats-prefix"];
      bus = await createCliBus({ servers: values.nats, subjectPrefix, logger, maxFrameBytes });
    } catch (error) {
      process.stderr.write(`lhttp serve: --nats: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const server = new LhttpServer({
    bus,
    publishToken: values["publish-token"],
    upstreamAllow: values["upstream-allow"],
    limits: maxFrameBytes === undefined ? undefined : { maxFrameBytes },
    allowedOrigins: allowOrigins.length > 0 ? allowOrigins : undefined,
    logger,
  });
  const hostname = values.host;
  const running = await serve(server, { port, hostname, static: values.static });
  const shown = hostname === "0.0.0.0" ? "localhost" : hostname;
  process.stderr.write(
    `lhttp listening on http://${shown}:${running.port}/ (WebSocket ws://${shown}:${running.port}/)\n`,
  );
  if (bus) {
    process.stderr.write(`lhttp cluster bus: NATS ${values.nats} (state ${bus.state})\n`);
  }
  if (!values["publish-token"] && !isLoopback(hostname)) {
    logger.log(
      "warn",
      "POST /publish is open to anyone who can reach this port; set --publish-token",
      {
        host: hostname,
      },
    );
  }
  const stop = () => void running.shutdown();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await running.finished;
  process.stderr.write("lhttp stopped\n");
  return 0;
}

function list(value: string | undefined): string[] {
  return value ? value.split(",").map((item) => item.trim()).filter(Boolean) : [];
}

function integer(value: string, flag: string): number | undefined {
  const number = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(number) || number < 0) {
    process.stderr.write(
      `lhttp serve: ${flag} needs a whole number, got ${JSON.stringify(value)}\n`,
    );
    return undefined;
  }
  return number;
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.startsWith("127.") || hostname === "::1";
}
