/**
 * `report.html` of a run directory, with the figures beside it as PNG files:
 * losses.png (D and G over training), scores.png (the judge's scores, for a
 * run with --eval-every) and progression.png (the fixed-z digits epoch by
 * epoch). Everything comes from the files a run writes, so a report
 * can be made of any run, finished or not, at any time.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { flattenConfig } from '../config.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import { type Chart, evalPoints, evalSpec, lossPoints, lossSpec, renderChart } from './charts.js';
import { type RgbaImage, decodePng, encodePng } from './grid.js';
import { type PageImage, type ReportPage, reportHtml } from './html.js';
import { PROGRESSION_COLS, progressionEpochs, progressionImage, sampleCells } from './progression.js';
import { type RunRecords, comparableEvals, readRun } from './runlog.js';
import { LOSSES_FILE, PROGRESSION_FILE, REPORT_FILE, SCORES_FILE } from '../train/rundir.js';

/** Sample grids are 28 px digits: shown at twice their size, pixels kept square. */
const DIGIT_ZOOM = 2;

export interface ReportFiles {
  report: string;
  losses: string | null;
  scores: string | null;
  progression: string | null;
  /** Lines of log.jsonl the report left out. */
  skipped: number;
}

function digitImage(img: RgbaImage, png: Buffer, alt: string): PageImage {
  return { png, width: img.width * DIGIT_ZOOM, height: img.height * DIGIT_ZOOM, alt };
}


function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function timing(run: RunRecords): [string, string][] {
  const times = [...run.batches, ...run.epochs].map((r) => Date.parse(r.time)).filter(Number.isFinite).sort((a, b) => a - b);
  const epochTimes = run.epochs.map((e) => Date.parse(e.time));
  const perEpoch = median(epochTimes.slice(1).map((t, i) => (t - epochTimes[i]) / 1000).filter((s) => Number.isFinite(s) && s >= 0));
  const s = run.summary;
  const rows: [string, string][] = [];
  if (times.length) rows.push(['first record', new Date(times[0]).toISOString()], ['last record', new Date(times.at(-1)!).toISOString()]);
  if (perEpoch !== null) rows.push(['time per epoch (median)', `${perEpoch.toFixed(1)} s`]);
  if (s) {
    rows.push(
      ['last session', `${s.seconds.toFixed(1)} s, ${s.workers} worker${s.workers === 1 ? '' : 's'} on ${s.backend}`],
      ['images/s', s.images_per_sec.toFixed(0)],
    );
  }
  return rows;
}

function status(run: RunRecords): string {
  const s = run.summary;
  if (s) return `${s.end} after ${s.steps} steps (${s.epochs.toFixed(2)} epochs) | d_loss ${s.d_loss?.toFixed(4)} g_loss ${s.g_loss?.toFixed(4)}`;
  const last = run.batches.at(-1);
  return `no summary.json: under way, or stopped without one | ${last ? `last record at step ${last.step}` : 'no batch records yet'}`;
}

/** Reads one of the run's sample grids; a damaged one is named, with what to do. */
function fromSampleFile<T>(path: string, read: (png: Buffer) => T): T {
  try {
    return read(readFileSync(path));
  } catch (e) {
    throw new UserError(`${path} is not a sample grid dgan can read (${(e as Error).message}); restore or delete it, then draw the report again`);
  }
}

/** Writes report.html, losses.png and progression.png into the run directory; each file atomically. */
export async function writeReport(dir: string): Promise<ReportFiles> {
  const run = readRun(dir);
  const side = run.config.model.image_side;
  const files: ReportFiles = { report: join(dir, REPORT_FILE), losses: null, scores: null, progression: null, skipped: run.skipped };

  let chart: Chart | null = null;
  if (run.batches.length) {
    chart = await renderChart(lossSpec(lossPoints(run.batches)));
    files.losses = join(dir, LOSSES_FILE);
    writeFileAtomic(files.losses, chart.png);
  }

  const evals = comparableEvals(run.evals);
  let scores: Chart | null = null;
  if (evals.shown.length) {
    scores = await renderChart(evalSpec(evalPoints(evals.shown), evals.shown.at(-1)!.n));
    files.scores = join(dir, SCORES_FILE);
    writeFileAtomic(files.scores, scores.png);
  }

  const epochs = progressionEpochs(run.epochSamples.keys());
  const rows = epochs.map((e) => fromSampleFile(run.epochSamples.get(e)!.path, (png) => sampleCells(decodePng(png), side)));
  const progression = rows.map((cells, i) => {
    const strip = progressionImage([cells], side);
    return { epoch: epochs[i], image: digitImage(strip, encodePng(strip), `the ${PROGRESSION_COLS} fixed-z digits after epoch ${epochs[i]}`) };
  });
  if (rows.length) {
    files.progression = join(dir, PROGRESSION_FILE);
    writeFileAtomic(files.progression, encodePng(progressionImage(rows, side)));
  }

  const final = run.finalSample;
  const finalGrid = final && fromSampleFile(final.path, (png) => ({ png, image: decodePng(png) }));
  const page: ReportPage = {
    title: `dgan run ${dir}`,
    status: status(run),
    losses: chart && { png: chart.png, width: chart.width, height: chart.height, alt: 'loss of D and G over training' },
    scores: {
      chart: scores && { png: scores.png, width: scores.width, height: scores.height, alt: "Fréchet distance, Inception score and the judge's confidence after each evaluated epoch" },
      records: evals.shown,
      others: evals.others,
    },
    progression,
    finalGrid: final && finalGrid && {
      ...digitImage(finalGrid.image, finalGrid.png, 'the fixed-z digits at the end of the run'),
      caption: `samples/${basename(final.path)}${final.step !== null ? `, after step ${final.step}` : ''}`,
    },
    summary: run.summary as unknown as Record<string, unknown> | null,
    timing: timing(run),
    epochs: run.epochs,
    config: flattenConfig(run.config),
  };
  writeFileAtomic(files.report, reportHtml(page));
  return files;
}

/**
 * The report at the end of `dgan train`. Drawing it can fail (a full disk, a
 * missing font library) without the run having failed: its checkpoint and
 * summary are written already, so a failure is a warning with the way to retry.
 */
export async function reportAfterRun(dir: string, line: (text: string) => void): Promise<void> {
  try {
    line(`report: ${(await writeReport(dir)).report}`);
  } catch (e) {
    line(`warning: no report (${(e as Error).message}); draw it later with: dgan report ${dir}`);
  }
}
