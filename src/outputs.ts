/**
 * The paths a command will write: checked before it does any work, and made
 * so that a failure leaves nothing behind. A bad --out is a one-line usage
 * error.
 */
import { closeSync, existsSync, mkdirSync, openSync, realpathSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { UserError } from './errors.js';
import { blockedFolder } from './fsutil.js';

const canonical = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));

/**
 * A file to create or replace (its missing parent folders are made when it is
 * written). It is written whole and renamed into place, so it must be a plain
 * file: a device or pipe would be replaced, not written to. `keep`: files or
 * folders the command reads, or a run's own files, which it must never write
 * over.
 */
export function checkOutFile(path: string, flag = '--out', keep: string[] = []): void {
  if (path === '') throw new UserError(`${flag} is empty: give a file name`);
  if (existsSync(path)) {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new UserError(`${flag} ${path} is a folder; give a file name`);
    if (!stat.isFile()) throw new UserError(`${flag} ${path} is not a plain file (a device, pipe or socket), which would be replaced; give a file name`);
  }
  const target = canonical(path);
  const kept = keep.find((k) => target === canonical(k) || target.startsWith(canonical(k) + sep));
  if (kept) {
    const what = target === canonical(kept) ? kept : `a file in ${kept}`;
    throw new UserError(`${flag} ${path} would overwrite ${what}, which this command reads or which belongs to a run; choose another file`);
  }
  const blocked = blockedFolder(dirname(path));
  if (blocked) throw new UserError(`cannot write ${path}: ${blocked} is not a folder you can write to; choose another ${flag}`);
  if (existsSync(dirname(path))) probeWrite(path, flag);
}

/** Creates and removes a scratch file beside `path`: root passes every access check, but /proc still refuses files. */
function probeWrite(path: string, flag: string): void {
  const probe = `${path}.probe-${process.pid}`;
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    throw new UserError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose another ${flag}`);
  }
}

/** A folder to create, or to write files into. */
export function checkOutFolder(path: string, flag = '--out'): void {
  if (existsSync(path) && !statSync(path).isDirectory()) throw new UserError(`${flag} ${path} is a file; give a folder`);
  const blocked = blockedFolder(path);
  if (blocked) throw new UserError(`cannot write to ${path}: ${blocked} is not a folder you can write to; choose another ${flag}`);
}

/**
 * Makes `dir` and its missing parents one at a time and, when one fails,
 * removes those it made: a failed start leaves the disk as it was. (Node's
 * recursive mkdirSync leaves them behind, and never returns under /proc.)
 */
export function makeFolders(dir: string, flag = '--out'): void {
  const missing: string[] = [];
  for (let p = resolve(dir); !existsSync(p); p = dirname(p)) missing.unshift(p);
  const made: string[] = [];
  try {
    for (const p of missing) {
      mkdirSync(p);
      made.push(p);
    }
  } catch (e) {
    for (const p of made.reverse()) rmdirSync(p);
    // The checks before cannot see every refusal (root passes access checks; /proc takes no folders).
    throw new UserError(`cannot create ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose another ${flag} folder you can write to`);
  }
}
