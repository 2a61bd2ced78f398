/**
 * The wire protocol between host, sandbox process and worker.
 *
 * Every message that comes *out* of a sandbox is hostile input: the process
 * and the worker may be running attacker-controlled JavaScript if both
 * Python-side defences were bypassed. So each message is size-capped and
 * validated against a strict schema before anything reads it.
 *
 * Three layers speak, and each says only what it can know:
 *
 * - the worker reports its script's events ({@link WorkerEvent}); its `done`
 *   may name a {@link Cause}, which only the guard's or the worker runtime's
 *   own accounting sets, never an exception's name;
 * - the supervisor (the sandbox process's main thread) validates and relays
 *   them, and ends each job with a {@link JobEnd}: the `done` event plus what
 *   it saw itself (who ended the job, whether the deadline passed, violations
 *   past the cap, breach signs, memory growth);
 * - the host adds what it sees from outside the process (`host/process.ts`).
 *
 * A worker cannot send a supervisor's message: the supervisor relays only
 * `started`, `out` and `violation` events, and wraps the `done` itself.
 *
 * @module
 */
import * as z from "../zod_mini.ts";
import type { GuardConfig } from "../capabilities/guard_config.ts";
import type { SupervisorInit } from "./supervisor_init.ts";
import { FINDING_KINDS, type RunError, VIOLATION_KINDS } from "./result.ts";
import { CAPS, MAX_BREACH_SIGNS, MAX_LINE_BYTES, TYPE_NAME, utf8Bytes } from "./caps.ts";
import { CALL_ID, FUNCTION_NAME, type HostAnswer, SERVICE_NAME } from "./host_call.ts";
import { operationEvent } from "./operations.ts";

const id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/));
const line = z.int().check(z.minimum(0), z.maximum(10_000_000));
const count = z.int().check(z.minimum(0), z.maximum(2 ** 40));

/** A string of at most `max` UTF-8 bytes. */
const text = (max: number) =>
  z.string().check(
    z.maxLength(max),
    z.refine((s) => utf8Bytes(s) <= max, `longer than ${max} bytes`),
  );

/**
 * What ended a job, as the accounting of the layer that ended it says: a
 * limit it enforced (`time`, `memory`, `output`, `recursion`, `response`
 * size, WebSocket caps (`websocket`), host `calls`, code `size`, the caller's
 * `abort`) or a `crash`. Never
 * derived from an exception's name.
 */
export const CAUSES = [
  "time",
  "memory",
  "output",
  "recursion",
  "response",
  "websocket",
  "calls",
  "size",
  "abort",
  "crash",
] as const;

/** One of {@link CAUSES}. */
export type Cause = typeof CAUSES[number];

const runError = z.strictObject({
  type: z.string().check(z.regex(TYPE_NAME)),
  message: text(CAPS.message_bytes),
  traceback: z.optional(text(CAPS.traceback_bytes)),
});

/**
 * How deeply arrays and objects nest in a JSON text (iteratively: no stack
 * to exhaust), or Infinity when it is not JSON.
 */
function jsonDepth(json: string): number {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return Infinity;
  }
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    for (const item of Object.values(v)) stack.push([item, depth + 1]);
  }
  return deepest;
}

/** An error as a worker or the supervisor reports it; its {@link RunError.kind} is the host's to decide. */
export type WireError = Omit<RunError, "kind">;

const finding = z.strictObject({
  kind: z.enum(FINDING_KINDS),
  detail: text(CAPS.detail_bytes),
  line: z.optional(line),
  col: z.optional(line),
});

const started = z.strictObject({ t: z.literal("started") });
const out = z.strictObject({
  t: z.literal("out"),
  stream: z.enum(["stdout", "stderr"]),
  text: text(CAPS.chunk_bytes),
});
const violation = z.strictObject({
  t: z.literal("violation"),
  kind: z.enum(VIOLATION_KINDS.filter((kind) => kind !== "breach")),
  detail: text(CAPS.detail_bytes),
  line: z.optional(line),
  // An import refused under `imports: probe`: it did not end the run.
  probe: z.optional(z.literal(true)),
});
const file = z.strictObject({
  t: z.literal("file"),
  // The host checks the name itself (one path rule, in capabilities/permissions.ts).
  path: text(CAPS.path_bytes),
  // Base64 of the next piece of the file's bytes: a file's pieces come in
  // order and together, and a file may come only once.
  data: z.string().check(z.maxLength(CAPS.chunk_bytes), z.regex(/^[A-Za-z0-9+/]*={0,2}$/)),
});
// A host call (see `host_call.ts`): the supervisor adds nothing but the job's id.
const call = z.strictObject({
  t: z.literal("call"),
  call: z.string().check(z.regex(CALL_ID)),
  service: z.string().check(z.regex(SERVICE_NAME)),
  name: z.string().check(z.regex(FUNCTION_NAME)),
  data: text(CAPS.host_data_bytes),
});
const done = z.strictObject({
  t: z.literal("done"),
  ok: z.boolean(),
  error: z.optional(runError),
  // The final expression's value: its JSON text (valid, nested at most
  // CAPS.value_depth deep), or its repr.
  value: z.optional(z.union([
    z.strictObject({
      json: text(CAPS.value_bytes).check(
        z.refine(
          (json) => jsonDepth(json) <= CAPS.value_depth,
          `not JSON, or nested deeper than ${CAPS.value_depth} levels`,
        ),
      ),
    }),
    z.strictObject({ repr: text(CAPS.value_bytes) }),
  ])),
  findings: z.optional(z.array(finding).check(z.maxLength(CAPS.findings))),
  /** Set only by the guard's or the worker runtime's own accounting. */
  cause: z.optional(z.enum(CAUSES)),
  /** The interpreter's wasm memory size as the worker reports it: checked against the cap, never reported. */
  wasmBytes: count,
  /**
   * Why the worker's interpreter cannot be reset in place for its tenant's
   * next job (`Job.reset`): the host retires it. Never a reason to keep it.
   */
  unfit: z.optional(text(200)),
});

/** The events a worker reports about the one script it runs. */
export const workerEvent = z.discriminatedUnion("t", [
  z.strictObject({ t: z.literal("booted") }),
  started,
  out,
  violation,
  file,
  call,
  done,
  // An operation for the audit trail (see `operations.ts`): relayed as it is, capped by the host.
  operationEvent,
]);

/** A validated event from a worker. */
export type WorkerEvent = z.infer<typeof workerEvent>;

/** The events of a job the supervisor relays to the host as the worker sent them. */
export const relayedEvent = z.discriminatedUnion("t", [
  started,
  out,
  violation,
  file,
  call,
  operationEvent,
]);

/** A validated, relayed event. */
export type RelayedEvent = z.infer<typeof relayedEvent>;

/** The final event of a job. */
export type DoneEvent = z.infer<typeof done>;

/** How a job ended, as the supervisor reports it. */
export const jobEnd = z.strictObject({
  /** The worker's own `done`, or the one the supervisor made when it ended the job. */
  done,
  /** Who ended the job: the worker's report, or the supervisor (deadline, flood, crash, breach). */
  by: z.enum(["worker", "supervisor"]),
  /** The supervisor fired the deadline interrupt before the job ended. */
  deadlinePassed: z.boolean(),
  /** Violation events past `CAPS.violations`: counted, not relayed. */
  violationsOmitted: count,
  /** Breach signs the supervisor saw, each naming what it saw. */
  breaches: z.array(text(CAPS.detail_bytes)).check(z.maxLength(MAX_BREACH_SIGNS)),
  /** Peak growth of the process's resident memory during the job, sampled by the supervisor. */
  memoryGrowthBytes: count,
});

/**
 * How a job ended: the supervisor's {@link jobEnd}, or one the host made
 * (when it killed the process, or never sent the job), with the host's own
 * observations added.
 */
export type JobEnd = Omit<z.infer<typeof jobEnd>, "by"> & {
  /** Who ended the job. */
  by: "worker" | "supervisor" | "host";
};

/** What a sandbox process writes to the host, one JSON object per line. */
export const sandboxMessage = z.union([
  z.strictObject({ t: z.literal("ready"), python: z.string().check(z.maxLength(64)) }),
  z.strictObject({ t: z.literal("fatal"), message: z.string().check(z.maxLength(64 * 1024)) }),
  z.strictObject({ t: z.literal("snapshot"), bytes: z.int().check(z.minimum(0)) }),
  z.strictObject({ t: z.literal("exiting") }),
  z.strictObject({ t: z.literal("warm") }),
  z.strictObject({ id, event: relayedEvent }),
  z.strictObject({ id, end: jobEnd }),
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
  /**
   * The worker serves its owner's next job too (a session): it is not
   * ended after this job, and the supervisor hands it the process's next
   * `run`. Without it, the worker runs this job only.
   */
  keep?: boolean;
  /**
   * With `keep`, for `isolation: "tenant"`: the worker records its state
   * before this job (its first) and puts itself back into it after each job,
   * in place, unless it reports itself `unfit` in its `done`.
   */
  reset?: boolean;
}

/** A host call a worker made (see `host_call.ts`). */
export type CallEvent = z.infer<typeof call>;

/**
 * What the host tells a sandbox process: `init` once, first; then jobs, the
 * answers to the host calls of the job in progress, and after each job's end
 * `next` (boot the next interpreter: the host has checked the last job's
 * threads), or `exit`. After a job marked `keep` that its worker ended, the
 * host sends no `next`: its next `run` goes to the same worker.
 */
export type HostCommand =
  | { t: "init"; init: SupervisorInit }
  | { t: "run"; job: Job }
  | { t: "answer"; job: string; answer: HostAnswer }
  | { t: "next" }
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
