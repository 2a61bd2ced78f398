/**
 * What the host tells a new sandbox process on its command line.
 *
 * @module
 */
import type { WorkerPermissions } from "../capabilities/permissions.ts";

/** The sandbox process's start-up configuration (passed as one JSON argument). */
export interface SupervisorInit {
  /** Serve jobs from stdin, or build one memory snapshot and exit. */
  mode: "serve" | "snapshot";
  /** Directory URL of the pyodide npm package. */
  pyodideDir: string;
  /** Directory URL of the Python guard package. */
  guardDir: string;
  /** URL of the worker entry module. */
  workerUrl: string;
  /** Snapshot to boot workers from (serve mode), if any. */
  snapshotPath?: string;
  /** Where to write the snapshot (snapshot mode). */
  snapshotOut?: string;
  /** Modules imported before the snapshot is taken. */
  preload: string[];
  /** Every worker's Deno permission descriptor. */
  permissions: WorkerPermissions;
  /** Test-only: run scripts with no Python guard. */
  unguarded: boolean;
  /** How long an interrupted script may take to unwind before the process exits. */
  graceMs: number;
}
