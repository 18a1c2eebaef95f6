import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stepFlops } from '../bench/flops.js';
import { type BenchRow, fillSpeedups, formatTable } from '../bench/report.js';
import { nativeAvailable } from '../src/backend.js';
import { DEFAULTS } from '../src/config.js';
import { backendList, benchPlan, defaultWorkerCounts, intList } from '../src/commands/bench.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const KEYS = ['backend', 'workers', 'ms_per_step', 'images_per_sec', 'speedup_vs_1', 'speedup_vs_baseline', 'gflops', 'overhead_share', 'rss_mb', 'worker_rss_mb'];

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number | string }) | null;
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const describeRun = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** configs/mnist-vanilla.json with small hidden sizes: a step takes milliseconds. */
function smallConfig(dir: string): string {
  const config = JSON.parse(readFileSync(join(ROOT, 'configs', 'mnist-vanilla.json'), 'utf8'));
  config.model.d_hidden = 32;
  config.model.g_hidden = 8;
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'dgan-bench-'));

test('stepFlops counts the matMuls of the default model: 2.69 GFLOP per 128-row step', (t) => {
  const B = 128;
  // [in, out] of each layer: G z→h→2h→4h→784 (h 32), D 784→4h→2h→h→1 (h 256).
  const G = [100 * 32, 32 * 64, 64 * 128, 128 * 784];
  const D = [784 * 1024, 1024 * 512, 512 * 256, 256 * 1];
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const mm = (rows: number, products: number[]) => 2 * rows * sum(products);
  const dPhase = mm(B, G) + mm(2 * B, D) /* D forward */ + mm(2 * B, D) /* D weight grads */ + mm(2 * B, D.slice(1)); /* D input grads, layers 2–4 */
  const gPhase = mm(B, G) + mm(B, D) /* D forward */ + mm(B, D) /* D input grads */ + mm(B, G) /* G weight grads */ + mm(B, G.slice(1)); /* G input grads */
  const expected = dPhase + gPhase;
  t.is(expected, 2_691_530_752);
  t.is(stepFlops(DEFAULTS.model, B), expected);
  t.true(expected >= 2.6e9 && expected <= 3.0e9);
  t.is(stepFlops(DEFAULTS.model, 64) * 2, expected, 'linear in the batch');
});

test('bench plan: defaults, the lighter cpu rows, explicit flags win', (t) => {
  t.deepEqual(defaultWorkerCounts(2), [1, 2]);
  t.deepEqual(defaultWorkerCounts(1), [1, 2]);
  t.deepEqual(defaultWorkerCounts(8), [1, 2, 8]);
  const plan = benchPlan({ baseline: true }, 8);
  t.deepEqual(plan.backends, [
    { backend: 'wasm', workers: [1, 2, 8], warmup: 3, steps: 10 },
    { backend: 'cpu', workers: [1, 2], warmup: 1, steps: 2 },
    { backend: 'tensorflow', workers: [1, 2, 8], warmup: 3, steps: 10 },
  ]);
  t.deepEqual(plan.baseline, { warmup: 1, steps: 2 });
  const asked = benchPlan({ baseline: false, backends: ['cpu'], workers: [4], steps: 5, warmup: 0 }, 8);
  t.deepEqual(asked.backends, [{ backend: 'cpu', workers: [4], warmup: 0, steps: 5 }]);
  t.is(asked.baseline, null);
  t.deepEqual(benchPlan({ baseline: true, backends: ['cpu'], steps: 5, cpuSteps: 3 }).backends[0].steps, 3);
});

test('list parsers: deduplicated; bad entries rejected', (t) => {
  t.deepEqual(intList(1)('4, 1,2,4'), [1, 2, 4]);
  t.throws(() => intList(1)('1,0'));
  t.throws(() => intList(1)('1,,2'));
  t.throws(() => intList(1)('two'));
  t.deepEqual(backendList('wasm,cpu,wasm'), ['wasm', 'cpu']);
  t.throws(() => backendList('wasm,auto'));
});

test('speed-ups are over the same backend at 1 worker and over the baseline', (t) => {
  const row = (kind: BenchRow['kind'], backend: BenchRow['backend'], workers: number, ms: number): BenchRow => ({
    kind, backend, workers, steps: 1, ms_per_step: ms, images_per_sec: 128_000 / ms, speedup_vs_1: null, speedup_vs_baseline: null,
    gflops: 1, overhead_share: 0.1, rss_mb: 100, worker_rss_mb: 10,
  });
  const rows = [row('dgan', 'wasm', 1, 400), row('dgan', 'wasm', 2, 250), row('dgan', 'cpu', 2, 2000), row('baseline', 'wasm', 1, 3600)];
  fillSpeedups(rows);
  t.deepEqual(rows.map((r) => r.speedup_vs_1), [1, 1.6, null, null]);
  t.deepEqual(rows.map((r) => r.speedup_vs_baseline), [9, 14.4, 1.8, 1]);
  const table = formatTable(rows);
  t.is(table.split('\n').length, 2 + rows.length);
  t.regex(table, /baseline: tf\.layers on wasm/);
});

test('dgan bench --backends wasm --workers 1 writes sane JSON rows', async (t) => {
  const dir = tempDir();
  const json = join(dir, 'b.json');
  const r = await runCli(['bench', '--backends', 'wasm', '--workers', '1', '--steps', '1', '--warmup', '0', '--no-baseline', '--config', smallConfig(dir), '--json', json]);
  t.is(r.code, 0, describeRun(r));
  t.regex(r.stdout, /wasm ×1: \d+ ms\/step/, 'a progress line per row');
  t.regex(r.stdout, /ms\/step\s+img\/s/, 'the table');
  const rows = JSON.parse(readFileSync(json, 'utf8'));
  t.true(Array.isArray(rows));
  t.is(rows.length, 1);
  const row = rows[0];
  for (const key of KEYS) t.true(key in row, `key ${key}`);
  t.is(row.backend, 'wasm');
  t.is(row.workers, 1);
  t.true(row.ms_per_step > 0, `ms_per_step ${row.ms_per_step}`);
  const expected = (DEFAULTS.train.batch_size * 1000) / row.ms_per_step;
  t.true(Math.abs(row.images_per_sec - expected) <= 0.01 * expected, `images_per_sec ${row.images_per_sec} vs ${expected}`);
  t.is(row.speedup_vs_1, 1);
  t.is(row.speedup_vs_baseline, null, '--no-baseline');
  t.true(row.gflops > 0);
  t.true(row.overhead_share >= 0 && row.overhead_share < 1, `overhead_share ${row.overhead_share}`);
  t.true(row.rss_mb > 0);
  t.true(row.worker_rss_mb > 0);
});

test('dgan bench --backends tensorflow: a "not installed" row, exit 0', async (t) => {
  const dir = tempDir();
  const json = join(dir, 'b.json');
  const r = await runCli(['bench', '--backends', 'tensorflow', '--workers', '1', '--steps', '1', '--warmup', '0', '--no-baseline', '--config', smallConfig(dir), '--json', json]);
  t.is(r.code, 0, describeRun(r));
  const rows = JSON.parse(readFileSync(json, 'utf8'));
  t.is(rows.length, 1);
  t.is(rows[0].backend, 'tensorflow');
  for (const key of KEYS) t.true(key in rows[0], `key ${key}`);
  if (await nativeAvailable()) {
    t.true(rows[0].ms_per_step > 0, 'tensorflow is installed here: the row has numbers');
  } else {
    t.regex(rows[0].note, /not installed/);
    t.is(rows[0].ms_per_step, null);
    t.regex(r.stdout, /tensorflow.*not installed/);
  }
});

test('dgan bench: bad values are one-line usage errors, exit 2', async (t) => {
  const aFile = join(tempDir(), 'file');
  writeFileSync(aFile, '');
  // A --json under a regular file, or where /proc takes no files, is refused before any measuring.
  for (const args of [['--workers', '0'], ['--workers', '65'], ['--backends', 'gpu'], ['--steps', 'x'], ['--batch-size', '0'], ['--json', join(aFile, 'b.json')], ['--json', '/proc/b.json']]) {
    const r = await runCli(['bench', ...args]);
    t.is(r.code, 2, `${args.join(' ')}: ${describeRun(r)}`);
    t.regex(r.stderr, /error/, args.join(' '));
  }
});
