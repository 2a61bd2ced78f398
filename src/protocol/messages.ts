/**
 * The wire protocol between host, sandbox process and worker.
 *
 * Every message that comes *out* of a sandbox is hostile input: the process
 * and the worker may be running attacker-controlled JavaScript if both
 * Python-side defences were bypassed. So each message is size-capped and
 * validated against a strict schema before anything reads it; a message that
 * fails ends the run as a `WorkerCrash` and the process is killed.
 *
 * @module
 */
import { z } from "../zod.ts";
import type { GuardConfig } from "../capabilities/guard_config.ts";
import type { SupervisorInit } from "./supervisor_init.ts";
import { type Finding, VIOLATION_KINDS } from "./result.ts";
import { CAPS, MAX_LINE_BYTES, TYPE_NAME, utf8Bytes } from "./caps.ts";
import { CALL_ID, FUNCTION_NAME, type HostAnswer, SERVICE_NAME } from "./host_call.ts";

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const line = z.number().int().min(0).max(10_000_000);

/** A string of at most `max` UTF-8 bytes. */
const text = (max: number) =>
  z.string().max(max).refine((s) => utf8Bytes(s) <= max, `longer than ${max} bytes`);

const runError = z.strictObject({
  type: z.string().regex(TYPE_NAME),
  message: text(CAPS.message_bytes),
  traceback: text(CAPS.traceback_bytes).optional(),
});

const finding: z.ZodType<Finding> = z.strictObject({
  kind: z.string().regex(/^[a-z_]{1,32}$/),
  detail: text(CAPS.detail_bytes),
  line: line.optional(),
  col: line.optional(),
});

/** The events a worker reports about the one script it runs. */
export const workerEvent = z.discriminatedUnion("t", [
  z.strictObject({ t: z.literal("booted") }),
  z.strictObject({ t: z.literal("started") }),
  z.strictObject({
    t: z.literal("out"),
    stream: z.enum(["stdout", "stderr"]),
    text: text(CAPS.chunk_bytes),
  }),
  z.strictObject({
    t: z.literal("violation"),
    kind: z.enum(VIOLATION_KINDS),
    detail: text(CAPS.detail_bytes),
    line: line.optional(),
  }),
  z.strictObject({
    t: z.literal("done"),
    ok: z.boolean(),
    error: runError.optional(),
    findings: z.array(finding).max(CAPS.findings).optional(),
    peakMemoryBytes: z.number().int().min(0).max(2 ** 33),
  }),
  // A host call (see `host_call.ts`): the supervisor adds nothing but the job's id.
  z.strictObject({
    t: z.literal("call"),
    call: z.string().regex(CALL_ID),
    service: z.string().regex(SERVICE_NAME),
    name: z.string().regex(FUNCTION_NAME),
    data: text(CAPS.host_data_bytes),
  }),
]);

/** A validated event from a worker. */
export type WorkerEvent = z.infer<typeof workerEvent>;

/** What a sandbox process writes to the host, one JSON object per line. */
export const sandboxMessage = z.union([
  z.strictObject({ t: z.literal("ready"), python: z.string().max(64) }),
  z.strictObject({ t: z.literal("fatal"), message: z.string().max(64 * 1024) }),
  z.strictObject({ t: z.literal("snapshot"), bytes: z.number().int().min(0) }),
  z.strictObject({ t: z.literal("exiting") }),
  z.strictObject({ t: z.literal("warm") }),
  z.strictObject({ id, event: workerEvent }),
]);

/** A validated message from a sandbox process. */
export type SandboxMessage = z.infer<typeof sandboxMessage>;

/** What a job asks of a worker. */
export interface Job {
  /** Correlates the job's events: random, fresh for every attempt, set by the host's process handle. */
  id: string;
  /** Run the script, or only analyse it. */
  mode: "execute" | "check";
  /** The script's source. */
  code: string;
  /** The guard's configuration. */
  guard: GuardConfig;
  /** Wall-clock limit for the script itself, boot excluded. */
  timeoutMs: number;
  /** Linear-memory cap of the interpreter (MiB); the sandbox process was started with it. */
  memoryMb: number;
}

/** The final event of a job. */
export type DoneEvent = Extract<WorkerEvent, { t: "done" }>;

/** A host call a worker made (see `host_call.ts`). */
export type CallEvent = Extract<WorkerEvent, { t: "call" }>;

/**
 * What the host tells a sandbox process: `init` once, first; then jobs, and
 * the answers to the host calls of the job in progress.
 */
export type HostCommand =
  | { t: "init"; init: SupervisorInit }
  | { t: "run"; job: Job }
  | { t: "answer"; job: string; answer: HostAnswer }
  | { t: "exit" };

/** What the sandbox process posts to the worker for one of its calls. */
export type AnswerMessage = HostAnswer & { t: "answer" };

/**
 * Parse one line from a sandbox process. Returns `undefined` for anything
 * that is not a well-formed message; callers treat that as a crash.
 */
export function parseSandboxLine(text: string): SandboxMessage | undefined {
  if (text.length > MAX_LINE_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = sandboxMessage.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Validate an event that a worker posted. */
export function parseWorkerEvent(value: unknown): WorkerEvent | undefined {
  const parsed = workerEvent.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
