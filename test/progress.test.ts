import test from 'ava';
import { ConsoleReporter, type Progress, progressText } from '../src/report/console.js';

/** A stand-in for process.stdout that records what is written. */
function stream(isTTY: boolean, columns?: number): NodeJS.WriteStream & { text: string } {
  const s = { text: '', isTTY, columns, write: (chunk: string) => ((s.text += chunk), true) };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

const p: Progress = { epoch: 2, epochs: 100, batch: 99, batches: 469, imagesPerSec: 1234.4, etaSec: 3725 };

test('progressText: epoch, bar, batch, images/s and ETA', (t) => {
  t.is(progressText(p), 'epoch 3/100 [####----------------] batch 100/469 | 1234 img/s | ETA 1h02m');
  t.regex(progressText({ ...p, etaSec: 75 }), /ETA 1m15s$/);
  t.regex(progressText({ ...p, etaSec: Infinity }), /ETA \?$/);
});

test('on a terminal the bar is redrawn in place and cleared before a line that stays', (t) => {
  const out = stream(true, 60);
  const r = new ConsoleReporter(out);
  r.progress(p);
  r.progress({ ...p, batch: 100 });
  t.is(out.text.split('\r').length, 3, 'each redraw starts at the line start');
  t.false(out.text.includes('\n'), 'no new lines while drawing');
  t.true(out.text.split('\r').every((s) => s.length <= 59), 'cut to the terminal width');
  r.line('a log line');
  t.true(out.text.endsWith('\r\x1b[Ka log line\n'));
});

test('elsewhere (CI, pipes) plain lines, at most one per period', (t) => {
  const out = stream(false);
  const r = new ConsoleReporter(out, 60_000);
  r.progress(p);
  r.progress({ ...p, batch: 100 });
  t.is(out.text, progressText(p) + '\n', 'one line, then quiet until the period is over');
  t.false(out.text.includes('\r') || out.text.includes('\x1b'), 'no control characters');
});
