/**
 * report.html as one string: a page with no outside references (images are
 * data: URIs, the style is inline, no scripts), so it can be mailed, archived
 * or opened offline and looks the same everywhere.
 */
import type { EpochRecord, EvalRecord } from './runlog.js';

export interface PageImage {
  png: Buffer;
  /** Display size in CSS pixels. */
  width: number;
  height: number;
  alt: string;
}

export interface ReportPage {
  title: string;
  /** One line: how the run ended, or that it is under way. */
  status: string;
  losses: PageImage | null;
  /** The judge's scores (dgan train --eval-every) that compare with the last; `others` (another judge, another n) are left out. */
  scores: { chart: PageImage | null; records: EvalRecord[]; others: number };
  progression: { epoch: number; image: PageImage }[];
  finalGrid: (PageImage & { caption: string }) | null;
  summary: Record<string, unknown> | null;
  timing: [string, string][];
  epochs: EpochRecord[];
  /** Flattened: [dotted key, value]. */
  config: [string, string][];
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
.status { color: #555; margin-top: 0; }
table { border-collapse: collapse; } td, th { padding: .2em .8em .2em 0; text-align: left; vertical-align: top; }
th { font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .9em; }
img.digits { image-rendering: pixelated; }
.progression { display: grid; grid-template-columns: max-content max-content; gap: 4px 12px; align-items: center; }
.progression span { color: #555; font-variant-numeric: tabular-nums; }
.empty { color: #777; font-style: italic; }
`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function dataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

function img(image: PageImage, cls = ''): string {
  return `<img${cls ? ` class="${cls}"` : ''} src="${dataUri(image.png)}" width="${image.width}" height="${image.height}" alt="${escapeHtml(image.alt)}">`;
}

function keyValueTable(rows: [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

function fixed(v: number | null | undefined, digits = 4): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
}

function epochTable(epochs: EpochRecord[]): string {
  if (epochs.length === 0) return '<p class="empty">No epoch has finished yet.</p>';
  const head = '<tr><th>epoch</th><th>finished</th><th>step</th><th>mean d_loss</th><th>mean g_loss</th><th>params_sha256</th></tr>';
  const rows = epochs.map(
    (e) =>
      `<tr><td class="num">${e.epoch}/${e.epochs}</td><td>${escapeHtml(e.time ?? '')}</td><td class="num">${e.step}</td>` +
      `<td class="num">${fixed(e.d_loss_mean)}</td><td class="num">${fixed(e.g_loss_mean)}</td><td><code>${escapeHtml(String(e.params_sha256 ?? '').slice(0, 16))}</code></td></tr>`,
  );
  return `<table>${head}${rows.join('')}</table>`;
}

function scoresSection(scores: ReportPage['scores']): string {
  if (scores.records.length === 0) return '<p class="empty">No scores in log.jsonl: with <code>--eval-every K</code> the judge of <code>dgan eval</code> scores G after every K-th whole epoch.</p>';
  const head = '<tr><th>epoch</th><th>step</th><th>n</th><th>Fréchet distance</th><th>Inception score</th><th>confidence</th></tr>';
  const rows = scores.records.map(
    (e) =>
      `<tr><td class="num">${e.epoch}</td><td class="num">${e.step}</td><td class="num">${e.n}</td><td class="num">${fixed(e.fd, 2)}</td>` +
      `<td class="num">${fixed(e.inception_score, 2)}</td><td class="num">${fixed(e.confidence, 3)}</td></tr>`,
  );
  const judge = `<p>Judge <code>${escapeHtml((scores.records[0].judge ?? '').slice(0, 16) || 'not recorded')}</code>; the same metrics as <code>dgan eval</code>, against MNIST test.` +
    (scores.others ? ` ${scores.others} earlier score${scores.others === 1 ? '' : 's'} by another judge or at another n ${scores.others === 1 ? 'is' : 'are'} left out: ${scores.others === 1 ? 'it does' : 'they do'} not compare.` : '') + '</p>';
  return `${scores.chart ? img(scores.chart) : ''}${judge}<table>${head}${rows.join('')}</table>`;
}

export function reportHtml(page: ReportPage): string {
  const losses = page.losses ? img(page.losses) : '<p class="empty">No batch records in log.jsonl yet.</p>';
  const progression = page.progression.length
    ? `<div class="progression">${page.progression.map((r) => `<span>epoch ${r.epoch}</span>${img(r.image, 'digits')}`).join('')}</div>`
    : '<p class="empty">No epoch has finished yet: the figure needs samples/epoch-NNN.png.</p>';
  const finalGrid = page.finalGrid
    ? `<figure>${img(page.finalGrid, 'digits')}<figcaption>${escapeHtml(page.finalGrid.caption)}</figcaption></figure>`
    : '<p class="empty">No samples yet.</p>';
  const summary = page.summary
    ? keyValueTable(Object.entries(page.summary).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : String(v)]))
    : '<p class="empty">No summary.json yet: the run has not ended.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<p class="status">${escapeHtml(page.status)}</p>
<h2>Losses</h2>
${losses}
<h2>Scores</h2>
${scoresSection(page.scores)}
<h2>Progression</h2>
<p>The same 16 fixed-z digits (G in eval mode), one row per epoch: every 10th epoch and the last (every epoch in a run of fewer than 10).</p>
${progression}
<h2>Final samples</h2>
${finalGrid}
<h2>Summary</h2>
${summary}
<h2>Timing</h2>
${keyValueTable(page.timing)}
<h2>Epochs</h2>
${epochTable(page.epochs)}
<h2>Config</h2>
${keyValueTable(page.config)}
</body>
</html>
`;
}
