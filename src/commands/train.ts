/** `dgan train`: resolve config, backend, data and run directory, then train. */
import { type BackendChoice, type BackendName, TENSORFLOW_MISSING, nativeAvailable, resolveBackend, startBackend } from '../backend.js';
import { type Config, flattenConfig, loadConfigFile, withOverrides } from '../config.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ImageSet, defaultMnistDir, imageSetSha256, loadMnist } from '../data/mnist.js';
import { checkFaultPlan } from '../dist/faults.js';
import { EXIT_INTERRUPTED, UserError } from '../errors.js';
import { assertSameModel, loadCheckpoint } from '../train/checkpoint.js';
import { checkSharedMemory } from '../train/replicas.js';
import { RunDir, checkNewRunDir, defaultRunDir } from '../train/rundir.js';
import { type TrainState, freshState } from '../train/state.js';
import { type TrainOptions, imagesFitModel, train } from '../train/trainer.js';
import { checkJudgeFits, loadJudgeSet, openScorer } from '../eval/scorer.js';
import { DEFAULT_JUDGE, EVAL_DEFAULTS } from './eval.js';
import { CORES, DEFAULT_CONFIG, packagePath } from './options.js';

export interface TrainFlags {
  config?: string;
  epochs?: number;
  maxSteps?: number;
  batchSize?: number;
  seed?: number;
  workers?: number;
  backend: BackendChoice;
  out?: string;
  resume?: string;
  data?: string;
  stepTimeout: number;
  maxFailures: number;
  evalEvery?: number;
  evalN?: number;
}

/** A resumed run keeps its checkpoint's config; only the epoch count may grow. */
function resumedState(flags: TrainFlags): TrainState {
  if (flags.out !== undefined) throw new UserError(`--out cannot be used with --resume: a resumed run continues in its own directory (${flags.resume})`);
  const state = loadCheckpoint(flags.resume!);
  if (flags.config) {
    const given = loadConfigFile(flags.config);
    assertSameModel(state.config.model, given.model, flags.config);
    const ours = new Map(flattenConfig(state.config));
    const changed = flattenConfig(given).filter(([k, v]) => k !== 'train.epochs' && ours.get(k) !== v).map(([k]) => k);
    if (changed.length) throw new UserError(`${flags.config} differs from the run's config in ${changed.join(', ')}: a resumed run keeps its settings; drop --config or start a new run`);
  }
  for (const [flag, key] of [['batchSize', 'batch_size'], ['seed', 'seed']] as const) {
    const v = flags[flag];
    if (v !== undefined && v !== state.config.train[key]) {
      throw new UserError(`--${flag === 'batchSize' ? 'batch-size' : 'seed'} ${v} differs from the checkpoint's ${state.config.train[key]}: a resumed run keeps its settings`);
    }
  }
  state.config = withOverrides(state.config, { 'train.epochs': flags.epochs });
  const { epoch, step } = state.position;
  const { epochs } = state.config.train;
  if (epoch >= epochs) throw new UserError(`the run in ${flags.resume} has finished its ${epochs} epochs; pass --epochs with more to train further`);
  if (flags.maxSteps !== undefined && flags.maxSteps <= step) {
    throw new UserError(`the run in ${flags.resume} is at step ${step} already; --max-steps ${flags.maxSteps} leaves nothing to do`);
  }
  return state;
}

function newState(flags: TrainFlags): TrainState {
  const base: Config = loadConfigFile(flags.config ?? packagePath(DEFAULT_CONFIG));
  const config = withOverrides(base, { 'train.epochs': flags.epochs, 'train.batch_size': flags.batchSize, 'train.seed': flags.seed });
  checkSharedMemory(config);
  return freshState(config);
}

/** data.json of a run: the training set it was trained on, so that a resume cannot switch it silently. */
interface DataRecord {
  train: { dir: string; images: number; sha256: string };
}

function dataRecord(dir: string, set: ImageSet): DataRecord {
  return { train: { dir: resolve(dir), images: set.count, sha256: imageSetSha256(set) } };
}

function checkSameData(runDir: string, now: DataRecord): void {
  const path = join(runDir, 'data.json');
  if (!existsSync(path)) return; // a run from before data.json: nothing to compare
  let then: DataRecord['train'] | undefined;
  try {
    then = (JSON.parse(readFileSync(path, 'utf8')) as DataRecord).train;
  } catch {
    // unreadable: reported below with the other damage
  }
  if (typeof then?.sha256 !== 'string') throw new UserError(`${path} is damaged; delete it to resume without checking that --data is the run's training set`);
  if (then.sha256 !== now.train.sha256) {
    throw new UserError(`the run in ${runDir} was trained on other images (${then.images} from ${then.dir}) than --data gives (${now.train.images} from ${now.train.dir}); give --data ${then.dir}`);
  }
}

async function backendFor(choice: BackendChoice): Promise<BackendName> {
  if (choice === 'tensorflow' && !(await nativeAvailable())) throw new UserError(TENSORFLOW_MISSING);
  return resolveBackend(choice);
}

/** The judge of `dgan eval`, run on the coordinator thread between epochs. */
async function scorerFor(state: TrainState, every: number, n: number, data?: string): Promise<TrainOptions['evaluate']> {
  checkJudgeFits(state.config.model);
  await startBackend('wasm');
  const scorer = openScorer(packagePath(DEFAULT_JUDGE), loadJudgeSet(data ?? defaultMnistDir(), 't10k'));
  return { every, judge: scorer.judge.header.sha256, score: (s) => scorer.scoreG(`G (step ${s.position.step})`, s.g.params, s.config.model, n, EVAL_DEFAULTS.seed) };
}

export async function trainCommand(flags: TrainFlags): Promise<number> {
  const fault = checkFaultPlan(process.env.DGAN_TEST_FAULT);
  if (flags.evalN !== undefined && !flags.evalEvery) throw new UserError('--eval-n sets the samples of the evaluations that --eval-every asks for; add --eval-every K');
  // Everything the user gave is checked before the run directory is touched.
  const state = flags.resume ? resumedState(flags) : newState(flags);
  const backend = await backendFor(flags.backend);
  const dataDir = flags.data ?? defaultMnistDir();
  const data = loadMnist(dataDir, 'train', { shared: true });
  const misfit = imagesFitModel(data, state);
  // A resumed run's sizes are its checkpoint's, so there only the data can change.
  if (misfit) throw new UserError(`${misfit}; ${flags.resume ? 'give --data the images the run was trained on' : 'set model.image_side in the config to match'}`);
  const dataJson = dataRecord(dataDir, data);
  if (flags.resume) checkSameData(flags.resume, dataJson);
  if (flags.out === '') throw new UserError('--out is empty: give the folder to write the run into');
  const outDir = flags.resume ?? flags.out ?? defaultRunDir();
  if (!flags.resume) checkNewRunDir(outDir);
  // One worker on a GPU unless told otherwise: the device, not the cores, is what runs in parallel.
  const workers = flags.workers ?? (backend === 'tensorflow' ? 1 : CORES);

  const evaluate = flags.evalEvery ? await scorerFor(state, flags.evalEvery, flags.evalN ?? EVAL_DEFAULTS.n, flags.data) : undefined;

  const run = new RunDir(outDir);
  run.writeJson('config.json', state.config);
  run.writeJson('data.json', dataJson);
  let stopSignal: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) {
      // A second signal: give up waiting for the step.
      console.error(`${signal} again: exiting now; the last checkpoint written is kept`);
      process.exit(EXIT_INTERRUPTED);
    }
    stopSignal = signal;
    console.error(`\n${signal}: stopping after this step and writing a checkpoint…`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const pos = state.position;
    console.log(`dgan: ${flags.resume ? `resuming at epoch ${pos.epoch + 1}, batch ${pos.batch}, step ${pos.step}` : 'training'} | ${workers} worker${workers > 1 ? 's' : ''} on ${backend} | run dir ${outDir}`);
    const summary = await train({
      state,
      data,
      run,
      workers,
      backend,
      maxSteps: flags.maxSteps,
      stepTimeoutMs: flags.stepTimeout * 1000,
      maxFailures: flags.maxFailures,
      fault,
      shouldStop: () => stopSignal !== null,
      evaluate,
    });
    console.log(
      `dgan: ${summary.end} after ${summary.steps} steps (${summary.epochs.toFixed(2)} epochs) | d_loss ${summary.d_loss?.toFixed(4)} g_loss ${summary.g_loss?.toFixed(4)} | ${summary.images_per_sec.toFixed(0)} img/s | params_sha256 ${summary.params_sha256}`,
    );
    if (summary.end === 'interrupted') {
      console.error(`dgan: interrupted by ${stopSignal}; checkpoint written, continue with: dgan train --resume ${outDir}`);
      return EXIT_INTERRUPTED;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
