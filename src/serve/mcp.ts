/**
 * The MCP server: the tools `run_python` and `check_python`, bound to one
 * caller (its origin, policies and quota), on the official TypeScript SDK.
 * `pyfence mcp` serves it over stdio; the HTTP handler at `POST /mcp`
 * (streamable HTTP, stateless, behind the same bearer token).
 *
 * @module
 */
// The SDK's export map types `x.js` as `x.js.d.ts`, which does not exist;
// its types are found without the extension.
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/server/mcp"
import { McpServer } from "npm:@modelcontextprotocol/sdk@1.32.2/server/mcp.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/types"
import type { CallToolResult } from "npm:@modelcontextprotocol/sdk@1.32.2/types.js";
import { z } from "../zod.ts";
import { VERSION } from "../generated/version.ts";
import { pythonVersion } from "../host/assets.ts";
import { toApiError } from "./api_error.ts";
import type { Caller } from "./options.ts";
import type { Service } from "./service.ts";
import { checkResultSchema, filesSchema, runResultSchema } from "./schemas.ts";
import { checkSummary, checkToolDescription, runSummary, runToolDescription } from "./tool_text.ts";

/** A refusal (quota, policy, shutdown) as a tool error the model can read. */
function refusal(err: unknown): CallToolResult {
  const error = toApiError(err);
  if (error.status >= 500 && error.cause !== undefined) console.error("pyfence mcp:", error.cause);
  const retry = error.retryAfter === undefined ? "" : ` Retry in ${error.retryAfter} s.`;
  return {
    content: [{ type: "text", text: `${error.message} (${error.code}).${retry}` }],
    isError: true,
  };
}

/**
 * An MCP server whose tools run and check Python for `caller` through
 * `service`. The tools' descriptions list what the caller's policies allow.
 *
 * @throws {PolicyError} a configured policy is invalid.
 */
export async function mcpServer(service: Service, caller: Caller): Promise<McpServer> {
  const [policies, python] = await Promise.all([service.policies(caller), pythonVersion()]);
  const server = new McpServer({ name: "pyfence", version: VERSION });
  const names = caller.policies as [string, ...string[]];
  // A `policy` parameter only where there is a choice.
  const policy: { policy?: z.ZodOptional<z.ZodEnum<Record<string, string>>> } = names.length > 1
    ? { policy: z.enum(names).optional().describe(`The policy; default '${names[0]}'.`) }
    : {};
  const code = z.string().describe("The Python source to run.");

  server.registerTool("run_python", {
    title: "Run Python in a sandbox",
    description: runToolDescription(policies, python),
    inputSchema: {
      code,
      files: filesSchema.optional(),
      ...policy,
      timeoutMs: z.int().min(1).optional().describe(
        "A shorter time limit in ms than the policy's (a longer one is refused).",
      ),
    },
    outputSchema: runResultSchema,
    annotations: { destructiveHint: false, openWorldHint: caller.origin !== "null" },
  }, async (args, extra) => {
    try {
      const result = await service.run(caller, args, extra.signal);
      return {
        content: [{ type: "text", text: runSummary(result) }],
        structuredContent: { ...result },
        isError: !result.ok,
      };
    } catch (err) {
      return refusal(err);
    }
  });

  server.registerTool("check_python", {
    title: "Check Python against the sandbox's rules",
    description: checkToolDescription(),
    inputSchema: { code, ...policy },
    outputSchema: checkResultSchema,
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async (args, extra) => {
    try {
      const result = await service.check(caller, args, extra.signal);
      return {
        content: [{ type: "text", text: checkSummary(result) }],
        structuredContent: { ...result },
      };
    } catch (err) {
      return refusal(err);
    }
  });
  return server;
}
