/**
 * The operations a guard reports for the audit trail (an allowed import, a
 * virtual file read or written, a network request or WebSocket opened and its
 * verdict, storage access), as one capped worker event. They are the worker's
 * word: the host records at most `CAPS.operations` of them per run (the guard
 * stops there and says so once), the supervisor budgets their bytes like
 * violations, and nothing in them changes how the run ends.
 *
 * @module
 */
import { z } from "../zod.ts";
import { CAPS, utf8Bytes } from "./caps.ts";

/** What an operation can be. */
export const OPERATION_KINDS = [
  "import",
  "file.read",
  "file.write",
  "net.request",
  "ws.open",
  "storage",
] as const;

/** One of {@link OPERATION_KINDS}. */
export type OperationKind = typeof OPERATION_KINDS[number];

/** The verdicts an operation can carry (requests and storage). */
export const OPERATION_VERDICTS = ["allowed", "refused", "failed", "limit"] as const;

const text = (max: number) =>
  z.string().max(max).refine((s) => utf8Bytes(s) <= max, `longer than ${max} bytes`);

/** The worker event of one operation. */
export const operationEvent = z.strictObject({
  t: z.literal("op"),
  op: z.enum(OPERATION_KINDS),
  /** The module, path, URL, or storage service and key (cut to `detail_bytes`). */
  target: text(CAPS.detail_bytes),
  /** An HTTP method, or a storage operation (`get`, `set`, …). */
  method: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/).optional(),
  verdict: z.enum(OPERATION_VERDICTS).optional(),
  /** An HTTP response's status. */
  status: z.number().int().min(100).max(999).optional(),
  /** True on the guard's one notice that it stopped listing operations at the cap. */
  capped: z.literal(true).optional(),
});

/** A validated operation event. */
export type OperationEvent = z.infer<typeof operationEvent>;
