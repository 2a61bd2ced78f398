/**
 * pyfence: run untrusted Python safely from Deno.
 *
 * Every capability a script asks for is checked twice: by a guard inside the
 * Python interpreter (Pyodide), and beneath it by the Deno permissions of the
 * worker and process the script runs in, computed from the same policy.
 *
 * @example
 * ```ts
 * import { run } from "@pyfence/pyfence";
 * const result = await run("print(sum(range(10)))", { origin: "https://a.example" });
 * console.log(result.ok, result.stdout); // true "45\n"
 * ```
 *
 * @module
 */
export { run, shutdown } from "./src/host/run.ts";
export {
  type CheckResult,
  Sandbox,
  type SandboxOptions,
  type SandboxRunOptions,
  type SandboxStats,
} from "./src/host/sandbox.ts";
export type { Files, RunOptions } from "./src/host/options.ts";
export {
  type Finding,
  LIMIT_ERRORS,
  type RunError,
  type RunResult,
  type Violation,
  VIOLATION_KINDS,
  type ViolationKind,
} from "./src/protocol/result.ts";
export { PolicyError, UsageError } from "./src/errors.ts";
export { type AuditEvent, type AuditSink, jsonlAuditSink } from "./src/audit/trail.ts";
export { builtinPolicyNames, loadPolicy, type LoadPolicyOptions } from "./src/policy/load.ts";
export type { MemberRule, Policy, PolicyInput } from "./src/policy/schema.ts";
export {
  type OpaqueOrigin,
  type Origin,
  parseOrigin,
  type TupleOrigin,
} from "./src/capabilities/origin.ts";
export {
  explain,
  type ExplainRow,
  type Explanation,
  type HostLimits,
  type PermissionMap,
  permissionsFor,
  renderExplanation,
  type WorkerPermissions,
} from "./src/capabilities/permissions.ts";
export type { GuardConfig, VirtualFile } from "./src/capabilities/guard_config.ts";
