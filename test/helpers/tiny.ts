/**
 * Helpers for the end-to-end tests: a small MNIST subset as IDX files, a
 * config with small model sizes, and the real CLI run as a child process.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../../src/config.js';
import { defaultMnistDir, loadMnist } from '../../src/data/mnist.js';
import type { Summary } from '../../src/train/trainer.js';

/** The repository root, found from the compiled module (dist/test/helpers/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

/** A fresh empty temporary directory. */
export function tempDir(prefix = 'dgan-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** An unsigned-byte IDX file: magic 0x0000 08 <ndims>, dims as big-endian uint32, then the bytes. */
export function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x00000800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

let mnist: ReturnType<typeof loadMnist> | undefined;

/** Writes the first `count` MNIST training images and labels into `dir` (the train split only). */
export function writeMnistSubset(dir: string, count: number): string {
  mnist ??= loadMnist(defaultMnistDir(), 'train');
  if (count > mnist.count) throw new RangeError(`MNIST has only ${mnist.count} training images`);
  const pixels = mnist.rows * mnist.cols;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes([count, mnist.rows, mnist.cols], mnist.images.subarray(0, count * pixels)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([count], mnist.labels.subarray(0, count)));
  return dir;
}

/** Small model sizes: each step takes milliseconds. */
export const TINY_MODEL = { z_dim: 16, g_hidden: 8, d_hidden: 16, image_side: 28 };

export interface ConfigOverrides {
  model?: Partial<typeof DEFAULTS.model>;
  train?: Partial<typeof DEFAULTS.train>;
  optim?: { d?: Partial<typeof DEFAULTS.optim.d>; g?: Partial<typeof DEFAULTS.optim.g> };
}

/** Writes dir/config.json, the shape of configs/mnist-vanilla.json with TINY_MODEL and `overrides`; returns its path. */
export function writeConfig(dir: string, overrides: ConfigOverrides = {}, name = 'config.json'): string {
  const config = {
    model: { ...DEFAULTS.model, ...TINY_MODEL, ...overrides.model },
    train: { ...DEFAULTS.train, ...overrides.train },
    optim: {
      d: { ...DEFAULTS.optim.d, ...overrides.optim?.d },
      g: { ...DEFAULTS.optim.g, ...overrides.optim?.g },
    },
  };
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(config, null, 2) + '\n');
  return path;
}

export interface CliResult {
  /** The exit code; null when the process was killed by a signal (e.g. the timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/src/cli.js ...args` in the repository root; resolves whatever the exit code. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        const code = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
        resolve({ code, signal: e?.signal ?? null, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** A failure message with the CLI's output, for assertions on the exit code. */
export function describe(r: CliResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The records of a run's log.jsonl. */
export function readLog(runDir: string): Record<string, any>[] {
  return readFileSync(join(runDir, 'log.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/** The run's summary.json, as the trainer writes it. */
export type SummaryJson = Summary;

export function readSummary(runDir: string): SummaryJson {
  return readJson<SummaryJson>(join(runDir, 'summary.json'));
}

/** Runs `fns` with at most `limit` in flight at once (the machine may have 2 cores). */
export async function limited<T>(limit: number, fns: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(fns.length);
  let next = 0;
  const lane = async () => {
    while (next < fns.length) {
      const i = next++;
      out[i] = await fns[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, fns.length) }, lane));
  return out;
}

/**
 * A finished two-epoch run on 100 images, 4 batches of 32 an epoch, every
 * batch logged: samples/epoch-001.png and epoch-002.png, a checkpoint, the
 * report. For the commands that read runs; a few seconds.
 */
export async function tinyRun(dir: string, epochs = 2): Promise<string> {
  const data = writeMnistSubset(join(dir, 'data'), 100);
  const config = writeConfig(dir, { train: { log_every: 1 } });
  const out = join(dir, 'run');
  const r = await runCli(['train', '--epochs', String(epochs), '--workers', '1', '--data', data, '--config', config, '--batch-size', '32', '--out', out]);
  if (r.code !== 0) throw new Error(`the tiny run failed: ${describe(r)}`);
  return out;
}

/** Every path under `dir`, relative, sorted: to show that a failed command wrote nothing. */
export function listTree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}
