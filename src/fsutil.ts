import { accessSync, closeSync, constants, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Temporary files of `path` left by writers that were killed mid-write (their pid is gone). */
function removeOrphans(path: string): void {
  const prefix = `${basename(path)}.tmp-`;
  for (const name of readdirSync(dirname(path))) {
    const pid = Number(name.slice(prefix.length));
    if (name.startsWith(prefix) && Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(join(dirname(path), name), { force: true });
  }
}

/**
 * Writes `data` to `path` so that readers (and a crash) see either the old file
 * or the complete new one, never a partial write. A write killed midway leaves
 * its temporary file, which the next write of the same path removes.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    removeOrphans(path);
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // keep the original error
    }
    throw err;
  }
  // Persist the rename itself. Some platforms/filesystems refuse to fsync a directory.
  try {
    const dfd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM') throw err;
  }
}

/**
 * Where creating `dir` (and its missing parents) would fail: the nearest
 * existing one of `dir` and its ancestors, when that is not a folder this
 * process may write to; null when the folder can be made or written. Checked
 * before any work, so that a bad output path costs nothing and writes nothing.
 */
export function blockedFolder(dir: string): string | null {
  let parent = dir;
  while (!existsSync(parent)) parent = join(parent, '..');
  try {
    if (!statSync(parent).isDirectory()) return parent;
    accessSync(parent, constants.W_OK);
    return null;
  } catch {
    return parent;
  }
}
