/**
 * What the HTTP API and the MCP tools take and give, as zod schemas: they
 * validate requests, describe responses in the OpenAPI document and the MCP
 * tools' output schemas, and are checked against the library's types by the
 * compiler.
 *
 * @module
 */
import { z } from "../zod.ts";
import { VIOLATION_KINDS } from "../protocol/result.ts";
import type { Finding, RunResult } from "../protocol/result.ts";
import type { CheckResult } from "../host/sandbox.ts";
import { API_ERRORS } from "./api_error.ts";

/** The read-only files of a run: text, or `{ base64 }` for bytes. */
export const filesSchema = z.record(
  z.string(),
  z.union([
    z.string(),
    z.strictObject({ base64: z.base64().meta({ description: "The file's bytes, base64." }) }),
  ]),
).meta({
  description:
    "Read-only files the script can open(), by relative name: text, or { base64 } for bytes.",
});

const code = z.string().meta({
  description: "The Python source. Print what you want back; every run starts afresh.",
  example: "import json\nprint(json.dumps({'sum': sum(range(10))}))",
});

const policy = z.string().min(1).max(64).meta({
  description: "One of the caller's policies (GET /v1/policies); default: its first.",
});

const positive = (description: string) => z.int().min(1).max(2 ** 31).meta({ description });

/** The body of `POST /v1/run`. The origin is the caller's, never the request's. */
export const runRequestSchema = z.strictObject({
  code,
  files: filesSchema.optional(),
  policy: policy.optional(),
  timeoutMs: positive("Tighten the policy's time limit (ms); a looser value is refused.")
    .optional(),
  memoryMb: positive("Tighten the policy's memory limit (MiB); a looser value is refused.")
    .optional(),
}).meta({ id: "RunRequest" });

/** A validated run request. */
export type RunRequest = z.infer<typeof runRequestSchema>;

/** The body of `POST /v1/check`. */
export const checkRequestSchema = z.strictObject({ code, policy: policy.optional() })
  .meta({ id: "CheckRequest" });

/** A validated check request. */
export type CheckRequest = z.infer<typeof checkRequestSchema>;

const violation = z.object({
  kind: z.enum(VIOLATION_KINDS),
  detail: z.string(),
  line: z.int().optional(),
  at: z.number(),
});

const runError = z.object({
  type: z.string().meta({ description: "The Python exception's name, or a host-side kind." }),
  message: z.string(),
  traceback: z.string().optional(),
});

/**
 * A run's result: `RunResult` of the library. The script's failure is here,
 * with status 200. (Without an OpenAPI id, as MCP output schemas must be:
 * an id makes it a `$ref`.)
 */
export const runResultSchema: z.ZodType<RunResult> = z.object({
  ok: z.boolean().meta({ description: "True when the script ran to its end." }),
  stdout: z.string(),
  stderr: z.string(),
  error: runError.optional(),
  violations: z.array(violation),
  durationMs: z.number(),
  peakMemoryBytes: z.number(),
  truncated: z.boolean().optional(),
});

const finding: z.ZodType<Finding> = z.object({
  kind: z.string(),
  detail: z.string(),
  line: z.int().optional(),
  col: z.int().optional(),
});

/** What `POST /v1/check` returns (without an OpenAPI id, like {@link runResultSchema}). */
export const checkResultSchema: z.ZodType<CheckResult> = z.object({
  ok: z.boolean().meta({ description: "True when nothing was found." }),
  findings: z.array(finding),
});

/** One policy as a caller sees it. */
export const policySummarySchema = z.object({
  name: z.string(),
  default: z.boolean().meta({ description: "Used when a request names no policy." }),
  description: z.string().optional(),
  modules: z.array(z.string()).meta({ description: "Importable modules." }),
  members: z.record(z.string(), z.unknown()).meta({
    description: "Member filters of some modules.",
  }),
  origin: z.string().meta({ description: 'The origin scripts run with; "null": no network.' }),
  network: z.object({ sameOrigin: z.boolean(), cors: z.array(z.string()) }),
  files: z.boolean().meta({ description: "Whether open() reads the request's files." }),
  limits: z.object({
    timeoutMs: z.number(),
    memoryMb: z.number(),
    outputBytes: z.number(),
    codeBytes: z.number(),
  }),
}).meta({ id: "Policy" });

/** One policy as a caller sees it. */
export type PolicySummary = z.infer<typeof policySummarySchema>;

/** What `GET /v1/policies` returns. */
export const policiesSchema = z.object({ policies: z.array(policySummarySchema) });

/** What `GET /healthz` returns. */
export const healthSchema = z.object({
  status: z.enum(["ok", "draining"]),
  version: z.string(),
});

/** Every error response. */
export const errorSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(API_ERRORS) as [keyof typeof API_ERRORS]),
    message: z.string(),
    field: z.string().optional(),
  }),
}).meta({ id: "Error" });
