/**
 * What a person watching the run sees: the article's log line every
 * log_every batches, and a one-line progress indicator with images/s and ETA,
 * redrawn in place on a terminal and printed as plain lines elsewhere.
 */

export interface Progress {
  epoch: number; // 0-based
  epochs: number;
  batch: number; // 0-based index of the batch just done
  batches: number;
  imagesPerSec: number;
  etaSec: number;
}

export function timestamp(d = new Date()): string {
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

/** The article's line: time, epoch/total, batch/total, d_loss, g_loss. */
export function lossLine(p: Pick<Progress, 'epoch' | 'epochs' | 'batch' | 'batches'>, dLoss: number, gLoss: number): string {
  return `${timestamp()} | Epoch [${p.epoch + 1}/${p.epochs}] | Batch ${p.batch}/${p.batches} | d_loss: ${dLoss.toFixed(4)} | g_loss: ${gLoss.toFixed(4)}`;
}

function duration(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

export function progressText(p: Progress): string {
  const width = 20;
  const done = Math.round(((p.batch + 1) / p.batches) * width);
  const bar = '#'.repeat(done) + '-'.repeat(width - done);
  return `epoch ${p.epoch + 1}/${p.epochs} [${bar}] batch ${p.batch + 1}/${p.batches} | ${p.imagesPerSec.toFixed(0)} img/s | ETA ${duration(p.etaSec)}`;
}

export class ConsoleReporter {
  private lastPlain = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly plainEveryMs = 30_000,
  ) {}

  /** A line that stays (log lines, epoch summaries). */
  line(text: string): void {
    this.clear();
    this.out.write(text + '\n');
  }

  progress(p: Progress): void {
    const text = progressText(p);
    if (this.out.isTTY) {
      this.out.write('\r' + text.padEnd(this.out.columns ? this.out.columns - 1 : 100).slice(0, (this.out.columns ?? 101) - 1));
      this.drawn = true;
    } else if (Date.now() - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = Date.now();
      this.out.write(text + '\n');
    }
  }

  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}
