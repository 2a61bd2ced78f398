/**
 * The lines of Deno's permission audit (`DENO_AUDIT_PERMISSIONS`), as a
 * sandbox process writes them: one JSON object per permission check of the
 * process and its workers, granted or not, e.g.
 * `{"v":1,"datetime":"…","permission":"read","value":"/etc/passwd"}`.
 * Deno writes the file, but a worker chooses much of what is in it (the
 * paths and hosts it asks for), so it is hostile input like any message:
 * read in capped amounts, each line capped and validated here.
 *
 * Measured on Deno 2.5.6 and 2.9.6 (the format is the same, `v: 1`): file
 * reads and writes (also through `node:fs`), env reads (also `process.env`),
 * net connects, listens, DNS and fetches (a fetch logs its URL and its
 * `host:port`), `sys` queries, `ffi` loads and `import`s from the network
 * are logged, from workers too; subprocess checks (`Deno.Command`,
 * `node:child_process`, `Deno.kill`: `run`) are not logged, and neither is
 * a dynamic `import()` of a `file:` URL. A line says which permission and
 * value was checked, not whether it was granted, nor which thread asked.
 *
 * @module
 */
import { z } from "../zod.ts";
import { utf8Bytes } from "./caps.ts";

/** The permission names a check can carry. */
export const PERMISSION_NAMES = [
  "read",
  "write",
  "net",
  "env",
  "sys",
  "run",
  "ffi",
  "import",
] as const;

/** Longest value kept from one check (bytes of UTF-8); longer ones are cut, never dropped. */
export const MAX_CHECK_VALUE_BYTES = 1024;

/** Longest audit line read as one check; a longer one is a check with a cut value. */
const MAX_AUDIT_LINE_BYTES = 64 * 1024;

/** One permission check as the audit recorded it. */
export interface PermissionCheck {
  /** Which permission (an unknown name from a newer Deno is kept as written, cut). */
  permission: string;
  /** What it was checked for (a path, `host:port`, URL, variable name), or `null` for all of it. */
  value: string | null;
}

// Unknown fields (`stack` with DENO_TRACE_PERMISSIONS, later versions') are ignored.
const line = z.object({
  permission: z.string().max(32),
  value: z.string().nullable(),
});

/** `text` cut to at most `max` UTF-8 bytes, saying so. */
function cutValue(text: string, max: number): string {
  if (utf8Bytes(text) <= max) return text;
  const marker = ` … [cut: ${utf8Bytes(text)} bytes]`;
  let out = text.slice(0, max);
  while (utf8Bytes(out) + utf8Bytes(marker) > max) out = out.slice(0, -64);
  return out + marker;
}

/**
 * The checks in `text` (complete lines of an audit file). A line that is not
 * a check (malformed, or cut by a writer that never finished it) is reported
 * as a check of permission `unknown`, with the start of the line as its
 * value: the host treats it as refused, never as harmless.
 */
export function parsePermissionChecks(text: string): PermissionCheck[] {
  const checks: PermissionCheck[] = [];
  for (const raw of text.split("\n")) {
    if (!raw) continue;
    let value: unknown;
    try {
      value = raw.length > MAX_AUDIT_LINE_BYTES ? undefined : JSON.parse(raw);
    } catch {
      value = undefined;
    }
    const parsed = line.safeParse(value);
    checks.push(
      parsed.success
        ? {
          permission: parsed.data.permission,
          value: parsed.data.value === null
            ? null
            : cutValue(parsed.data.value, MAX_CHECK_VALUE_BYTES),
        }
        : { permission: "unknown", value: cutValue(raw, 200) },
    );
  }
  return checks;
}
