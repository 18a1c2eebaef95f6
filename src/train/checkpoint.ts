/**
 * Checkpoint file: 8-byte magic, uint32 format version, sha256 of the
 * payload, then the payload (msgpackr). Written atomically (temporary file,
 * fsync, rename), so a crash mid-save leaves the previous checkpoint whole;
 * a file that fails any check is refused, never loaded.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { type ModelConfig, parseConfig } from '../config.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import { discriminatorSpec, generatorSpec } from '../model/layout.js';
import type { TrainState } from './state.js';

export const CHECKPOINT_FILE = 'checkpoint.dgan';
const MAGIC = Buffer.from('DGANCKPT');
const FORMAT_VERSION = 1;
const HEADER = MAGIC.length + 4 + 32;
const packr = new Packr({ useRecords: false, moreTypes: true });
/** What to do about a checkpoint that cannot be used: nothing in it can be trusted. */
const REFUSED = 'refusing to load it: restore it from a copy, or start a new run';

export function checkpointPath(dir: string): string {
  return join(dir, CHECKPOINT_FILE);
}

export function encodeCheckpoint(state: TrainState): Buffer {
  const payload = packr.pack(state);
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, MAGIC.length);
  createHash('sha256').update(payload).digest().copy(header, MAGIC.length + 4);
  return Buffer.concat([header, payload]);
}

export function saveCheckpoint(dir: string, state: TrainState): void {
  writeFileAtomic(checkpointPath(dir), encodeCheckpoint(state));
}

export function decodeCheckpoint(bytes: Buffer, name: string): TrainState {
  if (bytes.length < HEADER || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new UserError(`${name} is not a dgan checkpoint (or its header is damaged); ${REFUSED}`);
  const version = bytes.readUInt32LE(MAGIC.length);
  if (version !== FORMAT_VERSION) throw new UserError(`${name} has checkpoint format ${version}; this dgan reads format ${FORMAT_VERSION}: use the dgan that wrote it, or start a new run`);
  const payload = bytes.subarray(HEADER);
  const sum = createHash('sha256').update(payload).digest();
  if (!sum.equals(bytes.subarray(MAGIC.length + 4, HEADER))) throw new UserError(`${name} is damaged (checksum mismatch); ${REFUSED}`);
  const state = packr.unpack(payload) as TrainState;
  state.config = parseConfig(state.config, name);
  const sizes = [generatorSpec(state.config.model).size, discriminatorSpec(state.config.model).size];
  const nets = [state.g, state.d];
  nets.forEach((net, i) => {
    if (!(net?.params instanceof Float32Array) || net.params.length !== sizes[i] || net.adam.m.length !== sizes[i] || net.adam.v.length !== sizes[i]) {
      throw new UserError(`${name} is damaged: its parameter arrays do not fit its model sizes; ${REFUSED}`);
    }
  });
  return state;
}

export function loadCheckpoint(dir: string): TrainState {
  const path = checkpointPath(dir);
  if (!existsSync(path)) throw new UserError(`no checkpoint in ${dir} (expected ${CHECKPOINT_FILE}); give the run directory of an earlier \`dgan train\``);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it must be a readable file`);
  }
  return decodeCheckpoint(bytes, path);
}

/** A resumed run keeps its checkpoint's architecture; mixing two is refused. */
export function assertSameModel(a: ModelConfig, b: ModelConfig, source: string): void {
  const diff = (Object.keys(a) as (keyof ModelConfig)[]).filter((k) => a[k] !== b[k]);
  if (diff.length) {
    const what = diff.map((k) => `${k} ${b[k]} vs ${a[k]}`).join(', ');
    throw new UserError(`${source} has other model sizes than the checkpoint (${what}); drop --config or start a new run`);
  }
}
