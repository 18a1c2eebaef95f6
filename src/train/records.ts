/**
 * The records of a run's log.jsonl, one JSON object per line: what the
 * trainer writes and the report reads back.
 */
import type { EvalRow } from '../eval/metrics.js';

export interface BatchRecord {
  type: 'batch';
  time: string;
  epoch: number; // 1-based
  epochs: number;
  batch: number; // 0-based index of the batch just done
  batches: number;
  step: number;
  d_loss: number;
  g_loss: number;
}

export interface EpochRecord {
  type: 'epoch';
  time: string;
  epoch: number; // 1-based, the epoch just finished
  epochs: number;
  step: number;
  d_loss_mean: number | null;
  g_loss_mean: number | null;
  params_sha256: string;
  /** The fixed-z grid drawn after the epoch. */
  samples: string;
}

/** G scored by the judge after an epoch (dgan train --eval-every). */
export interface EvalRecord extends EvalRow {
  type: 'eval';
  time: string;
  epoch: number; // 1-based, the epoch just finished
  step: number;
  /** sha256 of the judge's parameters: scores by different judges do not compare. */
  judge: string;
}

export type LogRecord = BatchRecord | EpochRecord | EvalRecord;
