/**
 * The report's charts (the losses, the judge's scores): Vega-Lite specs, rendered to SVG by Vega in
 * Node (pure JS, no canvas, no browser) and rasterised by resvg. The three
 * libraries are imported when a chart is drawn, not at start-up: together
 * they take about half a second to load, which `dgan train` should not pay
 * before its first step.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { BatchRecord, EvalRecord } from './runlog.js';

export interface LossPoint {
  /** Fractional epochs done: epoch e's batch b of n ends at e − 1 + (b + 1)/n. */
  epoch: number;
  net: 'D' | 'G';
  loss: number;
}

export interface Chart {
  png: Buffer;
  /** CSS pixels; the PNG has PNG_SCALE times as many, for sharp text on high-density screens. */
  width: number;
  height: number;
}

const PNG_SCALE = 2;

export function lossPoints(records: BatchRecord[]): LossPoint[] {
  return records.flatMap((r) => {
    const epoch = r.epoch - 1 + (r.batch + 1) / r.batches;
    return [
      { epoch, net: 'D' as const, loss: r.d_loss },
      { epoch, net: 'G' as const, loss: r.g_loss },
    ];
  });
}

export function lossSpec(points: LossPoint[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Losses of D and G',
    width: 640,
    height: 260,
    background: 'white',
    data: { values: points },
    // Markers only while there are few points: a line alone would hide a single record.
    mark: { type: 'line', point: points.length <= 60, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { zero: true } },
      y: { field: 'loss', type: 'quantitative', title: 'loss (BCE)' },
      color: { field: 'net', type: 'nominal', title: null, scale: { domain: ['D', 'G'] }, legend: { labelExpr: "datum.label + ' loss'" } },
    },
  };
}

export interface EvalPoint {
  epoch: number;
  metric: string;
  value: number;
}

/** The panels of the score chart, in order; the arrow says which way is better. */
export const EVAL_METRICS: [keyof EvalRecord, string][] = [
  ['fd', 'Fréchet distance ↓'],
  ['inception_score', 'Inception score ↑'],
  ['confidence', 'judge confidence ↑'],
];

export function evalPoints(records: EvalRecord[]): EvalPoint[] {
  // A metric that came out NaN (null in JSON) is a gap in its curve.
  return records.flatMap((r) => EVAL_METRICS.map(([key, metric]) => ({ epoch: r.epoch, metric, value: r[key] as number }))).filter((p) => Number.isFinite(p.value));
}

/** One small panel per metric side by side, each with its own y scale. */
export function evalSpec(points: EvalPoint[], n: number): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `G scored by the judge (${n} samples per point)`,
    background: 'white',
    data: { values: points },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: EVAL_METRICS.map(([, m]) => m) } },
    spec: {
      width: 190,
      height: 170,
      mark: { type: 'line', point: true, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { zero: true }, axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

export async function renderChart(spec: TopLevelSpec): Promise<Chart> {
  const [vega, vegaLite, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const image = new Resvg(svg, { fitTo: { mode: 'zoom', value: PNG_SCALE }, font: { loadSystemFonts: true } }).render();
    return { png: image.asPng(), width: Math.round(image.width / PNG_SCALE), height: Math.round(image.height / PNG_SCALE) };
  } finally {
    view.finalize();
  }
}
