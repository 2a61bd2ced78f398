/**
 * `createHandler()`: the HTTP API and the MCP endpoint as one fetch handler,
 * for `Deno.serve`, `deno serve`, Deno Deploy or any framework that takes
 * `(request) => Promise<Response>`.
 *
 * @module
 */
import { createApp } from "./app.ts";
import { type HandlerOptions, resolveSettings } from "./options.ts";
import { Service } from "./service.ts";

/** What {@link createHandler} returns: a fetch handler that can warm up and drain. */
export interface PyfenceHandler {
  /** Answer one HTTP request. Never rejects: every failure is a JSON error response. */
  (request: Request): Promise<Response>;
  /** Whether callers must send a token (`false`: one anonymous caller, loopback only). */
  readonly requiresToken: boolean;
  /**
   * Load every policy, build its snapshot, and start the first caller's
   * sandbox processes, so that the first requests pay no start-up.
   *
   * @throws {PolicyError} a configured policy is invalid.
   * @throws {SandboxError} a snapshot or a process could not be built.
   */
  warm(): Promise<void>;
  /**
   * Drain: new runs and runs still waiting for their turn are answered 503
   * (`shutting_down`), runs in progress may finish within `graceMs` (default
   * 30 s), then every sandbox process ends. `GET /healthz` answers 503 from
   * the start, so a load balancer stops sending requests.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * A fetch handler serving the HTTP API (`POST /v1/run`, `POST /v1/check`,
 * `GET /v1/policies`, `GET /v1/openapi.json`, `GET /healthz`) and MCP
 * (`POST /mcp`). Each caller is known by its bearer token and runs scripts
 * with the origin, policies and quotas its entry gives; a request never
 * chooses its origin. Without callers, one anonymous caller with origin
 * `null` is served, on loopback only.
 *
 * @throws {UsageError} an invalid option, naming its key path
 * (`createHandler() options.callers[0].token`).
 *
 * @example
 * ```ts
 * import { createHandler } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 *
 * const handler = createHandler({
 *   callers: [{ token: "a-token-of-16-chars-or-more", origin: "https://a.example" }],
 * });
 * try {
 *   const response = await handler(
 *     new Request("http://localhost/v1/run", {
 *       method: "POST",
 *       headers: {
 *         authorization: "Bearer a-token-of-16-chars-or-more",
 *         "content-type": "application/json",
 *       },
 *       body: JSON.stringify({ code: "print(6 * 7)" }),
 *     }),
 *   );
 *   assert.equal(response.status, 200);
 *   assert.equal((await response.json()).stdout, "42\n");
 *
 *   const anonymous = await handler(new Request("http://localhost/v1/policies"));
 *   assert.equal(anonymous.status, 401);
 *   assert.equal((await anonymous.json()).error.code, "unauthorized");
 * } finally {
 *   await handler.close();
 * }
 * ```
 */
export function createHandler(options: HandlerOptions = {}): PyfenceHandler {
  const settings = resolveSettings(
    options,
    (at) => `createHandler() options${at ? `.${at}` : ""}`,
  );
  const service = new Service(settings);
  const app = createApp(service);
  const handler = (request: Request) => Promise.resolve(app.fetch(request));
  return Object.assign(handler, {
    requiresToken: settings.callers[0].digest !== undefined,
    warm: () => service.warm(),
    close: (graceMs?: number) => service.close(graceMs),
  });
}
