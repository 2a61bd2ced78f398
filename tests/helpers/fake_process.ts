/**
 * Stand-ins for sandbox processes, for tests of the pool and its limit that
 * need no interpreter: each is named by its origin, records when it is
 * closed or killed, and exits when the test says (or at once).
 */
import type { ProcessSpec, SandboxProcess } from "../../src/host/process.ts";

/** The pool keys processes by their spec; only the origin differs here. */
export function specFor(origin: string): ProcessSpec {
  return { permissions: { net: [origin] }, memoryMb: 256 } as unknown as ProcessSpec;
}

/** One stand-in process. */
export class FakeProcess {
  static #pids = 1_000_000;
  readonly pid = FakeProcess.#pids++;
  readonly origin: string;
  alive = true;
  warm = true;
  busy = false;
  #exit!: () => void;
  readonly exited: Promise<void> = new Promise((resolve) => this.#exit = resolve);
  #fakes: FakeProcesses;

  constructor(origin: string, fakes: FakeProcesses) {
    this.origin = origin;
    this.#fakes = fakes;
  }

  /** Asked to exit: it does, unless the test holds exits back. */
  close(): Promise<void> {
    return this.#end();
  }

  /** Killed: the same, for these purposes. */
  kill(): void {
    this.#end();
  }

  #end(): Promise<void> {
    if (!this.alive) return this.exited;
    this.alive = false;
    this.#fakes.closed.push(this.origin);
    if (this.#fakes.holdExits) this.#fakes.held.push(() => this.#exit());
    else this.#exit();
    return this.exited;
  }
}

/** A factory of stand-ins, with what became of them. */
export class FakeProcesses {
  /** Origins of the processes started, in order. */
  started: string[] = [];
  /** Origins of the processes closed or killed, in order. */
  closed: string[] = [];
  /** Every process started and not yet ended. */
  live = new Set<FakeProcess>();
  /** The most alive at once. */
  peak = 0;
  /** While true, closed processes do not exit until `exitHeld()`. */
  holdExits = false;
  held: (() => void)[] = [];
  /** Starts to fail with this error instead. */
  failNext = 0;

  /** Let every held process exit. */
  exitHeld(): void {
    this.held.splice(0).forEach((exit) => exit());
  }

  /** `ProcessPool`'s `start`. */
  start = (spec: ProcessSpec): Promise<SandboxProcess> => {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error("boot failed"));
    }
    const origin = (spec.permissions as unknown as { net: string[] }).net[0];
    const process = new FakeProcess(origin, this);
    this.started.push(origin);
    this.live.add(process);
    this.peak = Math.max(this.peak, this.live.size);
    process.exited.then(() => this.live.delete(process));
    return Promise.resolve(process as unknown as SandboxProcess);
  };
}
