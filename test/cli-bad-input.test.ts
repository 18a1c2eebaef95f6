/**
 * Bad input given to `dgan train` through the real CLI: each case ends before
 * training with exit code 2 and one line on stderr naming the problem and its
 * fix, no stack trace, and nothing written (a new run's --out is never made;
 * a resumed run's files are byte for byte as they were).
 */
import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { nativeAvailable } from '../src/backend.js';
import { EXIT_USAGE } from '../src/errors.js';
import { type CliResult, describe, limited, listTree, runCli, tempDir, tinyRun, writeConfig, writeMnistSubset } from './helpers/tiny.js';

const COUNT = 100;
/** CLIs in flight at once per group: each is a short Node start-up on a 2-core machine. */
const LANES = 2;

const root = tempDir('dgan-bad-input-');
test.after.always(() => rmSync(root, { recursive: true, force: true }));

const data = writeMnistSubset(join(root, 'data'), COUNT);
const config = writeConfig(root);
const IMAGES = 'train-images-idx3-ubyte';
const LABELS = 'train-labels-idx1-ubyte';
const images = readFileSync(join(data, IMAGES));
const labels = readFileSync(join(data, LABELS));

/** A copy of the good data folder with files replaced (bytes), made folders ('dir') or left out (null). */
function dataWith(name: string, files: Record<string, Uint8Array | 'dir' | null>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const all: typeof files = { [IMAGES]: images, [LABELS]: labels, ...files };
  for (const [file, bytes] of Object.entries(all)) {
    if (bytes === 'dir') mkdirSync(join(dir, file));
    else if (bytes) writeFileSync(join(dir, file), bytes);
  }
  return dir;
}

/** An unsigned-byte IDX file, as the MNIST files are. */
function idx(dims: number[], body: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x00000800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, body]);
}

function withByte(bytes: Buffer, at: number, value: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = value;
  return copy;
}

/** A good config's text with one edit, so that a JSON error sits mid-file, among newlines. */
function configText(name: string, edit: (text: string) => string): string {
  const path = join(root, name);
  writeFileSync(path, edit(readFileSync(config, 'utf8')));
  return path;
}

interface Case {
  name: string;
  args: string[];
  /** What stderr's one line must say: the problem and the fix. */
  message: RegExp;
}

/** Every file and folder under `dir` with a hash of its bytes: equal snapshots mean nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of listTree(dir)) {
    const full = join(dir, path);
    out[path] = statSync(full).isDirectory() ? 'folder' : createHash('sha256').update(readFileSync(full)).digest('hex');
  }
  return out;
}

/** Exit code 2, a single line on stderr that matches, no stack frames. */
function refused(t: ExecutionContext, c: Case, r: CliResult): void {
  t.is(r.code, EXIT_USAGE, `${c.name}: ${describe(r)}`);
  t.regex(r.stderr, /^dgan: [^\n]+\n$/, `${c.name}: one line on stderr\n${r.stderr}`);
  t.regex(r.stderr, c.message, c.name);
  t.notRegex(r.stderr, /^\s+at /m, `${c.name}: no stack trace`);
}

/** New runs: each case gets its own --out, which must not exist afterwards. A case's args come last, so they win. */
async function newRunCases(t: ExecutionContext, cases: Case[], outFor = (c: Case) => join(root, 'out', c.name)): Promise<void> {
  await limited(LANES, cases.map((c) => async () => {
    const out = outFor(c);
    const r = await runCli(['train', '--max-steps', '1', '--workers', '1', '--data', data, '--config', config, '--out', out, ...c.args]);
    refused(t, c, r);
    t.false(existsSync(out), `${c.name}: ${out} was not made`);
  }));
}

test('bad data folders and IDX files are refused', async (t) => {
  const side = 20;
  await newRunCases(t, [
    { name: 'missing folder', args: ['--data', join(root, 'no-such-folder')], message: /no-such-folder: MNIST directory not found; expected the four MNIST IDX files .*: give --data a folder that holds them/ },
    { name: 'a file, not a folder', args: ['--data', join(data, IMAGES)], message: /: not a directory; expected .*: give --data a folder/ },
    { name: 'missing labels', args: ['--data', dataWith('no-labels', { [LABELS]: null })], message: /missing train-labels-idx1-ubyte \(or train-labels-idx1-ubyte\.gz\); expected .*: give --data a folder/ },
    { name: 'unreadable images', args: ['--data', dataWith('unreadable', { [IMAGES]: 'dir' })], message: /train-images-idx3-ubyte: cannot read file \(EISDIR\); it must be a readable IDX file/ },
    { name: 'truncated', args: ['--data', dataWith('truncated', { [IMAGES]: images.subarray(0, images.length - 100) })], message: /train-images-idx3-ubyte: truncated: expected \d+ bytes, found \d+; replace it with a complete copy/ },
    { name: 'wrong magic', args: ['--data', dataWith('magic', { [LABELS]: withByte(labels, 2, 0x0d) })], message: /train-labels-idx1-ubyte: bad magic 0x00 0x00 0x0d 0x01: .*; give an MNIST IDX file/ },
    { name: 'gzipped, named plain', args: ['--data', dataWith('gzipped', { [IMAGES]: gzipSync(images) })], message: /bad magic 0x1f 0x8b .*it is gzipped: rename it to train-images-idx3-ubyte\.gz/ },
    { name: 'images 20x20', args: ['--data', dataWith('side-20', { [IMAGES]: idx([COUNT, side, side], new Uint8Array(COUNT * side * side)) })], message: /the data's images are 20×20 but the model takes 28×28; set model\.image_side in the config to match/ },
    { name: 'config image_side 20', args: ['--config', writeConfig(root, { model: { image_side: side } }, 'side-20.json')], message: /the data's images are 28×28 but the model takes 20×20; set model\.image_side in the config to match/ },
    { name: 'counts differ', args: ['--data', dataWith('counts', { [LABELS]: idx([COUNT - 1], labels.subarray(8, 8 + COUNT - 1)) })], message: /train-images-idx3-ubyte has 100 images but \S+train-labels-idx1-ubyte has 99 labels; counts must match: use the images and labels of the same set/ },
  ]);
});

test('bad config files are refused, naming the file and the key', async (t) => {
  const bad = (name: string, overrides: Parameters<typeof writeConfig>[1]) => ['--config', writeConfig(root, overrides, `${name}.json`)];
  await newRunCases(t, [
    { name: 'missing', args: ['--config', join(root, 'no-such.json')], message: /cannot read config file \S+no-such\.json \(ENOENT\); give --config a JSON file like configs\/mnist-vanilla\.json/ },
    // V8 quotes the text around this one, newlines included: the message must still be one line.
    { name: 'not JSON: a bare word', args: ['--config', configText('word.json', (s) => s.replace('"z_dim": 16', '"z_dim": sixteen'))], message: /word\.json is not valid JSON \(Unexpected token .*\); fix the file/ },
    { name: 'not JSON: a missing comma', args: ['--config', configText('comma.json', (s) => s.replace('"z_dim": 16,', '"z_dim": 16'))], message: /comma\.json is not valid JSON \(Expected ',' or '}' after property value in JSON at line 4, column 5\); fix the file/ },
    { name: 'unknown key', args: ['--config', configText('unknown.json', (s) => s.replace('"lr"', '"learning_rate"'))], message: /unknown\.json: unknown key "optim\.d\.learning_rate": remove it or use one of lr, betas, eps, milestones, gamma/ },
    { name: 'negative lr', args: bad('lr-negative', { optim: { d: { lr: -0.001 } } }), message: /lr-negative\.json: optim\.d\.lr must be > 0, got -0\.001/ },
    { name: 'zero lr', args: bad('lr-zero', { optim: { g: { lr: 0 } } }), message: /lr-zero\.json: optim\.g\.lr must be > 0, got 0/ },
    { name: 'batch size 0', args: bad('batch-0', { train: { batch_size: 0 } }), message: /batch-0\.json: train\.batch_size must be an integer >= 1, got 0/ },
    { name: 'milestones not increasing', args: bad('milestones', { optim: { g: { milestones: [50, 20] } } }), message: /milestones\.json: optim\.g\.milestones must be strictly increasing, got \[50, 20\]/ },
    { name: 'dropout 1', args: bad('dropout-1', { model: { dropout: 1 } }), message: /dropout-1\.json: model\.dropout must be in \[0, 1\), got 1/ },
    { name: 'dropout negative', args: bad('dropout-negative', { model: { dropout: -0.1 } }), message: /dropout-negative\.json: model\.dropout must be in \[0, 1\), got -0\.1/ },
  ]);
});

test('bad flags are refused: --workers, --batch-size, --backend', async (t) => {
  const invalid = (flag: string, value: string, rule: string) => new RegExp(`option '${flag} <\\w+>' argument '${value}' is invalid\\. ${rule}`);
  await newRunCases(t, [
    { name: 'workers 0', args: ['--workers', '0'], message: invalid('--workers', '0', 'must be an integer in \\[1, 64\\]') },
    { name: 'workers 999', args: ['--workers', '999'], message: invalid('--workers', '999', 'must be an integer in \\[1, 64\\]') },
    { name: 'workers two', args: ['--workers', 'two'], message: invalid('--workers', 'two', 'must be an integer in \\[1, 64\\]') },
    { name: 'batch size 0', args: ['--batch-size', '0'], message: invalid('--batch-size', '0', 'must be an integer >= 1') },
    { name: 'unknown backend', args: ['--backend', 'metal'], message: invalid('--backend', 'metal', 'Allowed choices are auto, wasm, cpu, tensorflow') },
  ]);
});

test('--backend tensorflow without tfjs-node says what to install', async (t) => {
  if (await nativeAvailable()) return t.pass('tfjs-node is installed here');
  await newRunCases(t, [
    { name: 'tensorflow', args: ['--backend', 'tensorflow'], message: /the tensorflow backend needs @tensorflow\/tfjs-node-gpu \(CUDA\) or @tensorflow\/tfjs-node: run `npm install @tensorflow\/tfjs-node-gpu@4\.22\.0` \(or tfjs-node\), or use --backend wasm/ },
  ]);
});

test('an --out that cannot be written is refused and nothing is made', async (t) => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'not a folder\n');
  const outs: Record<string, string> = {
    'under a file': join(file, 'run'),
    // Root passes every access check; /proc refuses new folders all the same.
    'under /proc': `/proc/dgan-test-${process.pid}/run`,
    // The first folder is made, the second's name is too long: the first must be removed again.
    'half made': join(root, 'half-made', 'x'.repeat(300)),
  };
  const cases: Case[] = [
    { name: 'under a file', args: [], message: /cannot write to \S+a-file\/run: \S+a-file is not a folder you can write to; choose another --out/ },
    { name: 'under /proc', args: [], message: /cannot (create|write to) \/proc\/dgan-test-\d+\/run\b.*; choose an/ },
    { name: 'half made', args: [], message: /cannot create \S+half-made\/x+\S* \(ENAMETOOLONG\); choose another --out folder you can write to/ },
  ];
  await newRunCases(t, cases, (c) => outs[c.name]);
  t.false(existsSync(join(root, 'half-made')), 'the folder made before the failure is removed');

  // An existing file as --out: refused, and left as it was.
  const r = await runCli(['train', '--max-steps', '1', '--data', data, '--config', config, '--out', file]);
  refused(t, { name: 'a file', args: [], message: /--out \S+a-file is a file; give a folder/ }, r);
  t.is(readFileSync(file, 'utf8'), 'not a folder\n');
});

test('--resume refuses a folder without a checkpoint, other model sizes or settings, --out and a damaged checkpoint, writing nothing', async (t) => {
  const run = await tinyRun(join(root, 'tiny'), 1);
  const copy = (name: string, damage?: (bytes: Buffer) => Buffer) => {
    const dir = join(root, name);
    cpSync(run, dir, { recursive: true });
    if (damage) writeFileSync(join(dir, 'checkpoint.dgan'), damage(readFileSync(join(dir, 'checkpoint.dgan'))));
    return dir;
  };
  const empty = join(root, 'no-run');
  mkdirSync(empty);
  const other = writeConfig(root, { model: { d_hidden: 32 } }, 'other-sizes.json');
  const cases: (Case & { dir: string })[] = [
    { name: 'no checkpoint', dir: empty, args: [], message: /no checkpoint in \S+no-run \(expected checkpoint\.dgan\); give the run directory of an earlier `dgan train`/ },
    { name: 'other sizes', dir: run, args: ['--config', other], message: /other-sizes\.json has other model sizes than the checkpoint \(d_hidden 32 vs 16\); drop --config or start a new run/ },
    { name: 'a flipped payload byte', dir: copy('flipped', (b) => withByte(b, b.length >> 1, b[b.length >> 1] ^ 0x01)), args: [], message: /flipped\/checkpoint\.dgan is damaged \(checksum mismatch\); refusing to load it: restore it from a copy, or start a new run/ },
    { name: 'a flipped header byte', dir: copy('flipped-header', (b) => withByte(b, 0, b[0] ^ 0x01)), args: [], message: /flipped-header\/checkpoint\.dgan is not a dgan checkpoint \(or its header is damaged\); refusing to load it/ },
    { name: 'a cut checkpoint', dir: copy('cut', (b) => b.subarray(0, b.length - 1000)), args: [], message: /cut\/checkpoint\.dgan is damaged \(checksum mismatch\)/ },
    { name: 'another learning rate', dir: run, args: ['--config', writeConfig(root, { optim: { g: { lr: 0.002 } } }, 'other-lr.json')], message: /other-lr\.json differs from the run's config in [^:]*optim\.g\.lr: a resumed run keeps its settings; drop --config or start a new run/ },
    { name: '--out', dir: run, args: ['--out', join(root, 'elsewhere')], message: /--out cannot be used with --resume: a resumed run continues in its own directory/ },
    { name: '20x20 data', dir: run, args: ['--data', dataWith('resume-side-20', { [IMAGES]: idx([COUNT, 20, 20], new Uint8Array(COUNT * 400)) })], message: /images are 20×20 but the model takes 28×28; give --data the images the run was trained on/ },
  ];
  const before = cases.map((c) => snapshot(c.dir));
  // --epochs 2: a valid continuation of the finished one-epoch run, were the input good.
  const results = await limited(LANES, cases.map((c) => () => runCli(['train', '--resume', c.dir, '--epochs', '2', '--workers', '1', '--data', data, ...c.args])));
  cases.forEach((c, i) => {
    refused(t, c, results[i]);
    t.deepEqual(snapshot(c.dir), before[i], `${c.name}: ${c.dir} is unchanged`);
  });
});
