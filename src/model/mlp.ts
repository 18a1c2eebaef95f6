/**
 * Forward and hand-written backward of an MLP, on whatever tfjs backend is
 * active. Every matMul runs untransposed: tfjs-wasm's transposed matMul is
 * 13–40× slower, and autograd would use exactly those forms. So dW = xᵀ·dz
 * takes an explicit transpose of the (small) activations.
 *
 * tfjs-wasm packs a matMul's right operand for XNNPACK once per tensor, which
 * for a fresh 784×1024 weight costs about as much as the product itself.
 * Weights change every step, so each is used as the right operand only once
 * per upload (the forward), and dx = (W·dzᵀ)ᵀ keeps W on the left, where it
 * is read as it is. That form halved the backward's cost against dz·Wᵀ.
 *
 * Callers own the tidy scope; nothing here disposes its results.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation, NetSpec } from './layout.js';
import { slotView } from './layout.js';

export interface Dense {
  w: tf.Tensor2D; // [in, out]
  b: tf.Tensor1D; // [out]
}

export interface Net {
  spec: NetSpec;
  layers: Dense[];
}

/** Uploads a flat parameter array; the tensors live until disposeNet. */
export function uploadNet(spec: NetSpec, flat: Float32Array): Net {
  const layers = spec.layers.map((l, i) => ({
    w: tf.tensor2d(slotView(flat, spec.slots[2 * i]), [l.in, l.out]),
    b: tf.tensor1d(slotView(flat, spec.slots[2 * i + 1])),
  }));
  return { spec, layers };
}

export function disposeNet(net: Net): void {
  for (const l of net.layers) tf.dispose([l.w, l.b]);
}

/** What backward needs from forward, per layer. */
export interface Trace {
  inputs: tf.Tensor2D[]; // [rows, in]
  acts: tf.Tensor2D[]; // [rows, out], after the activation, before dropout
  masks: (tf.Tensor2D | null)[];
}

function activate(z: Dense, x: tf.Tensor2D, activation: Activation, slope: number): tf.Tensor2D {
  // Bias and leaky ReLU fused into the matMul: one pass over the output.
  if (activation === 'leaky') return tf.fused.matMul({ a: x, b: z.w, bias: z.b, activation: 'leakyrelu', leakyreluAlpha: slope }) as tf.Tensor2D;
  const pre = tf.fused.matMul({ a: x, b: z.w, bias: z.b }) as tf.Tensor2D;
  return activation === 'tanh' ? tf.tanh(pre) : pre;
}

/**
 * masks[k] is the k-th dropout layer's [rows, out] multiplier (0 or 1/(1−p)),
 * or masks is null for evaluation (dropout off).
 */
export function forward(net: Net, x: tf.Tensor2D, masks: tf.Tensor2D[] | null, slope: number): { out: tf.Tensor2D; trace: Trace } {
  const trace: Trace = { inputs: [], acts: [], masks: [] };
  let h = x;
  let k = 0;
  net.spec.layers.forEach((spec, i) => {
    trace.inputs.push(h);
    const a = activate(net.layers[i], h, spec.activation, slope);
    trace.acts.push(a);
    const mask = spec.dropout && masks ? masks[k++] : null;
    trace.masks.push(mask);
    h = mask ? (tf.mul(a, mask) as tf.Tensor2D) : a;
  });
  return { out: h, trace };
}

/** d(activation)/dz applied to da, written in terms of the activation's output a. */
function activationGrad(activation: Activation, a: tf.Tensor2D, da: tf.Tensor2D, slope: number): tf.Tensor2D {
  switch (activation) {
    case 'leaky': // a > 0 exactly where z > 0
      return tf.where(tf.greater(a, 0), da, tf.mul(da, slope)) as tf.Tensor2D;
    case 'tanh':
      return tf.mul(da, tf.sub(1, tf.square(a)));
    case 'none':
      return da;
  }
}

export interface Grads {
  /** Per layer [dW [in, out], db [out]], or null when not wanted. */
  params: [tf.Tensor2D, tf.Tensor1D][] | null;
  /** d/d(input) [rows, in], or null when not wanted. */
  input: tf.Tensor2D | null;
}

export function backward(net: Net, trace: Trace, dOut: tf.Tensor2D, slope: number, want: { params: boolean; input: boolean }): Grads {
  const params: [tf.Tensor2D, tf.Tensor1D][] = [];
  let dh = dOut;
  for (let i = net.spec.layers.length - 1; i >= 0; i--) {
    const spec = net.spec.layers[i];
    const mask = trace.masks[i];
    const da: tf.Tensor2D = mask ? tf.mul(dh, mask) : dh;
    const dz = activationGrad(spec.activation, trace.acts[i], da, slope); // [rows, out]
    if (want.params) params[i] = [tf.matMul(tf.transpose(trace.inputs[i]), dz), tf.sum(dz, 0)]; // [in, rows]·[rows, out]
    if (i > 0 || want.input) dh = tf.transpose(tf.matMul(net.layers[i].w, tf.transpose(dz))) as tf.Tensor2D; // ([in, out]·[out, rows])ᵀ
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
