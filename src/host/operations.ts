/**
 * The host's record of the operations a worker reports for the audit trail
 * (see `protocol/operations.ts`): at most `CAPS.operations` per run, however
 * many a breached worker sends. They are the worker's word, recorded as such,
 * and change nothing about how the run ends.
 *
 * @module
 */
import { CAPS } from "../protocol/caps.ts";
import type { OperationEvent } from "../protocol/operations.ts";

/** Counts and forwards one run's operations, up to the cap. */
export class OperationRecorder {
  #count = 0;
  #max: number;
  #record: (op: OperationEvent) => void;
  /** The guard said it stopped listing operations, or the host dropped some past the cap. */
  capped = false;

  /** Forward each operation to `record`, at most `max` of them. */
  constructor(record: (op: OperationEvent) => void, max: number = CAPS.operations) {
    this.#record = record;
    this.#max = max;
  }

  /** One operation event from the worker. */
  accept(op: OperationEvent): void {
    if (op.capped || this.#count >= this.#max) {
      this.capped = true;
      return;
    }
    this.#count++;
    this.#record(op);
  }
}
