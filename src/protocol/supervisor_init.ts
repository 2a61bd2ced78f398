/**
 * What the host tells a new sandbox process first, over the private channel
 * (never on its command line, which every worker can read as `Deno.args`).
 *
 * @module
 */
import type { WorkerPermissions } from "../capabilities/permissions.ts";

/** A pure-Python wheel every interpreter of the process imports from. */
export interface Wheel {
  /** Where the host cached it (checked against its sha256); the process may read it. */
  path: string;
  /** Its file name, as the interpreter sees it. */
  fileName: string;
}

/** The sandbox process's start-up configuration. */
export interface SupervisorInit {
  /** Serve jobs from the channel, or build one memory snapshot and exit. */
  mode: "serve" | "snapshot";
  /** Directory URL of the pyodide npm package (its wasm, stdlib zip and lock file). */
  pyodideDir: string;
  /** URL of the worker entry module. */
  workerUrl: string;
  /** Snapshot to boot workers from (serve mode), if any. */
  snapshotPath?: string;
  /** Where to write the snapshot (snapshot mode). */
  snapshotOut?: string;
  /** Modules imported before the snapshot is taken. */
  preload: string[];
  /** The policy's packages: the snapshot was built with them on `sys.path`. */
  packages?: Wheel[];
  /** Every worker's Deno permission descriptor. */
  permissions: WorkerPermissions;
  /** Test-only: run scripts with no Python guard. */
  unguarded: boolean;
  /** How long an interrupted script may take to unwind before the process exits. */
  graceMs: number;
  /**
   * The `maximum` of every interpreter's wasm memory, in MiB, written into
   * the module before it is compiled; absent: Pyodide's own (4 GiB).
   */
  memoryMb?: number;
  /** The guard's Python sources, by file name. */
  guardFiles: Record<string, string>;
}
