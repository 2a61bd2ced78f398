/**
 * `pyfence mcp`: the MCP server over stdio, for one local client (an agent
 * or a desktop app that starts it). Its one caller needs no token; its
 * origin and policies come from the flags or `PYFENCE_ORIGIN` and
 * `PYFENCE_POLICIES`.
 *
 * @module
 */
import process from "node:process";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/server/stdio"
import { StdioServerTransport } from "npm:@modelcontextprotocol/sdk@1.32.2/server/stdio.js";
import { noPositionals, parse } from "./args.ts";
import { optionsFromEnv, SERVE_ENV } from "../serve/env.ts";
import { resolveSettings } from "../serve/options.ts";
import { Service } from "../serve/service.ts";
import { mcpServer } from "../serve/mcp.ts";
import { ExitCode } from "./exit_code.ts";

/** Run `pyfence mcp` with `args`; returns the exit code once the client has gone. */
export async function mcpCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    origin: { type: "string" },
    policy: { type: "string", multiple: true },
  });
  noPositionals(positionals);
  // Only the origin and policies are read: a stdio server has one caller,
  // the process that started it, and no token.
  const env = {
    get: (name: string) =>
      name === SERVE_ENV.origin || name === SERVE_ENV.policies ? Deno.env.get(name) : undefined,
  };
  const options = await optionsFromEnv({
    origin: values.origin as string | undefined,
    policies: values.policy as string[] | undefined,
  }, env);
  // One client runs one script at a time, mostly: one warm process is enough.
  const service = new Service(resolveSettings({ ...options, poolSize: 1 }, (at) => at));
  const server = await mcpServer(service, service.settings.callers[0]);
  const closed = new Promise<void>((resolve) => server.server.onclose = resolve);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  // Warmed while the client initialises; a run that comes first waits for it.
  service.warm().catch((err) => console.error(`pyfence mcp: warming up failed: ${err.message}`));
  const stop = () => void server.close();
  process.stdin.once("end", stop);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    if (Deno.build.os !== "windows" || signal === "SIGINT") Deno.addSignalListener(signal, stop);
  }
  await closed;
  await service.close();
  return ExitCode.Ok;
}
