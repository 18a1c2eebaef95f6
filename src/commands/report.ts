/** `dgan report RUN_DIR`: (re)draws report.html and its figures from a run directory's files. */
import { existsSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { blockedFolder } from '../fsutil.js';
import { writeReport } from '../report/page.js';

export async function reportCommand(dir: string): Promise<number> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`no run directory ${dir}; give the --out folder of a \`dgan train\``);
  if (blockedFolder(dir)) throw new UserError(`cannot write to ${dir}: the report is written into the run directory`);
  const files = await writeReport(dir);
  if (files.skipped) console.error(`dgan: warning: ${files.skipped} line${files.skipped === 1 ? '' : 's'} of ${dir}/log.jsonl left out of the report: cut short, not JSON, or not a dgan record`);
  const figures = [files.losses, files.scores, files.progression].filter((f) => f !== null);
  console.log(`dgan: report ${files.report}${figures.length ? ` | figures ${figures.join(', ')}` : ''}`);
  return 0;
}
