/**
 * A run directory read back as data, for the report: config.json, the
 * records of log.jsonl, summary.json and the sample grids. Tolerant of a run
 * still in progress or stopped early: only config.json must be there.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { BatchRecord, EpochRecord, EvalRecord } from '../train/records.js';
import type { Summary } from '../train/trainer.js';

export type { BatchRecord, EpochRecord, EvalRecord } from '../train/records.js';

export interface SampleFile {
  path: string;
  /** The epoch of samples/epoch-NNN.png; null for a mid-epoch samples/step-NNNNNN.png. */
  epoch: number | null;
  /** The step after which it was drawn (null when the log does not say). */
  step: number | null;
}

export interface RunRecords {
  dir: string;
  config: Config;
  /** One per step, ascending (a step logged twice, e.g. around a crash, keeps its last record). */
  batches: BatchRecord[];
  epochs: EpochRecord[];
  /** The judge's scores, one per epoch, ascending. */
  evals: EvalRecord[];
  summary: Summary | null;
  /** Lines of log.jsonl left out: cut short by a crash, not JSON, or not a record the report can draw. */
  skipped: number;
  /** samples/epoch-NNN.png by epoch number. */
  epochSamples: Map<number, SampleFile>;
  /** The grid drawn last (see latestSample). */
  finalSample: SampleFile | null;
}

function readJsonFile<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new UserError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The fields a record must hold as numbers to be drawn; losses may be null (JSON's NaN). */
const NUMBER_FIELDS: Record<string, string[]> = {
  batch: ['epoch', 'step', 'batch', 'batches'],
  epoch: ['epoch', 'step'],
  eval: ['epoch', 'step', 'n'],
};

function isRecord(r: unknown): r is Record<string, unknown> {
  if (r === null || typeof r !== 'object') return false;
  const record = r as Record<string, unknown>;
  if (typeof record.type !== 'string') return false;
  return (NUMBER_FIELDS[record.type] ?? []).every((f) => Number.isFinite(record[f]));
}

/** Whole records only: a line cut short by a crash, or edited into something else, is skipped and counted, not fatal. */
function readRecords(path: string): { records: Record<string, unknown>[]; skipped: number } {
  if (!existsSync(path)) return { records: [], skipped: 0 };
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const records = lines.flatMap((line) => {
    try {
      const r: unknown = JSON.parse(line);
      return isRecord(r) ? [r] : [];
    } catch {
      return [];
    }
  });
  return { records, skipped: lines.length - records.length };
}

function lastPerKey<T>(items: T[], key: (t: T) => number): T[] {
  return [...new Map(items.map((t) => [key(t), t])).values()].sort((a, b) => key(a) - key(b));
}

/**
 * The grid drawn last: the highest step wins, and at a tie (a run stopped
 * right at an epoch's end) the epoch's grid; grids of unknown step rank first.
 */
export function latestSample(files: SampleFile[]): SampleFile | null {
  const rank = (f: SampleFile) => [f.step ?? -1, f.epoch === null ? 0 : 1, f.epoch ?? 0];
  const later = (a: SampleFile, b: SampleFile) => {
    const [ra, rb] = [rank(a), rank(b)];
    const k = ra.findIndex((v, i) => v !== rb[i]);
    return k >= 0 && ra[k] > rb[k];
  };
  return files.reduce<SampleFile | null>((best, f) => (best === null || later(f, best) ? f : best), null);
}

/**
 * The scores that compare with the last one: by the same judge (a retrained
 * judge scores differently) and at the same sample count (the Fréchet
 * distance's bias depends on it), with how many others are left out.
 */
export function comparableEvals(evals: EvalRecord[]): { shown: EvalRecord[]; others: number } {
  const last = evals.at(-1);
  const shown = evals.filter((e) => e.judge === last?.judge && e.n === last?.n);
  return { shown, others: evals.length - shown.length };
}

export function readRun(dir: string): RunRecords {
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) throw new UserError(`${dir} is not a dgan run directory (no config.json); give the --out folder of a \`dgan train\``);
  const config = readJsonFile<Config>(configPath);
  const { records, skipped } = readRecords(join(dir, 'log.jsonl'));
  const batches = lastPerKey(records.filter((r): r is BatchRecord & Record<string, unknown> => r.type === 'batch'), (r) => r.step);
  const epochs = lastPerKey(records.filter((r): r is EpochRecord & Record<string, unknown> => r.type === 'epoch'), (r) => r.epoch);
  const evals = lastPerKey(records.filter((r): r is EvalRecord & Record<string, unknown> => r.type === 'eval'), (r) => r.epoch);
  const summaryPath = join(dir, 'summary.json');
  const summary = existsSync(summaryPath) ? readJsonFile<Summary>(summaryPath) : null;

  const stepOfEpoch = new Map(epochs.map((e) => [e.epoch, e.step]));
  const files: SampleFile[] = [];
  const samplesDir = join(dir, 'samples');
  for (const name of existsSync(samplesDir) ? readdirSync(samplesDir) : []) {
    const path = join(samplesDir, name);
    const e = /^epoch-(\d+)\.png$/.exec(name);
    const s = /^step-(\d+)\.png$/.exec(name);
    if (e) files.push({ path, epoch: Number(e[1]), step: stepOfEpoch.get(Number(e[1])) ?? null });
    else if (s) files.push({ path, epoch: null, step: Number(s[1]) });
  }
  const epochSamples = new Map(files.filter((f) => f.epoch !== null).map((f) => [f.epoch!, f]));
  return { dir, config, batches, epochs, evals, summary, skipped, epochSamples, finalSample: latestSample(files) };
}
