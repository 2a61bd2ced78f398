/**
 * One sandbox process, seen from the host: spawned with the narrowest Deno
 * flags that let its workers do their job, fed one job at a time, and killed
 * with SIGKILL when it stops answering. Its output is read as capped JSON
 * lines and validated; anything malformed ends the process.
 *
 * @module
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import { readLines } from "../protocol/lines.ts";
import { MAX_LINE_BYTES } from "../protocol/caps.ts";
import {
  type DoneEvent,
  type HostCommand,
  type Job,
  parseSandboxLine,
  type WorkerEvent,
} from "../protocol/messages.ts";
import { crashDone } from "../protocol/crash.ts";
import { CONFIG_URL, GUARD_DIR, PYODIDE_DIR, SUPERVISOR_URL, WORKER_URL } from "./assets.ts";
import type { SupervisorInit } from "../protocol/supervisor_init.ts";
import type { WorkerPermissions } from "../capabilities/permissions.ts";

/** What a sandbox process is started with. */
export interface ProcessSpec {
  /** Every worker's Deno permissions; the process gets the same net access. */
  permissions: WorkerPermissions;
  /** Boot workers from this snapshot file. */
  snapshotPath?: string;
  /** Test-only: no Python guard. */
  unguarded?: boolean;
}

/** How long a worker may take to unwind after the deadline interrupt. */
export const GRACE_MS = 400;
const BOOT_TIMEOUT_MS = 60_000;
const STDERR_KEEP = 8192;

/** The `deno run` flags of a sandbox process; exported so `policy explain` can show them. */
export function sandboxFlags(
  permissions: WorkerPermissions,
  extraRead: string[] = [],
  write: string[] = [],
): string[] {
  const read = [
    fromFileUrl(PYODIDE_DIR),
    fromFileUrl(GUARD_DIR),
    fromFileUrl(new URL("./", WORKER_URL)),
    fromFileUrl(new URL("../protocol/", WORKER_URL)),
    ...extraRead,
  ];
  const flags = [
    "--quiet",
    "--no-prompt",
    "--unstable-worker-options",
    `--config=${fromFileUrl(CONFIG_URL)}`,
    `--allow-read=${read.join(",")}`,
    // Wasm memory is capped per worker; this caps the JS heap of the whole process.
    "--v8-flags=--max-old-space-size=768",
  ];
  if (permissions.net) flags.push(`--allow-net=${permissions.net.join(",")}`);
  if (write.length) flags.push(`--allow-write=${write.join(",")}`);
  return flags;
}

function childEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
  for (const key of ["DENO_DIR", "HOME", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(key);
    if (value) env[key] = value;
  }
  return env;
}

/** Spawn a sandbox process; `init` travels as its one argument. */
export function spawnSandbox(
  init: SupervisorInit,
  extraRead: string[],
  write: string[] = [],
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...sandboxFlags(init.permissions, extraRead, write),
      fromFileUrl(SUPERVISOR_URL),
      JSON.stringify(init),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
    env: childEnv(),
  }).spawn();
}

interface Pending {
  job: Job;
  onEvent: (event: WorkerEvent) => void;
  resolve: (done: DoneEvent) => void;
  timer?: ReturnType<typeof setTimeout>;
  started?: boolean;
}

/** A live sandbox process that runs one job at a time. */
export class SandboxProcess {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending?: Pending;
  #alive = true;
  #retiring = false;
  #warm = false;
  #stderr = "";
  #ready: Promise<void>;
  #readyResolve!: () => void;
  #readyReject!: (err: Error) => void;

  private constructor(spec: ProcessSpec) {
    const init: SupervisorInit = {
      mode: "serve",
      pyodideDir: PYODIDE_DIR.href,
      guardDir: GUARD_DIR.href,
      workerUrl: WORKER_URL.href,
      snapshotPath: spec.snapshotPath,
      preload: [],
      permissions: spec.permissions,
      unguarded: spec.unguarded ?? false,
      graceMs: GRACE_MS,
    };
    this.#ready = new Promise((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    this.#ready.catch(() => {});
    this.#child = spawnSandbox(init, spec.snapshotPath ? [spec.snapshotPath] : []);
    this.#writer = this.#child.stdin.getWriter();
    this.#readStderr();
    this.#readStdout();
    this.#child.status.then(() => this.#died("the sandbox process exited"));
    // An idle sandbox must not keep the host alive; a running job does.
    this.#child.unref();
  }

  /** Start a process and wait until it is ready for a job. */
  static async start(spec: ProcessSpec): Promise<SandboxProcess> {
    const process = new SandboxProcess(spec);
    const timer = setTimeout(() => process.kill(), BOOT_TIMEOUT_MS);
    try {
      await process.#ready;
    } finally {
      clearTimeout(timer);
    }
    return process;
  }

  /** False once the process has exited, been killed, or announced its exit. */
  get alive(): boolean {
    return this.#alive && !this.#retiring;
  }

  /** The OS process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** True when its next interpreter has finished booting, so a job starts at once. */
  get warm(): boolean {
    return this.#warm && this.alive && !this.busy;
  }

  /** True while a job is running. */
  get busy(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Run a job. Resolves with its `done` event, always: a crash, a kill or a
   * missed deadline become a `done` with the matching error.
   */
  run(job: Job, onEvent: (event: WorkerEvent) => void): Promise<DoneEvent> {
    if (!this.alive) return Promise.resolve(crashDone("WorkerCrash", "sandbox process is gone"));
    if (this.#pending) throw new Error("SandboxProcess.run: a job is already running");
    return new Promise((resolve) => {
      const pending: Pending = { job, onEvent, resolve };
      this.#pending = pending;
      this.#warm = false;
      this.#child.ref();
      pending.timer = setTimeout(() => this.#backstop(), BOOT_TIMEOUT_MS);
      this.#send({ t: "run", job });
    });
  }

  /** Ask the process to exit, and kill it if it does not. */
  async close(): Promise<void> {
    if (!this.#alive) return;
    await this.#send({ t: "exit" });
    const timer = setTimeout(() => this.kill(), 2000);
    await this.#child.status;
    clearTimeout(timer);
  }

  /** SIGKILL the process. */
  kill(): void {
    if (!this.#alive) return;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
    this.#died("the sandbox process was killed");
  }

  async #send(command: HostCommand): Promise<void> {
    try {
      await this.#writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
    } catch {
      this.kill();
    }
  }

  #backstop(): void {
    const pending = this.#pending;
    if (!pending) return;
    this.kill();
    this.#settle(crashDone("TimeoutError", `time limit of ${pending.job.timeoutMs} ms exceeded`));
  }

  #settle(done: DoneEvent): void {
    const pending = this.#pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending = undefined;
    this.#warm = false;
    if (this.#alive) this.#child.unref();
    pending.resolve(done);
  }

  #died(reason: string): void {
    if (!this.#alive) return;
    this.#alive = false;
    const detail = this.#stderr.trim() ? `${reason}: ${this.#stderr.trim().slice(-2000)}` : reason;
    this.#readyReject(new Error(detail));
    this.#settle(crashDone("WorkerCrash", detail));
  }

  async #readStdout(): Promise<void> {
    try {
      for await (const line of readLines(this.#child.stdout, MAX_LINE_BYTES)) {
        const message = parseSandboxLine(line);
        if (!message) throw new Error("malformed message from the sandbox process");
        if ("t" in message) {
          if (message.t === "ready") this.#readyResolve();
          else if (message.t === "exiting") this.#retiring = true;
          // A boot that finished during a job was that job's worker.
          else if (message.t === "warm") this.#warm = !this.#pending;
          else if (message.t === "fatal") this.#stderr += message.message;
          continue;
        }
        const pending = this.#pending;
        if (!pending || message.id !== pending.job.id) continue;
        const { event } = message;
        if (event.t === "done") {
          this.#settle(event);
        } else {
          if (event.t === "started") {
            // The supervisor relays one start per job; anything more is ignored.
            if (pending.started) continue;
            pending.started = true;
            clearTimeout(pending.timer);
            pending.timer = setTimeout(
              () => this.#backstop(),
              pending.job.timeoutMs + GRACE_MS + 1000,
            );
          }
          pending.onEvent(event);
        }
      }
    } catch (err) {
      this.#stderr += `\n${(err as Error).message}`;
    }
    this.kill();
  }

  async #readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stderr) {
      this.#stderr = (this.#stderr + decoder.decode(chunk, { stream: true })).slice(-STDERR_KEEP);
    }
  }
}
