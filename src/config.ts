/**
 * One typed config: defaults → preset file → command-line overrides,
 * validated in one place. Model sizes (ModelConfig) are kept apart from run
 * settings because a resumed run must take them from its checkpoint.
 */
import { readFileSync } from 'node:fs';
import { UserError } from './errors.js';

export interface ModelConfig {
  z_dim: number;
  g_hidden: number;
  d_hidden: number;
  /** Images are image_side × image_side, one channel. */
  image_side: number;
  dropout: number;
  leaky_slope: number;
}

export interface OptimConfig {
  lr: number;
  betas: [number, number];
  eps: number;
  /** MultiStepLR: lr is multiplied by gamma after each listed epoch. */
  milestones: number[];
  gamma: number;
}

export interface TrainConfig {
  epochs: number;
  batch_size: number;
  /** Fixed piece of a batch that one worker computes whole (capped at batch_size); results depend on it, never on the worker count. */
  micro_batch: number;
  shuffle: boolean;
  seed: number;
  /** Batches between loss records (the article's 100). */
  log_every: number;
  /** Target of the real term of D's loss (one-sided label smoothing). */
  real_label: number;
}

export interface Config {
  model: ModelConfig;
  train: TrainConfig;
  optim: { d: OptimConfig; g: OptimConfig };
}

export const DEFAULTS: Config = {
  model: { z_dim: 100, g_hidden: 32, d_hidden: 256, image_side: 28, dropout: 0.3, leaky_slope: 0.2 },
  train: { epochs: 100, batch_size: 128, micro_batch: 64, shuffle: false, seed: 0, log_every: 100, real_label: 0.9 },
  optim: {
    d: { lr: 1e-4, betas: [0.5, 0.999], eps: 1e-8, milestones: [50], gamma: 0.1 },
    g: { lr: 1e-3, betas: [0.5, 0.999], eps: 1e-8, milestones: [20, 50, 80], gamma: 0.5 },
  },
};

type Check = (v: number) => string | null;
const positiveInt: Check = (v) => (Number.isInteger(v) && v >= 1 ? null : 'must be an integer >= 1');
const nonNegativeInt: Check = (v) => (Number.isInteger(v) && v >= 0 ? null : 'must be an integer >= 0');
const positive: Check = (v) => (v > 0 ? null : 'must be > 0');
const unitOpen: Check = (v) => (v >= 0 && v < 1 ? null : 'must be in [0, 1)');
const unitClosed: Check = (v) => (v >= 0 && v <= 1 ? null : 'must be in [0, 1]');

/** Range rules by dotted key; [i] entries of arrays use the key without the index. */
const RULES: Record<string, Check> = {
  'model.z_dim': positiveInt,
  'model.g_hidden': positiveInt,
  'model.d_hidden': positiveInt,
  'model.image_side': positiveInt,
  'model.dropout': unitOpen,
  'model.leaky_slope': (v) => (v >= 0 ? null : 'must be >= 0'),
  'train.epochs': positiveInt,
  'train.batch_size': positiveInt,
  'train.micro_batch': positiveInt,
  'train.seed': (v) => (Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? null : 'must be an integer in [0, 4294967295]'),
  'train.log_every': positiveInt,
  'train.real_label': unitClosed,
  'optim.*.lr': positive,
  'optim.*.betas': unitOpen,
  'optim.*.eps': positive,
  'optim.*.milestones': nonNegativeInt,
  'optim.*.gamma': positive,
};

function ruleFor(key: string): Check | undefined {
  return RULES[key] ?? RULES[key.replace(/^optim\.[dg]\./, 'optim.*.')];
}

/**
 * Checks `value` against the shape of `template` (the defaults), recursively:
 * unknown keys, wrong types and out-of-range values are one-line UserErrors
 * naming the key. Missing keys are filled from the template.
 */
function validate(value: unknown, template: unknown, key: string, source: string): unknown {
  const where = key ? `${source}: ${key}` : source;
  if (Array.isArray(template)) {
    if (!Array.isArray(value)) throw new UserError(`${where} must be an array of numbers`);
    if (key.endsWith('betas') && value.length !== 2) throw new UserError(`${where} must hold exactly 2 numbers`);
    value.forEach((v, i) => validate(v, 0, `${key}[${i}]`, source));
    if (key.endsWith('milestones')) {
      for (let i = 1; i < value.length; i++) {
        if (value[i] <= value[i - 1]) throw new UserError(`${where} must be strictly increasing, got [${value.join(', ')}]`);
      }
    }
    return value;
  }
  if (template !== null && typeof template === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UserError(`${where} must be an object with the keys ${Object.keys(template as object).join(', ')}`);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      if (!(k in (template as object))) {
        const known = Object.keys(template as object).join(', ');
        throw new UserError(`${source}: unknown key "${key ? key + '.' : ''}${k}": remove it or use one of ${known}`);
      }
    }
    for (const [k, t] of Object.entries(template as object)) {
      const sub = key ? `${key}.${k}` : k;
      const v = (value as Record<string, unknown>)[k];
      out[k] = v === undefined ? structuredClone(t) : validate(v, t, sub, source);
    }
    return out;
  }
  if (typeof template === 'boolean') {
    if (typeof value !== 'boolean') throw new UserError(`${where} must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new UserError(`${where} must be a finite number, got ${typeof value === 'number' ? value : JSON.stringify(value)}`);
  const problem = ruleFor(key.replace(/\[\d+\]$/, ''))?.(value);
  if (problem) throw new UserError(`${where} ${problem}, got ${value}`);
  return value;
}

/** Validates a whole or partial config object against the defaults. */
export function parseConfig(value: unknown, source: string): Config {
  return validate(value, DEFAULTS, '', source) as Config;
}

export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read config file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give --config a JSON file like configs/mnist-vanilla.json`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`config file ${path} is not valid JSON (${jsonProblem(text, e as Error)}); fix the file (configs/mnist-vanilla.json shows the format)`);
  }
  return parseConfig(json, path);
}

/** JSON.parse's complaint on one line, its "position N" as a line and column an editor can go to. */
function jsonProblem(text: string, e: Error): string {
  const located = e.message.replace(/at position (\d+)/, (_, at: string) => {
    const before = text.slice(0, Number(at)).split('\n');
    return `at line ${before.length}, column ${before[before.length - 1].length + 1}`;
  });
  return located.replace(/\s+/g, ' '); // V8 quotes the text around the error, newlines and all
}

/** Sets dotted keys (e.g. 'train.epochs') and re-validates; used for command-line overrides. */
export function withOverrides(config: Config, overrides: Record<string, unknown>, source = 'command line'): Config {
  const copy = structuredClone(config) as unknown as Record<string, Record<string, unknown>>;
  for (const [key, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    const [group, name] = key.split('.');
    copy[group][name] = v;
  }
  return parseConfig(copy, source);
}

/** Pixels of one image, the width of G's output and D's input. */
export function imagePixels(model: ModelConfig): number {
  return model.image_side * model.image_side;
}

/** Nested config keys as [dotted key, value]; arrays stay whole. */
export function flattenConfig(value: unknown, prefix = ''): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => flattenConfig(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, Array.isArray(value) ? `[${value.join(', ')}]` : String(value)]];
}
