/**
 * What the Deno layer refused a sandbox process's workers, read from Deno's
 * own permission audit (see `protocol/permission_audit.ts` for what it
 * records, and `launch.ts` for where the file lives: open only to the host
 * and to the Deno that writes it).
 *
 * A line says which permission was checked for what, not whether it was
 * granted nor which thread asked, so the host judges each check against
 * what was granted: a worker holds no permission but `net` to its origin
 * (and CORS hosts), so any other check is a refusal, unless it is one the
 * process makes itself once it is serving: reading its own code, Pyodide's
 * files and the snapshot (each new worker's modules), Pyodide's eager read
 * of its wasm file, which it resolves against the (empty) working
 * directory, and, when its workers are granted a net list, a check of the
 * whole `net` permission as it creates each worker. A worker's own attempt
 * at those is not told apart from them (the files are public, and it is
 * refused all the same). The process reads its environment and opens its
 * channel only before it is ready, so later checks of those are a
 * worker's.
 *
 * @module
 */
import { basename, isAbsolute, normalize, relative } from "node:path";
import { MAX_BREACH_SIGNS } from "../protocol/caps.ts";
import { parsePermissionChecks, type PermissionCheck } from "../protocol/permission_audit.ts";

/** The file Pyodide reads eagerly as it boots (unused: the process posts the compiled module). */
const PYODIDE_WASM = "pyodide.asm.wasm";

/** Most audit bytes read for one job (or one idle check); more is a flood of checks. */
export const MAX_AUDIT_BYTES = 1024 * 1024;

/** What a serving sandbox process may check for itself, and what its workers are granted. */
export interface AuditGrants {
  /** Paths the process reads for itself while serving (its code, Pyodide, the snapshot). */
  ownReads: string[];
  /** Its working directory, where Pyodide resolves the name of its wasm file. */
  cwd: string;
  /** Net descriptors (`host:port`) its workers are granted. */
  workerNet: string[];
}

const DEFAULT_PORTS: Record<string, string> = {
  "http:": "80",
  "https:": "443",
  "ws:": "80",
  "wss:": "443",
};

/** `host:port` of a net check's value (a URL or `host:port`), lower-cased; undefined if neither. */
function hostPort(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      const url = new URL(value);
      const port = url.port || DEFAULT_PORTS[url.protocol];
      return port ? `${url.hostname}:${port}`.toLowerCase() : undefined;
    } catch {
      return undefined;
    }
  }
  return /^(\[[^\]]+\]|[^:/\s]+):\d+$/.test(value) ? value.toLowerCase() : undefined;
}

function within(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** How a refused check is named in a breach violation. */
export function describeRefusal(check: PermissionCheck): string {
  if (check.permission === "unknown") {
    return `an unreadable permission audit line: ${check.value}`;
  }
  const what = check.value === null ? " (all of it)" : ` to ${JSON.stringify(check.value)}`;
  return `Deno refused the worker ${check.permission} access${what}`;
}

/** The audit file of one sandbox process, read incrementally by the host. */
export class PermissionAudit {
  #file: Deno.FsFile;
  #grants: AuditGrants;
  #workerNet: Set<string>;
  #consumed = 0;
  #partial = "";
  #decoder = new TextDecoder();
  #closed = false;

  /** Read `file` (open, positioned at its start) for a process with `grants`. */
  constructor(file: Deno.FsFile, grants: AuditGrants) {
    this.#file = file;
    this.#grants = {
      ownReads: grants.ownReads.map((p) => normalize(p)),
      cwd: normalize(grants.cwd),
      workerNet: grants.workerNet,
    };
    this.#workerNet = new Set(grants.workerNet.map((d) => d.toLowerCase()));
  }

  /** Bytes written since the last read (0 when unknown). */
  unread(): number {
    if (this.#closed) return 0;
    try {
      return Math.max(0, this.#file.statSync().size - this.#consumed);
    } catch {
      return 0;
    }
  }

  /** Skip everything written so far (the process's own start-up). */
  skip(): void {
    this.#read();
  }

  /**
   * The refused checks written since the last read, each named (at most
   * {@link MAX_BREACH_SIGNS}, the last one saying how many more there were).
   */
  refusals(): string[] {
    const { checks, flooded } = this.#read();
    const refused = new Set<string>();
    let more = 0;
    for (const check of checks) {
      if (this.#expected(check)) continue;
      const detail = describeRefusal(check);
      if (refused.has(detail)) continue;
      if (refused.size < MAX_BREACH_SIGNS - 1) refused.add(detail);
      else more++;
    }
    const out = [...refused];
    if (more) out.push(`and ${more} more permission checks Deno refused the worker`);
    if (flooded) {
      out.push(`the worker made more than ${MAX_AUDIT_BYTES} bytes of permission checks`);
    }
    return out;
  }

  /** Stop reading; the file goes away with the last descriptor. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }

  #expected(check: PermissionCheck): boolean {
    const { permission, value } = check;
    // Creating a worker with a net grant checks the process's whole net permission.
    if (value === null) return permission === "net" && this.#workerNet.size > 0;
    if (permission === "net") {
      const target = hostPort(value);
      return target !== undefined && this.#workerNet.has(target);
    }
    if (permission === "read" && isAbsolute(value)) {
      const path = normalize(value);
      if (within(path, this.#grants.cwd) && basename(path) === PYODIDE_WASM) return true;
      return this.#grants.ownReads.some((root) => within(path, root));
    }
    return false;
  }

  #read(): { checks: PermissionCheck[]; flooded: boolean } {
    if (this.#closed) return { checks: [], flooded: false };
    const flooded = this.unread() > MAX_AUDIT_BYTES;
    const buffer = new Uint8Array(64 * 1024);
    let text = this.#partial;
    let read = 0;
    try {
      while (read < MAX_AUDIT_BYTES) {
        const n = this.#file.readSync(buffer);
        if (!n) break;
        read += n;
        text += this.#decoder.decode(buffer.subarray(0, n), { stream: true });
      }
      if (flooded) {
        // Past the cap nothing more is read: start again at the end.
        this.#consumed = this.#file.seekSync(0, Deno.SeekMode.End);
        text = text.slice(0, text.lastIndexOf("\n") + 1);
      } else this.#consumed += read;
    } catch {
      return { checks: [], flooded };
    }
    const end = text.lastIndexOf("\n") + 1;
    this.#partial = flooded ? "" : text.slice(end);
    return { checks: parsePermissionChecks(text.slice(0, end)), flooded };
  }
}
