/**
 * Forward and hand-written backward of an MLP, on whatever tfjs backend is
 * active.
 *
 * Activations are feature-major: hᵀ is [features, rows]. That lets every
 * matMul run untransposed with the weight on the left:
 *   forward   zᵀ = Wᵀ·hᵀ + b       [out, in]·[in, rows]
 *   backward  dhᵀ = W·dzᵀ          [in, out]·[out, rows]
 *             dW = hᵀ·dz           [in, rows]·[rows, out]  (dz: one small transpose)
 * Two costs of tfjs-wasm decide this. A transposed matMul is 13–40× slower,
 * and autograd would use exactly those forms. And a matMul packs its right
 * operand for XNNPACK once per tensor: a fresh 784×1024 weight on the right
 * costs about as much to pack as the product itself, and weights change every
 * step. On the left they are read as they are; only the small activations are
 * packed. Measured on D's layers, the forward costs 38 ms of CPU against 50 ms
 * for the row-major x·W.
 *
 * Callers own the tidy scope; nothing here disposes its results.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation, NetSpec } from './layout.js';
import { slotView, transposedWeights } from './layout.js';

export interface Dense {
  w: tf.Tensor2D; // [in, out], the stored layout
  wT: tf.Tensor2D; // [out, in]
  b: tf.Tensor2D; // [out, 1]
}

export interface Net {
  spec: NetSpec;
  layers: Dense[];
}

/**
 * Uploads a flat parameter array and its transposed-weights twin (see
 * transposeWeights: replicas get it from shared memory, written by the
 * update); the tensors live until disposeNet.
 */
export function uploadNet(spec: NetSpec, flat: Float32Array, flatT = transposedWeights(spec, flat)): Net {
  const layers = spec.layers.map((l, i) => {
    const [w, b] = [spec.slots[2 * i], spec.slots[2 * i + 1]];
    return {
      w: tf.tensor2d(slotView(flat, w), [l.in, l.out]),
      wT: tf.tensor2d(slotView(flatT, w), [l.out, l.in]),
      b: tf.tensor2d(slotView(flat, b), [l.out, 1]),
    };
  });
  return { spec, layers };
}

export function disposeNet(net: Net): void {
  for (const l of net.layers) tf.dispose([l.w, l.wT, l.b]);
}

/** What backward needs from forward, per layer. */
export interface Trace {
  inputs: tf.Tensor2D[]; // hᵀ [in, rows]
  /** d(output)/dz per element, dropout folded in: [out, rows], or null for identity. */
  slopes: (tf.Tensor2D | null)[];
}

/**
 * xT: [in, rows]. masks[k] is the k-th dropout layer's [out, rows] multiplier
 * (0 or 1/(1−p)), or masks is null for evaluation (dropout off).
 */
export function forward(net: Net, xT: tf.Tensor2D, masks: tf.Tensor2D[] | null, slope: number): { out: tf.Tensor2D; trace: Trace } {
  const trace: Trace = { inputs: [], slopes: [] };
  let h = xT;
  let k = 0;
  net.spec.layers.forEach((spec, i) => {
    trace.inputs.push(h);
    const { wT, b } = net.layers[i];
    const z = tf.add(tf.matMul(wT, h), b) as tf.Tensor2D; // [out, rows]
    const mask = spec.dropout && masks ? masks[k++] : null;
    const { a, da } = activate(spec.activation, z, slope);
    h = mask ? tf.mul(a, mask) : a;
    trace.slopes.push(mask && da ? (tf.mul(da, mask) as tf.Tensor2D) : (da ?? mask));
  });
  return { out: h, trace };
}

/** The activation and its derivative as a tensor (null when it is 1 everywhere). */
function activate(activation: Activation, z: tf.Tensor2D, slope: number): { a: tf.Tensor2D; da: tf.Tensor2D | null } {
  switch (activation) {
    case 'leaky':
      return { a: tf.leakyRelu(z, slope), da: tf.step(z, slope) }; // 1 where z > 0, else slope
    case 'tanh': {
      const a = tf.tanh(z);
      return { a, da: tf.sub(1, tf.square(a)) as tf.Tensor2D };
    }
    case 'none':
      return { a: z, da: null };
  }
}

export interface Grads {
  /** Per layer [dW [in, out], db [out]], or null when not wanted. */
  params: [tf.Tensor2D, tf.Tensor1D][] | null;
  /** d/d(input)ᵀ [in, rows], or null when not wanted. */
  input: tf.Tensor2D | null;
}

/** dOutT: d(loss)/d(output)ᵀ, [out, rows]. */
export function backward(net: Net, trace: Trace, dOutT: tf.Tensor2D, want: { params: boolean; input: boolean }): Grads {
  const params: [tf.Tensor2D, tf.Tensor1D][] = [];
  let dh = dOutT;
  for (let i = net.spec.layers.length - 1; i >= 0; i--) {
    const slope = trace.slopes[i];
    const dz: tf.Tensor2D = slope ? tf.mul(dh, slope) : dh; // [out, rows]
    if (want.params) params[i] = [tf.matMul(trace.inputs[i], tf.transpose(dz)), tf.sum(dz, 1)]; // [in, rows]·[rows, out]
    if (i > 0 || want.input) dh = tf.matMul(net.layers[i].w, dz); // [in, out]·[out, rows]
  }
  return { params: want.params ? params : null, input: want.input ? dh : null };
}

/** Reads per-layer gradients into a flat array laid out like the parameters. */
export function flattenGrads(spec: NetSpec, grads: [tf.Tensor2D, tf.Tensor1D][], out: Float32Array): Float32Array {
  grads.forEach(([dw, db], i) => {
    out.set(dw.dataSync() as Float32Array, spec.slots[2 * i].offset);
    out.set(db.dataSync() as Float32Array, spec.slots[2 * i + 1].offset);
  });
  return out;
}
