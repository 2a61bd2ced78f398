/**
 * The HTTP API's routes, on Hono with zod-openapi: each route's schema
 * validates the request and writes the OpenAPI document at
 * `GET /v1/openapi.json`. Who calls is settled (and the body size bounded,
 * while it is read) before any route reads a body; every error leaves as
 * `{ "error": { "code", "message" } }`.
 *
 * @module
 */
import { createRoute, OpenAPIHono } from "npm:@hono/zod-openapi@1.6.3";
import { bodyLimit } from "npm:hono@4.13.23/body-limit";
import { HTTPException } from "npm:hono@4.13.23/http-exception";
import type { MiddlewareHandler } from "npm:hono@4.13.23";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "npm:@modelcontextprotocol/sdk@1.32.2/server/webStandardStreamableHttp.js";
import type { z } from "../zod.ts";
import { VERSION } from "../generated/version.ts";
import { API_ERRORS, ApiError, type ApiErrorCode, toApiError } from "./api_error.ts";
import { authenticate } from "./auth.ts";
import type { Caller } from "./options.ts";
import type { Service } from "./service.ts";
import { mcpServer } from "./mcp.ts";
import {
  checkRequestSchema,
  checkResultSchema,
  errorSchema,
  healthSchema,
  policiesSchema,
  runRequestSchema,
  runResultSchema,
} from "./schemas.ts";

type Env = { Variables: { caller: Caller } };

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** The error responses of a route, one per status, naming the codes of each. */
function errors(...codes: ApiErrorCode[]) {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of codes) {
    byStatus.set(API_ERRORS[code], [...(byStatus.get(API_ERRORS[code]) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [status, json(errorSchema, list.join(", "))]),
  );
}

const CALLER_ERRORS: ApiErrorCode[] = ["unauthorized", "forbidden", "internal"];
const authErrors = errors(
  ...CALLER_ERRORS,
  "invalid_json",
  "invalid_request",
  "body_too_large",
  "unsupported_media_type",
  "rate_limited",
  "too_many_runs",
  "shutting_down",
  "sandbox_unavailable",
);

const runRoute = createRoute({
  method: "post",
  path: "/v1/run",
  summary: "Run a script",
  description: "Runs `code` in a fresh interpreter with the caller's origin. The answer is 200 " +
    "whatever the script did: its exception, violations and limits are in the result.",
  security: [{ bearer: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: runRequestSchema } } },
  },
  responses: {
    200: json(runResultSchema.meta({ id: "RunResult" }), "The run's result"),
    ...authErrors,
  },
});

const checkRoute = createRoute({
  method: "post",
  path: "/v1/check",
  summary: "Check a script without running it",
  security: [{ bearer: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: checkRequestSchema } } },
  },
  responses: {
    200: json(checkResultSchema.meta({ id: "CheckResult" }), "Static-analysis findings"),
    ...authErrors,
  },
});

const policiesRoute = createRoute({
  method: "get",
  path: "/v1/policies",
  summary: "The caller's policies",
  security: [{ bearer: [] }],
  responses: { 200: json(policiesSchema, "What each policy allows"), ...errors(...CALLER_ERRORS) },
});

const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness; 503 while draining for shutdown (no token needed)",
  responses: {
    200: json(healthSchema, "Serving"),
    503: json(healthSchema, "Draining: finishing runs, taking no new ones"),
  },
});

/** A request the schema refused: the first problem, naming its field. */
function invalid(issues: readonly z.core.$ZodIssue[]): ApiError {
  const [issue] = issues;
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const path = [...issue.path, ...keys.slice(0, 1)].map(String);
  const field = path.join(".") || "body";
  const problem = keys[0] === "origin" && issue.path.length === 0
    ? "not a request field: the origin is the caller's, set by the server for its token"
    : keys.length
    ? "unknown field"
    : issue.message;
  return new ApiError("invalid_request", `${field}: ${problem}`, { field });
}

/** What Hono's own refusals (a body that is not JSON, another media type) become. */
function fromHttpException(err: HTTPException): ApiError {
  if (err.status === 415) {
    return new ApiError(
      "unsupported_media_type",
      "send the body as Content-Type: application/json",
    );
  }
  if (err.status === 400) {
    return new ApiError("invalid_json", `the body is not JSON: ${err.message}`);
  }
  return toApiError(err);
}

/** The Hono app of the HTTP API and the MCP endpoint, serving `service`. */
export function createApp(service: Service): OpenAPIHono<Env> {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) throw invalid(result.error.issues);
    },
  });
  const { maxBodyBytes } = service.settings;

  const caller: MiddlewareHandler<Env> = async (c, next) => {
    c.set("caller", authenticate(service.settings.callers, c.req.raw));
    await next();
  };
  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new ApiError("body_too_large", `the body is larger than ${maxBodyBytes} bytes`);
    },
  });
  for (const path of ["/v1/run", "/v1/check", "/v1/policies", "/mcp"]) {
    app.use(path, caller, limit);
  }

  // The request's signal is not passed on: Deno.serve aborts it after every
  // response (its legacy behaviour, with a warning printed), so a client
  // that leaves while its run waits for its turn keeps the turn.
  app.openapi(runRoute, async (c) => {
    const result = await service.run(c.get("caller"), c.req.valid("json"));
    return c.json(result, 200);
  });
  app.openapi(checkRoute, async (c) => {
    const result = await service.check(c.get("caller"), c.req.valid("json"));
    return c.json(result, 200);
  });
  app.openapi(policiesRoute, async (c) => {
    return c.json({ policies: await service.policies(c.get("caller")) }, 200);
  });
  app.openapi(healthRoute, (c) => {
    const draining = service.draining;
    return c.json({ status: draining ? "draining" : "ok", version: VERSION }, draining ? 503 : 200);
  });

  app.all("/mcp", async (c) => {
    // Stateless: a server and transport per request, bound to this caller.
    const server = await mcpServer(service, c.get("caller"));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: maxBodyBytes,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
  });
  app.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "pyfence",
      version: VERSION,
      description: "Run untrusted Python in a sandbox. Every error is " +
        '`{ "error": { "code", "message", "field"? } }`; 429 and 503 carry `Retry-After`. ' +
        "The same tools are served over MCP (streamable HTTP) at `POST /mcp`.",
    },
  });

  app.notFound(() => new ApiError("not_found", "no such endpoint").response());
  app.onError((err) => {
    const error = err instanceof HTTPException ? fromHttpException(err) : toApiError(err);
    if (error.status >= 500 && error.cause !== undefined) {
      console.error("pyfence serve:", error.cause);
    }
    return error.response();
  });
  return app;
}
