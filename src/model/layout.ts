/**
 * The two MLPs as data: their layers, and where each parameter lives in the
 * network's one flat Float32Array. One flat array per network makes the
 * all-reduce, Adam and checkpoints a single loop each.
 *
 * Weights are stored [in, out] (x·W), the transpose of PyTorch's [out, in].
 */
import { type ModelConfig, imagePixels } from '../config.js';

export type Activation = 'leaky' | 'tanh' | 'none';

export interface LayerSpec {
  in: number;
  out: number;
  activation: Activation;
  /** Inverted dropout after the activation, in training only. */
  dropout: boolean;
}

export interface ParamSlot {
  name: string; // e.g. 'fc1.weight'
  shape: number[];
  offset: number;
  size: number;
}

export interface NetSpec {
  name: 'G' | 'D';
  layers: LayerSpec[];
  /** Per layer l: slots[2l] is its weight, slots[2l+1] its bias. */
  slots: ParamSlot[];
  size: number;
}

/** Named tensors packed one after another into a flat array. */
export function packSlots(named: [string, number[]][]): { slots: ParamSlot[]; size: number } {
  const slots: ParamSlot[] = [];
  let offset = 0;
  for (const [name, shape] of named) {
    const size = shape.reduce((a, b) => a * b, 1);
    slots.push({ name, shape: [...shape], offset, size });
    offset += size;
  }
  return { slots, size: offset };
}

/** Lays out the parameters of `layers`, layer by layer: weight, then bias. */
export function netSpec(name: NetSpec['name'], layers: LayerSpec[]): NetSpec {
  const named = layers.flatMap((l, i): [string, number[]][] => [
    [`fc${i + 1}.weight`, [l.in, l.out]],
    [`fc${i + 1}.bias`, [l.out]],
  ]);
  return { name, layers, ...packSlots(named) };
}

/** z → h → 2h → 4h → pixels, tanh output; dropout after the first two hidden layers. */
export function generatorSpec(m: ModelConfig): NetSpec {
  const h = m.g_hidden;
  return netSpec('G', [
    { in: m.z_dim, out: h, activation: 'leaky', dropout: true },
    { in: h, out: 2 * h, activation: 'leaky', dropout: true },
    { in: 2 * h, out: 4 * h, activation: 'leaky', dropout: false },
    { in: 4 * h, out: imagePixels(m), activation: 'tanh', dropout: false },
  ]);
}

/** pixels → 4h → 2h → h → 1 raw logit; dropout after every hidden layer. */
export function discriminatorSpec(m: ModelConfig): NetSpec {
  const h = m.d_hidden;
  return netSpec('D', [
    { in: imagePixels(m), out: 4 * h, activation: 'leaky', dropout: true },
    { in: 4 * h, out: 2 * h, activation: 'leaky', dropout: true },
    { in: 2 * h, out: h, activation: 'leaky', dropout: true },
    { in: h, out: 1, activation: 'none', dropout: false },
  ]);
}

/** The view of one parameter inside a flat array (no copy). */
export function slotView(flat: Float32Array, slot: ParamSlot): Float32Array {
  return flat.subarray(slot.offset, slot.offset + slot.size);
}

/** Widths of the layers that take dropout, in order: one mask each. */
export function dropoutWidths(spec: NetSpec): number[] {
  return spec.layers.filter((l) => l.dropout).map((l) => l.out);
}

/**
 * Writes `src` into `dst` with every weight transposed to [out, in] (biases
 * copied as they are), for the flat positions [from, to) of `src`; replicas
 * each do a slice.
 */
export function transposeWeights(spec: NetSpec, src: Float32Array, dst: Float32Array, from = 0, to = spec.size): void {
  spec.slots.forEach((slot, s) => {
    const lo = Math.max(from, slot.offset), hi = Math.min(to, slot.offset + slot.size);
    if (lo >= hi) return;
    if (s % 2 === 1) dst.set(src.subarray(lo, hi), lo);
    else transposeRange(src, dst, slot.offset, slot.shape[0], slot.shape[1], lo - slot.offset, hi - slot.offset);
  });
}

const TILE = 32; // 32×32 floats: a tile of the source and of the destination both stay in L1

/**
 * Elements [first, last) of the row-major [rows, cols] matrix at `base` of
 * src, written transposed ([cols, rows]) at `base` of dst. Whole rows go tile
 * by tile, so that the scattered writes land in cache lines still held.
 */
function transposeRange(src: Float32Array, dst: Float32Array, base: number, rows: number, cols: number, first: number, last: number): void {
  const one = (k: number) => {
    const i = (k / cols) | 0;
    dst[base + (k - i * cols) * rows + i] = src[base + k];
  };
  const r0 = Math.ceil(first / cols), r1 = Math.floor(last / cols); // whole rows [r0, r1)
  if (r0 >= r1) {
    for (let k = first; k < last; k++) one(k);
    return;
  }
  for (let k = first; k < r0 * cols; k++) one(k);
  for (let i0 = r0; i0 < r1; i0 += TILE) {
    const i1 = Math.min(i0 + TILE, r1);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(j0 + TILE, cols);
      for (let j = j0; j < j1; j++) {
        const out = base + j * rows;
        for (let i = i0; i < i1; i++) dst[out + i] = src[base + i * cols + j];
      }
    }
  }
  for (let k = r1 * cols; k < last; k++) one(k);
}

/** A fresh array holding `params` with every weight transposed to [out, in]. */
export function transposedWeights(spec: NetSpec, params: Float32Array): Float32Array {
  const out = new Float32Array(spec.size);
  transposeWeights(spec, params, out);
  return out;
}
