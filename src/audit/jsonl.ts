/**
 * The JSONL audit sink: one event per line, appended to a file. However many
 * sinks, runs and sandboxes in one process name the same file, it has one
 * writer, so lines never interleave; events that arrive while a write is in
 * flight go out together in the next one, and an event's promise resolves
 * only once its line is written.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import type { AuditSink } from "./trail.ts";

type Append = (text: string) => Promise<void>;

const writers = new Map<string, Append>();
const encoder = new TextEncoder();

/** `path` made absolute, its directory resolved through symlinks (the file may not exist yet). */
function canonical(path: string): string {
  const absolute = resolve(path);
  return join(Deno.realPathSync(dirname(absolute)), basename(absolute));
}

/** The one writer of a file: see {@link appendQueue}. */
function writer(path: string): Append {
  return appendQueue((bytes) => Deno.writeFile(path, bytes, { append: true, create: true }));
}

/**
 * Serialise appends through `write`, one write at a time. Text appended
 * while a write is in flight joins the next batch; each append's promise
 * settles when the write holding its text has finished (rejecting if that
 * write failed), never earlier.
 */
export function appendQueue(write: (bytes: Uint8Array) => Promise<void>): Append {
  let pending = "";
  /** The batch that has not started writing yet: new text joins it. */
  let next: Promise<void> | undefined;
  /** The batch written last, which the next one waits for. */
  let last: Promise<void> = Promise.resolve();
  return (text) => {
    pending += text;
    if (!next) {
      const batch = last.then(() => {
        // From here on, appends start another batch: this one's text is taken.
        next = undefined;
        const bytes = encoder.encode(pending);
        pending = "";
        return write(bytes);
      });
      next = batch;
      last = batch.catch(() => {});
    }
    return next;
  };
}

/**
 * A sink that appends each event as one JSON line to `path` (created if
 * missing, never truncated). The file is opened once here, so a path that
 * cannot be written fails now, with a {@link UsageError}, rather than after a
 * run that leaves no trail.
 *
 * @throws {UsageError} `path` cannot be opened for appending (missing
 * directory, no permission, a directory).
 *
 * @example
 * ```ts
 * import { jsonlAuditSink, Sandbox } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * const sandbox = new Sandbox({ audit: jsonlAuditSink(path) });
 * await sandbox.run("import os");
 * await sandbox.close();
 * const types = (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l).type);
 * assert.deepEqual(types, ["run.start", "violation", "run.end"]);
 * await Deno.remove(path);
 * ```
 */
export function jsonlAuditSink(path: string): AuditSink {
  let key: string;
  try {
    key = canonical(path);
    Deno.openSync(key, { append: true, create: true }).close();
  } catch (err) {
    throw new UsageError("path", `cannot append to '${path}': ${(err as Error).message}`);
  }
  let append = writers.get(key);
  if (!append) writers.set(key, append = writer(key));
  const write = append;
  return (event) => write(JSON.stringify(event) + "\n");
}
