/**
 * `dgan bench`: times the real training step per backend and worker count,
 * and the same GAN written the plain tfjs way, then prints one table (and
 * optionally writes it as JSON). The measuring code lives in bench/.
 */
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError } from 'commander';
import { stepFlops } from '../../bench/flops.js';
import { type BenchRow, emptyRow, fillSpeedups, formatTable, measuredRow, progressLine } from '../../bench/report.js';
import { type Measurement, benchReal, fullBatches } from '../../bench/run.js';
import { type BackendName, nativeAvailable } from '../backend.js';
import { type Config, imagePixels, loadConfigFile, withOverrides } from '../config.js';
import { defaultMnistDir, loadMnist } from '../data/mnist.js';
import { EXIT_FAILED, UserError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import { CORES, DEFAULT_CONFIG, int, packagePath } from './options.js';
import { checkOutFile, makeFolders } from '../outputs.js';
import { runFilesAround } from '../train/rundir.js';

export const BENCH_BACKENDS = ['wasm', 'cpu', 'tensorflow'] as const satisfies readonly BackendName[];

export const BENCH_DEFAULTS = {
  steps: 10,
  warmup: 3,
  /** The cpu backend is ~10× slower than wasm: fewer steps and workers unless asked. */
  cpuSteps: 2,
  cpuWarmup: 1,
  cpuWorkers: [1, 2],
  /** The baseline takes seconds a step: one warm-up (at most --warmup), then a couple of timed steps. */
  baselineSteps: 2,
  baselineWarmup: 1,
};

/** 1, 2 and the core count, deduplicated, ascending. */
export function defaultWorkerCounts(cores = CORES): number[] {
  return [...new Set([1, 2, cores])].sort((a, b) => a - b);
}

/** Parser of a comma-separated list of integers in [min, max], deduplicated and ascending. */
export function intList(min: number, max = Number.MAX_SAFE_INTEGER) {
  const one = int(min, max);
  const what = `must be a comma-separated list of integers ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}.`;
  return (value: string): number[] => {
    const parts = value.split(',').map((s) => s.trim());
    if (parts.some((p) => p === '')) throw new InvalidArgumentError(what);
    try {
      return [...new Set(parts.map(one))].sort((a, b) => a - b);
    } catch {
      throw new InvalidArgumentError(what);
    }
  };
}

/** Parser of a comma-separated list of bench backends, deduplicated, in the order given. */
export function backendList(value: string): BackendName[] {
  const parts = value.split(',').map((s) => s.trim());
  const bad = parts.find((p) => !(BENCH_BACKENDS as readonly string[]).includes(p));
  if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not one of ${BENCH_BACKENDS.join(', ')} (a comma-separated list).`);
  return [...new Set(parts as BackendName[])];
}

export interface BenchFlags {
  backends?: BackendName[];
  workers?: number[];
  steps?: number;
  warmup?: number;
  cpuSteps?: number;
  baselineSteps?: number;
  batchSize?: number;
  config?: string;
  data?: string;
  /** False with --no-baseline. */
  baseline: boolean;
  json?: string;
}

export interface BackendPlan {
  backend: BackendName;
  workers: number[];
  warmup: number;
  steps: number;
}

export interface BenchPlan {
  backends: BackendPlan[];
  baseline: { warmup: number; steps: number } | null;
}

/** What runs, from the flags: explicit values win; the cpu backend and the baseline get lighter defaults. */
export function benchPlan(flags: BenchFlags, cores = CORES): BenchPlan {
  const d = BENCH_DEFAULTS;
  const backends = (flags.backends ?? [...BENCH_BACKENDS]).map((backend): BackendPlan => {
    if (backend === 'cpu') {
      return { backend, workers: flags.workers ?? d.cpuWorkers, warmup: flags.warmup ?? d.cpuWarmup, steps: flags.cpuSteps ?? flags.steps ?? d.cpuSteps };
    }
    return { backend, workers: flags.workers ?? defaultWorkerCounts(cores), warmup: flags.warmup ?? d.warmup, steps: flags.steps ?? d.steps };
  });
  const baseline = flags.baseline ? { warmup: Math.min(d.baselineWarmup, flags.warmup ?? d.baselineWarmup), steps: flags.baselineSteps ?? d.baselineSteps } : null;
  return { backends, baseline };
}

function loadBenchConfig(flags: BenchFlags): Config {
  const base = loadConfigFile(flags.config ?? packagePath(DEFAULT_CONFIG));
  return withOverrides(base, { 'train.batch_size': flags.batchSize });
}

const NOT_INSTALLED = 'not installed (needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node: npm install @tensorflow/tfjs-node-gpu@4.22.0)';

export async function benchCommand(flags: BenchFlags): Promise<number> {
  // Everything the user gave is checked before anything is measured.
  const config = loadBenchConfig(flags);
  if (flags.json !== undefined) checkOutFile(flags.json, '--json', runFilesAround(flags.json)); // before minutes of measuring, not after
  const plan = benchPlan(flags);
  const data = loadMnist(flags.data ?? defaultMnistDir(), 'train', { shared: true });
  if (data.rows * data.cols !== imagePixels(config.model)) {
    throw new UserError(`the data's images are ${data.rows}×${data.cols} but the model takes ${config.model.image_side}×${config.model.image_side}; set model.image_side in the config to match`);
  }
  const batch = config.train.batch_size;
  fullBatches(data.count, batch);
  const flops = stepFlops(config.model, batch);

  const m = config.model;
  console.log(
    `dgan bench: batch ${batch}, G z${m.z_dim}→${m.g_hidden}→${2 * m.g_hidden}→${4 * m.g_hidden}→${m.image_side ** 2}, ` +
      `D ${m.image_side ** 2}→${4 * m.d_hidden}→${2 * m.d_hidden}→${m.d_hidden}→1, ${(flops / 1e9).toFixed(3)} GFLOP/step; ` +
      plan.backends.map((b) => `${b.backend} ×${b.workers.join(',')} (${b.warmup}+${b.steps} steps)`).join(', ') +
      (plan.baseline ? `; baseline (${plan.baseline.warmup}+${plan.baseline.steps} steps)` : ''),
  );

  const started = performance.now();
  const rows: BenchRow[] = [];
  let failed = false;
  const done = (row: BenchRow) => {
    rows.push(row);
    fillSpeedups(rows);
    console.log(progressLine(row));
  };
  const measure = async (kind: BenchRow['kind'], backend: BackendName, workers: number, run: () => Promise<Measurement>) => {
    try {
      done(measuredRow(kind, backend, workers, await run(), batch, flops));
    } catch (e) {
      failed = true;
      done(emptyRow(kind, backend, workers, `failed: ${(e as Error).message}`));
    }
  };

  for (const b of plan.backends) {
    if (b.backend === 'tensorflow' && !(await nativeAvailable())) {
      done(emptyRow('dgan', b.backend, null, NOT_INSTALLED));
      continue;
    }
    for (const workers of b.workers) {
      await measure('dgan', b.backend, workers, () => benchReal({ backend: b.backend, workers, config, data, warmup: b.warmup, steps: b.steps }));
    }
  }
  // Last, because it runs tfjs in this thread: the rows above are measured without its memory.
  if (plan.baseline) {
    const { warmup, steps } = plan.baseline;
    await measure('baseline', 'wasm', 1, async () => {
      // Imported only here: tfjs-layers is a large module, and importing it registers every gradient in this thread's tfjs.
      const { benchBaseline } = await import('../../bench/baseline.js');
      return benchBaseline({ config, data, warmup, steps });
    });
  }

  fillSpeedups(rows);
  console.log(`\n${formatTable(rows)}\n`);
  console.log(`dgan bench: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (flags.json !== undefined) {
    makeFolders(dirname(flags.json), '--json');
    writeFileAtomic(flags.json, JSON.stringify(rows, null, 2) + '\n');
    console.log(`dgan bench: rows written to ${flags.json}`);
  }
  return failed ? EXIT_FAILED : 0;
}
