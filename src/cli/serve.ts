// `lhttp serve`: flags, environment variables, startup and graceful shutdown.

import { stat } from "node:fs/promises";
import process from "node:process";
import { createLogger } from "../telemetry/log.ts";
import { missingPeer } from "./_missing.ts";
import { SERVE_HELP, serverOptionsOf } from "./_serve_config.ts";
import { ConfigError, resolveConfig, type ResolvedConfig } from "./_config_resolve.ts";
import { serve } from "../adapters/serve.ts";
import { LhttpServer } from "../server/lhttp_server.ts";
import type { ServerOptions } from "../server/options.ts";
import { VERSION } from "./_version.ts";

/** Runs `lhttp serve` until SIGINT/SIGTERM; resolves to the exit code. */
export async function runServe(args: string[]): Promise<number> {
  let resolved: ResolvedConfig;
  try {
    resolved = await resolveConfig(args, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return usage(error.message);
  }
  if (resolved.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const config = resolved.values as Required<typeof resolved.values>;
  if (config.static !== undefined) {
    const problem = await folderProblem(config.static);
    if (problem) return usage(`--static ${JSON.stringify(config.static)}: ${problem}`);
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
      const missing = missingPeer(error);
      if (missing) {
        return fail(
          `--nats needs the NATS client, which is not installed: run npm install ${NATS_PACKAGES} (${missing})`,
          2,
        );
      }
      return fail(`--nats: ${(error as Error).message}`, 2);
    }
  }
  let adminLink: { close(): Promise<void> } | undefined;
  let admin: ServerOptions["admin"];
  if (config.adminToken) {
    let cluster;
    if (config.nats) {
      const { NatsAdminCluster } = await import("./_admin_nats.ts");
      adminLink = cluster = new NatsAdminCluster(config.nats, config.natsPrefix, logger);
    }
    admin = { token: config.adminToken, version: VERSION, cluster };
  }
  const server = new LhttpServer({ ...serverOptionsOf(config), bus, logger, admin });
  let sseRelay: { close(): Promise<void> } | undefined;
  if (config.nats) {
    // POSTs for SSE sessions held by another node reach it over NATS: no sticky sessions.
    const { createCliSseRelay } = await import("./_sse_relay.ts");
    const { useSseRelay } = await import("../http/sse_relay.ts");
    const made = await createCliSseRelay({
      servers: config.nats,
      prefix: config.natsPrefix,
      logger,
    });
    useSseRelay(server, made.relay);
    sseRelay = made;
  }
  const hostname = config.host;
  let running;
  try {
    running = await serve(server, {
      port: config.port,
      hostname,
      static: config.static,
      idleTimeout: Math.ceil(config.idleTimeout / 1000),
    });
  } catch (error) {
    await bus?.close().catch(() => {});
    await adminLink?.close().catch(() => {});
    await sseRelay?.close().catch(() => {});
    return fail(listenProblem(error, hostname, config.port));
  }
  // Before the listening line, which tells a supervisor (and the tests) startup is over.
  if (!config.publishToken && config.publishOpen) {
    logger.log(
      "warn",
      "POST /publish is open to anyone who can reach this port (--publish-open without --publish-token)",
      { host: hostname },
    );
  } else if (!config.publishToken && !isLoopback(hostname)) {
    logger.log(
      "info",
      "POST /publish answers loopback callers only; set --publish-token (or --publish-open)",
      { host: hostname },
    );
  }
  const shown = hostname === "0.0.0.0" ? "localhost" : hostname;
  process.stderr.write(
    `lhttp listening on http://${shown}:${running.port}/ (WebSocket ws://${shown}:${running.port}/)\n`,
  );
  if (bus) {
    process.stderr.write(`lhttp cluster bus: NATS ${config.nats} (state ${bus.state})\n`);
  }
  if (admin) process.stderr.write(`lhttp admin page: http://${shown}:${running.port}/admin\n`);
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const stop = (signal: string) => {
    logger.log("info", "shutting down", { signal, connections: server.connections.size });
    // Clients get 1001 at once; a hung drain must not keep the process alive.
    deadline = setTimeout(() => process.exit(0), config.drainTimeout);
    void running.shutdown();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await running.finished;
  await adminLink?.close().catch(() => {});
  await sseRelay?.close().catch(() => {});
  clearTimeout(deadline);
  process.stderr.write("lhttp stopped\n");
  return 0;
}

// The optional peer dependencies `--nats` loads (npm).
const NATS_PACKAGES = "@nats-io/nats-core @nats-io/transport-node";

/** One line on stderr; the exit code. */
function fail(text: string, code = 1): number {
  process.stderr.write(`lhttp serve: ${text}\n`);
  return code;
}

function usage(text: string): number {
  return fail(`${text} (lhttp serve --help lists the options)`, 2);
}

async function folderProblem(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).isDirectory() ? undefined : "is not a directory";
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === "ENOENT" ? "no such directory" : `cannot be read (${code ?? error})`;
  }
}

/** Why the server could not listen, as one sentence (adapters throw runtime-specific errors). */
export function listenProblem(error: unknown, hostname: string, port: number): string {
  const missing = missingPeer(error);
  if (missing) return missing;
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  const text = `${code ?? ""} ${name ?? ""} ${message ?? ""}`;
  const where = `cannot listen on ${hostname}:${port}`;
  if (/EADDRINUSE|AddrInUse|in use/i.test(text)) {
    return `${where}: the port is in use (stop the other server, or pick another --port)`;
  }
  if (/EACCES|PermissionDenied|permission/i.test(text)) {
    return `${where}: permission denied (ports below 1024 need privileges; pick another --port)`;
  }
  if (/EADDRNOTAVAIL|AddrNotAvailable|ENOTFOUND|EAI_|not available|resolve|lookup/i.test(text)) {
    return `${where}: no such local address (check --host)`;
  }
  return `${where}: ${message ?? error}`;
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.startsWith("127.") || hostname === "::1";
}
