/**
 * `pyfence serve`: the HTTP API and MCP endpoint on `Deno.serve`, drained
 * on SIGTERM or SIGINT.
 *
 * @module
 */
import { noPositionals, parse } from "./args.ts";
import { UsageError } from "../errors.ts";
import { createHandler, type PyfenceHandler } from "../serve/handler.ts";
import { optionsFromEnv } from "../serve/env.ts";
import { isLoopback } from "../serve/loopback.ts";
import { ExitCode } from "./exit_code.ts";
import { eprintln } from "./output.ts";
import { withProgress } from "./progress.ts";

/** Run `pyfence serve` with `args`; returns the exit code once it has drained. */
export async function serveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    port: { type: "string" },
    hostname: { type: "string" },
    origin: { type: "string" },
    policy: { type: "string", multiple: true },
    config: { type: "string" },
  });
  noPositionals(positionals);
  const port = portOf(values.port);
  const hostname = (values.hostname as string | undefined) ?? "127.0.0.1";
  const handler = createHandler(
    await optionsFromEnv({
      config: values.config as string | undefined,
      origin: values.origin as string | undefined,
      policies: values.policy as string[] | undefined,
    }),
  );
  if (!handler.requiresToken && !isLoopback(hostname)) {
    throw new UsageError(
      "--hostname",
      `no token is configured, so the server listens only on loopback, not on ${hostname}; ` +
        "set PYFENCE_TOKEN, or give --config with tokens",
    );
  }
  // Listening first: a port in use is reported before seconds of warming up.
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ port, hostname, onListen: () => {} }, handler);
  } catch (err) {
    await handler.close(0);
    if (err instanceof Deno.errors.AddrInUse) {
      throw new UsageError("--port", `${hostname}:${port} is in use`);
    }
    if (
      err instanceof Deno.errors.AddrNotAvailable || err instanceof Deno.errors.PermissionDenied
    ) {
      throw new UsageError("--hostname", `cannot listen on ${hostname}:${port}: ${err.message}`);
    }
    throw err;
  }
  try {
    await withProgress("preparing the sandboxes (snapshots are built once)", handler.warm(), true);
  } catch (err) {
    await Promise.all([handler.close(0), server.shutdown()]);
    throw err;
  }
  listening(server.addr, handler);
  await drainOnSignal(async () => {
    eprintln("pyfence serve: draining (runs in progress finish; a second signal stops at once)");
    await Promise.all([handler.close(), server.shutdown()]);
  });
  await server.finished;
  eprintln("pyfence serve: stopped");
  return ExitCode.Ok;
}

function listening(addr: Deno.NetAddr, handler: PyfenceHandler): void {
  const shown = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const auth = handler.requiresToken ? "bearer tokens" : "no token, loopback only";
  eprintln(
    `pyfence serve: listening on http://${shown}:${addr.port}/ (API under /v1, MCP at /mcp; ${auth})`,
  );
}

function portOf(value: unknown): number {
  if (value === undefined) return 8000;
  const text = String(value);
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError("--port", `must be a port number from 0 to 65535, got '${text}'`);
  }
  return Number(text);
}

/**
 * Resolve once `drain` has run after the first SIGTERM or SIGINT; a second
 * signal exits at once.
 */
function drainOnSignal(drain: () => Promise<void>): Promise<void> {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGTERM", "SIGINT"];
  return new Promise((resolve, reject) => {
    let draining = false;
    const onSignal = () => {
      if (draining) Deno.exit(ExitCode.ScriptError);
      draining = true;
      drain().then(resolve, reject);
    };
    for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  });
}
