/**
 * Initialisation as in the article: Xavier/Glorot uniform for the weights of
 * fc1–fc3, PyTorch's nn.Linear default U(−1/√in, 1/√in) for the last weight
 * and every bias. Each parameter draws from its own counter-based stream.
 */
import type { NetSpec } from './layout.js';
import { Purpose, fillUniform, streamKey } from '../rng.js';

export interface InitBounds {
  weight: number;
  bias: number;
}

export function initBounds(spec: NetSpec): InitBounds[] {
  const last = spec.layers.length - 1;
  return spec.layers.map((l, i) => ({
    weight: i < last ? Math.sqrt(6 / (l.in + l.out)) : 1 / Math.sqrt(l.in),
    bias: 1 / Math.sqrt(l.in),
  }));
}

export function initParams(spec: NetSpec, seed: number): Float32Array {
  const flat = new Float32Array(spec.size);
  const net = spec.name === 'G' ? 0 : 1;
  const bounds = initBounds(spec);
  spec.slots.forEach((slot, s) => {
    const layer = bounds[s >> 1];
    const a = s % 2 === 0 ? layer.weight : layer.bias;
    fillUniform(flat, streamKey(seed, Purpose.init, net, s), -a, a, slot.size, slot.offset);
  });
  return flat;
}
