/** The bench's rows: from measurements to the JSON records, the progress lines and the table. */
import type { BackendName } from '../src/backend.js';
import type { Measurement } from './run.js';
import { MIB } from './stats.js';

export interface BenchRow {
  /** 'dgan': trainStep on a ReplicaPool; 'baseline': the tf.layers GAN in one thread. */
  kind: 'dgan' | 'baseline';
  backend: BackendName;
  /** Null on a row without numbers (backend not installed). */
  workers: number | null;
  /** Timed steps behind the figures. */
  steps: number;
  ms_per_step: number | null;
  images_per_sec: number | null;
  speedup_vs_1: number | null;
  speedup_vs_baseline: number | null;
  /** Effective rate: stepFlops (the hand-written step's matMuls) / median step time. */
  gflops: number | null;
  overhead_share: number | null;
  rss_mb: number | null;
  worker_rss_mb: number | null;
  /** Why a row has no numbers: "not installed …" or "failed: …". */
  note?: string;
}

const round = (v: number | null, digits: number): number | null => (v === null || !Number.isFinite(v) ? null : Number(v.toFixed(digits)));

/** A measured row; the speed-ups are filled in by `fillSpeedups` once every row is known. */
export function measuredRow(kind: BenchRow['kind'], backend: BackendName, workers: number, m: Measurement, batch: number, flopsPerStep: number): BenchRow {
  return {
    kind,
    backend,
    workers,
    steps: m.stepMs.length,
    ms_per_step: round(m.msPerStep, 3),
    images_per_sec: round((batch * 1000) / m.msPerStep, 2),
    speedup_vs_1: null,
    speedup_vs_baseline: null,
    gflops: round(flopsPerStep / (m.msPerStep * 1e6), 3),
    overhead_share: round(m.overheadShare, 4),
    rss_mb: round(m.rssBytes / MIB, 1),
    worker_rss_mb: m.workerBytes === null ? null : round(m.workerBytes / MIB, 1),
  };
}

export function emptyRow(kind: BenchRow['kind'], backend: BackendName, workers: number | null, note: string): BenchRow {
  return {
    kind,
    backend,
    workers,
    steps: 0,
    ms_per_step: null,
    images_per_sec: null,
    speedup_vs_1: null,
    speedup_vs_baseline: null,
    gflops: null,
    overhead_share: null,
    rss_mb: null,
    worker_rss_mb: null,
    note,
  };
}

/** speedup_vs_1: over the 1-worker row of the same backend; speedup_vs_baseline: over the baseline row. */
export function fillSpeedups(rows: BenchRow[]): void {
  const baseline = rows.find((r) => r.kind === 'baseline' && r.ms_per_step !== null)?.ms_per_step ?? null;
  for (const r of rows) {
    if (r.ms_per_step === null) continue;
    const one = rows.find((o) => o.kind === 'dgan' && r.kind === 'dgan' && o.backend === r.backend && o.workers === 1 && o.ms_per_step !== null);
    r.speedup_vs_1 = one ? round(one.ms_per_step! / r.ms_per_step, 3) : null;
    r.speedup_vs_baseline = baseline === null ? null : round(baseline / r.ms_per_step, 3);
  }
}

export function rowLabel(r: BenchRow): string {
  if (r.kind === 'baseline') return `baseline (tf.layers, ${r.backend}, 1 thread)`;
  return r.workers === null ? r.backend : `${r.backend} ×${r.workers}`;
}

const fixed = (v: number | null, digits: number, suffix = '') => (v === null ? '—' : `${v.toFixed(digits)}${suffix}`);
const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** The one line printed when a row is done. */
export function progressLine(r: BenchRow): string {
  if (r.note) return `${rowLabel(r)}: ${r.note}`;
  const parts = [`${fixed(r.ms_per_step, 0)} ms/step`, `${fixed(r.images_per_sec, 0)} img/s`];
  if (r.speedup_vs_1 !== null && r.workers !== 1) parts.push(`×${r.speedup_vs_1.toFixed(2)} vs 1 worker`);
  parts.push(`${fixed(r.gflops, 2)} GFLOP/s`);
  if (r.overhead_share !== null) parts.push(`${percent(r.overhead_share)} outside compute`);
  parts.push(`peak RSS ${fixed(r.rss_mb, 0)} MB`);
  if (r.worker_rss_mb !== null) parts.push(`worker ${fixed(r.worker_rss_mb, 0)} MB`);
  return `${rowLabel(r)}: ${parts.join(', ')} (median of ${r.steps})`;
}

const COLUMNS = ['backend', 'workers', 'ms/step', 'img/s', 'vs 1 worker', 'vs baseline', 'GFLOP/s', 'outside compute', 'peak RSS MB', 'worker MB'];

/** The table of all rows, columns aligned; a row without numbers shows its note instead. */
export function formatTable(rows: BenchRow[]): string {
  const cells = rows.map((r) => {
    const backend = r.kind === 'baseline' ? `baseline: tf.layers on ${r.backend}` : r.backend;
    const workers = r.kind === 'baseline' ? '1 thread' : r.workers === null ? '—' : String(r.workers);
    if (r.note) return [backend, workers, r.note];
    return [
      backend,
      workers,
      fixed(r.ms_per_step, 1),
      fixed(r.images_per_sec, 0),
      fixed(r.speedup_vs_1, 2, '×'),
      fixed(r.speedup_vs_baseline, 2, '×'),
      fixed(r.gflops, 2),
      percent(r.overhead_share),
      fixed(r.rss_mb, 0),
      fixed(r.worker_rss_mb, 0),
    ];
  });
  const full = cells.filter((c) => c.length === COLUMNS.length);
  // The label columns fit every row; the number columns fit the rows with numbers (a note runs on unaligned).
  const width = COLUMNS.map((h, i) => Math.max(h.length, ...(i < 2 ? cells : full).map((c) => c[i].length)));
  const line = (c: string[]) =>
    c.length === COLUMNS.length
      ? c.map((v, i) => (i < 2 ? v.padEnd(width[i]) : v.padStart(width[i]))).join('  ')
      : `${c[0].padEnd(width[0])}  ${c[1].padEnd(width[1])}  ${c[2]}`;
  const rule = width.map((w) => '-'.repeat(w)).join('  ');
  return [line(COLUMNS), rule, ...cells.map(line)].join('\n');
}
