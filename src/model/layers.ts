/**
 * The two MLPs as tf.layers sequential models, built from the same NetSpec as
 * dgan's own flat layout: dense → leaky ReLU → dropout per hidden layer, as in
 * the article. The export writes G this way (a model anyone can load with
 * tf.loadLayersModel), and the bench's baseline trains both this way.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig } from '../config.js';
import { type NetSpec, slotView } from './layout.js';

/** The layers of `spec`; dense layers are named fc1, fc2, … like the parameter slots. */
export function sequentialModel(spec: NetSpec, model: Pick<ModelConfig, 'leaky_slope' | 'dropout'>): tfl.Sequential {
  const layers = spec.layers.flatMap((l, i) => {
    const dense = tfl.layers.dense({
      units: l.out,
      name: `fc${i + 1}`,
      ...(i === 0 && { inputShape: [l.in] }),
      ...(l.activation === 'tanh' && { activation: 'tanh' as const }),
    });
    return [
      dense,
      ...(l.activation === 'leaky' ? [tfl.layers.leakyReLU({ alpha: model.leaky_slope })] : []),
      ...(l.dropout ? [tfl.layers.dropout({ rate: model.dropout })] : []),
    ];
  });
  return tfl.sequential({ name: spec.name, layers });
}

/**
 * Copies a flat parameter array into the model's dense layers. dgan stores a
 * kernel [in, out], exactly tf.layers' layout, so the values go in as they are.
 */
export function setFlatWeights(seq: tfl.Sequential, spec: NetSpec, flat: Float32Array): void {
  const dense = seq.layers.filter((l) => l.getClassName() === 'Dense');
  if (dense.length !== spec.layers.length) throw new Error(`setFlatWeights: ${dense.length} dense layers for ${spec.layers.length} in the spec`);
  dense.forEach((layer, i) => {
    const l = spec.layers[i];
    const weights = [tf.tensor2d(slotView(flat, spec.slots[2 * i]), [l.in, l.out]), tf.tensor1d(slotView(flat, spec.slots[2 * i + 1]))];
    layer.setWeights(weights);
    tf.dispose(weights);
  });
}
