/**
 * Floating-point work of one training step, from the model sizes alone: the
 * matMuls the hand-written step does (src/model/gan.ts, src/model/mlp.ts),
 * each counted as 2·m·k·n for an [m, k]·[k, n] product. Bias adds,
 * activations, dropout, the loss, the all-reduce and Adam are O(rows·width)
 * or O(params) and left out (under 1% here).
 *
 * With B the batch rows and, per network, P = Σ over its 4 layers of in·out
 * and P' the same sum over layers 2–4 (layer 1 needs no input gradient):
 *
 *   D phase: G forward on B rows                  2·B·P_G
 *            D forward on 2B rows (real + fake)    2·2B·P_D
 *            D weight grads, 2B rows               2·2B·P_D
 *            D input grads, layers 2–4, 2B rows    2·2B·P'_D
 *   G phase: G forward on B rows                  2·B·P_G
 *            D forward on B rows                   2·B·P_D
 *            D input grads, all 4 layers           2·B·P_D
 *            G weight grads                        2·B·P_G
 *            G input grads, layers 2–4             2·B·P'_G
 *
 *   total = 2·B·(3·P_G + P'_G + 6·P_D + 2·P'_D)
 *
 * For the default model (z 100, G h 32, D h 256, 28×28) and B = 128 that is
 * 2·128·10 513 792 = 2 691 530 752, about 2.69 GFLOP per step. Micro-shards
 * split the rows, not the work, so the worker count does not change it.
 */
import type { ModelConfig } from '../src/config.js';
import { type NetSpec, discriminatorSpec, generatorSpec } from '../src/model/layout.js';

/** Σ in·out over the layers of `spec` from layer index `from` (0-based) on. */
function weightProducts(spec: NetSpec, from = 0): number {
  return spec.layers.slice(from).reduce((sum, l) => sum + l.in * l.out, 0);
}

/** FLOPs of one training step (both phases) on `batch` rows. */
export function stepFlops(model: ModelConfig, batch: number): number {
  const g = generatorSpec(model);
  const d = discriminatorSpec(model);
  const pG = weightProducts(g), pG2 = weightProducts(g, 1);
  const pD = weightProducts(d), pD2 = weightProducts(d, 1);
  const dPhase = batch * pG + 2 * batch * pD + 2 * batch * pD + 2 * batch * pD2;
  const gPhase = batch * pG + batch * pD + batch * pD + batch * pG + batch * pG2;
  return 2 * (dPhase + gPhase);
}
