import test from 'ava';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, DEFAULTS, imagePixels, loadConfigFile, parseConfig, withOverrides } from '../src/config.js';
import { UserError } from '../src/errors.js';
import { ROOT, tempDir } from './helpers/tiny.js';

const PRESET = join(ROOT, 'configs', 'mnist-vanilla.json');
const dir = tempDir('dgan-config-');
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** The defaults with one dotted key (e.g. 'optim.d.lr') set to `value`. */
function withKey(key: string, value: unknown): unknown {
  const config = structuredClone(DEFAULTS) as unknown as Record<string, any>;
  const path = key.split('.');
  const last = path.pop()!;
  path.reduce((o, k) => o[k], config)[last] = value;
  return config;
}

function refuses(t: import('ava').ExecutionContext, value: unknown, message: RegExp): void {
  t.throws(() => parseConfig(value, 'c.json'), { instanceOf: UserError, message }, JSON.stringify(value));
}

test('the defaults are the article\'s preset, configs/mnist-vanilla.json', (t) => {
  t.deepEqual(JSON.parse(readFileSync(PRESET, 'utf8')), DEFAULTS);
  t.deepEqual(loadConfigFile(PRESET), DEFAULTS);
});

test('missing keys are filled from the defaults, as copies', (t) => {
  const config = parseConfig({ model: { z_dim: 10 }, optim: { g: { milestones: [] } } }, 'c.json');
  t.is(config.model.z_dim, 10);
  t.is(config.model.g_hidden, DEFAULTS.model.g_hidden);
  t.deepEqual(config.optim.g.milestones, []);
  t.deepEqual(config.optim.d, DEFAULTS.optim.d);
  t.deepEqual(config.train, DEFAULTS.train);
  config.optim.d.betas[0] = 0.9;
  t.is(DEFAULTS.optim.d.betas[0], 0.5, 'the defaults are not shared');
  t.deepEqual(parseConfig({}, 'c.json'), DEFAULTS);
});

test('an unknown key is refused at any depth, with the known ones', (t) => {
  refuses(t, { modle: {} }, /^c\.json: unknown key "modle": remove it or use one of model, train, optim$/);
  refuses(t, { model: { zdim: 4 } }, /^c\.json: unknown key "model\.zdim": remove it or use one of z_dim, g_hidden, d_hidden, image_side, dropout, leaky_slope$/);
  refuses(t, { optim: { d: { learning_rate: 1 } } }, /^c\.json: unknown key "optim\.d\.learning_rate": remove it or use one of lr, betas, eps, milestones, gamma$/);
  refuses(t, { optim: { e: {} } }, /unknown key "optim\.e": remove it or use one of d, g$/);
});

test('wrong types are refused, naming the key and the value', (t) => {
  refuses(t, 42, /^c\.json must be an object with the keys model, train, optim$/);
  refuses(t, null, /^c\.json must be an object/);
  refuses(t, [], /^c\.json must be an object/);
  refuses(t, { model: [] }, /^c\.json: model must be an object with the keys z_dim, /);
  refuses(t, { optim: { d: 1 } }, /^c\.json: optim\.d must be an object/);
  refuses(t, withKey('train.batch_size', '64'), /^c\.json: train\.batch_size must be a finite number, got "64"$/);
  refuses(t, withKey('model.z_dim', null), /model\.z_dim must be a finite number, got null/);
  refuses(t, withKey('optim.d.lr', Infinity), /optim\.d\.lr must be a finite number/);
  refuses(t, withKey('train.shuffle', 1), /^c\.json: train\.shuffle must be true or false, got 1$/);
  refuses(t, withKey('optim.g.milestones', 20), /^c\.json: optim\.g\.milestones must be an array of numbers$/);
  refuses(t, withKey('optim.g.milestones', [20, '50']), /optim\.g\.milestones\[1\] must be a finite number, got "50"/);
  refuses(t, withKey('optim.d.betas', [0.5]), /^c\.json: optim\.d\.betas must hold exactly 2 numbers$/);
  refuses(t, withKey('optim.d.betas', [0.5, 0.9, 0.99]), /optim\.d\.betas must hold exactly 2 numbers/);
});

/** Each range rule: values it refuses, with the message's rule, and edge values it takes. */
const RANGES: { key: string; bad: unknown[]; rule: string; good: unknown[] }[] = [
  ...['model.z_dim', 'model.g_hidden', 'model.d_hidden', 'model.image_side', 'train.epochs', 'train.batch_size', 'train.micro_batch', 'train.log_every'].map((key) => ({
    key, bad: [0, -1, 1.5], rule: 'must be an integer >= 1', good: [1, 1000],
  })),
  { key: 'model.dropout', bad: [1, -0.1, 1.5], rule: 'must be in [0, 1)', good: [0, 0.999] },
  { key: 'model.leaky_slope', bad: [-0.01], rule: 'must be >= 0', good: [0, 1] },
  { key: 'train.seed', bad: [-1, 2 ** 32, 0.5], rule: 'must be an integer in [0, 4294967295]', good: [0, 2 ** 32 - 1] },
  { key: 'train.real_label', bad: [-0.1, 1.1], rule: 'must be in [0, 1]', good: [0, 1] },
  ...['d', 'g'].flatMap((net) => [
    { key: `optim.${net}.lr`, bad: [0, -1e-4], rule: 'must be > 0', good: [1e-9] },
    { key: `optim.${net}.eps`, bad: [0, -1], rule: 'must be > 0', good: [1e-12] },
    { key: `optim.${net}.gamma`, bad: [0, -0.5], rule: 'must be > 0', good: [2] },
    { key: `optim.${net}.betas`, bad: [[1, 0.999], [0.5, -0.1]], rule: 'must be in [0, 1)', good: [[0, 0], [0.9, 0.999]] },
    { key: `optim.${net}.milestones`, bad: [[-1], [1.5], [10, 20.5]], rule: 'must be an integer >= 0', good: [[], [0], [0, 1, 99]] },
    { key: `optim.${net}.milestones`, bad: [[20, 20], [50, 20], [1, 3, 2]], rule: 'must be strictly increasing', good: [] },
  ]),
];

for (const { key, bad, rule, good } of RANGES) {
  test(`range: ${key} ${rule}`, (t) => {
    const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // An array's element is named with its index, e.g. optim.d.betas[1].
    for (const v of bad) refuses(t, withKey(key, v), new RegExp(`^c\\.json: ${escaped(key)}(\\[\\d+\\])? ${escaped(rule)}, got `));
    for (const v of good) t.deepEqual(parseConfig(withKey(key, v), 'c.json'), withKey(key, v), `${key} = ${JSON.stringify(v)}`);
  });
}

test('withOverrides sets dotted keys, skips undefined ones, re-validates and leaves its input alone', (t) => {
  const base = parseConfig({}, 'c.json');
  const config = withOverrides(base, { 'train.epochs': 3, 'train.batch_size': 64, 'train.seed': undefined });
  t.is(config.train.epochs, 3);
  t.is(config.train.batch_size, 64);
  t.is(config.train.seed, DEFAULTS.train.seed);
  t.deepEqual(base, DEFAULTS, 'the input is not changed');
  t.deepEqual(withOverrides(base, {}), base);
  t.throws(() => withOverrides(base, { 'train.batch_size': 0 }), { instanceOf: UserError, message: /^command line: train\.batch_size must be an integer >= 1, got 0$/ });
  t.throws(() => withOverrides(base, { 'model.dropout': 1 }, '--dropout'), { instanceOf: UserError, message: /^--dropout: model\.dropout must be in \[0, 1\)/ });
});

test('loadConfigFile: an unreadable file or bad JSON is one line naming the file, where, and the fix', (t) => {
  t.throws(() => loadConfigFile(join(dir, 'none.json')), { instanceOf: UserError, message: /^cannot read config file \S+none\.json \(ENOENT\); give --config a JSON file like configs\/mnist-vanilla\.json$/ });
  t.throws(() => loadConfigFile(dir), { instanceOf: UserError, message: /^cannot read config file \S+ \(EISDIR\)/ });

  const text = readFileSync(PRESET, 'utf8');
  const write = (name: string, body: string) => {
    writeFileSync(join(dir, name), body);
    return join(dir, name);
  };
  const comma = write('comma.json', text.replace('"z_dim": 100,', '"z_dim": 100'));
  t.throws(() => loadConfigFile(comma), { instanceOf: UserError, message: /^config file \S+comma\.json is not valid JSON \(Expected ',' or '}' after property value in JSON at line 4, column 5\); fix the file \(configs\/mnist-vanilla\.json shows the format\)$/ });
  // V8 quotes the text around some errors, newlines and all: still one line.
  const word = write('word.json', text.replace('"z_dim": 100', '"z_dim": hundred'));
  const e = t.throws(() => loadConfigFile(word), { instanceOf: UserError, message: /^config file \S+word\.json is not valid JSON \(Unexpected token/ });
  t.false(e!.message.includes('\n'), e!.message);

  const range = write('range.json', text.replace('"lr": 0.0001', '"lr": -1'));
  t.throws(() => loadConfigFile(range), { instanceOf: UserError, message: /^\S+range\.json: optim\.d\.lr must be > 0, got -1$/ });
});

test('imagePixels is image_side squared', (t) => {
  const config: Config = parseConfig({ model: { image_side: 20 } }, 'c.json');
  t.is(imagePixels(config.model), 400);
  t.is(imagePixels(DEFAULTS.model), 784);
});
